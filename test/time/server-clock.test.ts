import { describe, expect, it } from 'vitest';
import { startClockSync } from '../../src/engine/clock-sync.js';
import { createLogger } from '../../src/log/logger.js';
import { createAppStore } from '../../src/store/store.js';
import { FakeClock } from '../../src/time/clock.js';
import { CorrectedClock, ServerClock, describeOffset, type ServerTimeSample } from '../../src/time/server-clock.js';

const T0 = Date.parse('2026-11-24T09:00:00+05:30');

/** A reply from a server whose clock is `offset` ahead, sent at local `at`, `rtt` long, stamped to the second. */
function httpSample(at: number, offset: number, rtt = 20): ServerTimeSample {
  const serverAtHandling = at + rtt / 2 + offset;
  return { sentAt: at, receivedAt: at + rtt, serverTime: Math.floor(serverAtHandling / 1000) * 1000, resolutionMs: 1000, source: 'http date' };
}

describe('ServerClock: the offset from samples', () => {
  it('one Date header bounds the offset to a second; replies at other phases narrow it', () => {
    const c = new ServerClock();
    c.addSample(httpSample(T0 + 123, 2_400));
    expect(c.estimate()?.uncertaintyMs).toBeGreaterThan(400);
    for (let i = 1; i < 30; i++) c.addSample(httpSample(T0 + i * 1_037, 2_400));
    const est = c.estimate();
    expect(Math.abs((est?.offsetMs ?? 0) - 2_400)).toBeLessThanOrEqual(60);
    expect(est?.uncertaintyMs).toBeLessThan(60);
    expect(est?.samples).toBe(30);
  });

  it('a millisecond stamp (the WebSocket pong) is exact to the round trip', () => {
    const c = new ServerClock();
    c.addSample({ sentAt: T0, receivedAt: T0 + 8, serverTime: T0 + 4 - 120_000, resolutionMs: 0, source: 'ws pong' });
    expect(c.estimate()).toEqual({ offsetMs: -120_000, uncertaintyMs: 4, samples: 1, source: 'ws pong' });
  });

  it('after the local clock steps, the newest samples win', () => {
    const c = new ServerClock();
    for (let i = 0; i < 10; i++) c.addSample(httpSample(T0 + i * 700, 0));
    // The machine clock jumped back 2 minutes (NTP after a sleep): now it is 120 s slow.
    for (let i = 0; i < 3; i++) c.addSample(httpSample(T0 + 7_000 + i * 650, 120_000));
    const est = c.estimate();
    expect(Math.abs((est?.offsetMs ?? 0) - 120_000)).toBeLessThan(1000);
    expect(est?.samples).toBe(3);
  });

  it('ignores samples that cannot be right, and forgets old ones', () => {
    const c = new ServerClock({ windowMs: 60_000 });
    c.addSample({ sentAt: T0 + 10, receivedAt: T0, serverTime: T0, resolutionMs: 1000, source: 'x' });
    c.addSample({ sentAt: T0, receivedAt: T0 + 1, serverTime: Number.NaN, resolutionMs: 1000, source: 'x' });
    expect(c.estimate()).toBeNull();
    c.addSample(httpSample(T0, 5_000));
    c.addSample(httpSample(T0 + 120_000, 0));
    expect(c.estimate()?.samples).toBe(1);
  });

  it('says which way the machine is off', () => {
    expect(describeOffset(2_400)).toBe('local clock 2.4 s slow');
    expect(describeOffset(-120_000)).toBe('local clock 120 s fast');
  });
});

describe('clock sync: the engine clock follows the server', () => {
  function rig() {
    const fake = new FakeClock(T0);
    const clock = new CorrectedClock(fake);
    const store = createAppStore();
    const log = createLogger({ store, clock, secrets: [] });
    const server = new ServerClock();
    const sync = startClockSync({ server, clock, log, store, everyMs: 180_000 });
    const lines = (): string[] => store.getState().log.map((l) => `${l.level} [${l.tag}] ${l.text}`);
    return { fake, clock, store, server, sync, lines };
  }

  it('applies the first measurement at once, logs it, and shows it in the store', () => {
    const r = rig();
    r.server.addSample({ sentAt: T0, receivedAt: T0 + 10, serverTime: T0 + 5 + 90_000, resolutionMs: 0, source: 'ws pong' });
    expect(r.clock.offsetMs).toBe(90_000);
    expect(r.clock.now()).toBe(T0 + 90_000);
    expect(r.store.getState().clockOffsetMs).toBe(90_000);
    expect(r.lines()).toEqual([expect.stringMatching(/^INFO \[CLOCK\] local clock 90\.0 s slow against the server \(±0\.0 s, 1 sample, ws pong\)/)]);
    r.sync.stop();
  });

  it('re-reads every few minutes: small wobble is ignored, a notable change is applied with a [CLOCK] warning', async () => {
    const r = rig();
    r.server.addSample({ sentAt: T0, receivedAt: T0 + 10, serverTime: T0 + 5, resolutionMs: 0, source: 'ws pong' });
    expect(r.clock.offsetMs).toBe(0);
    r.server.addSample({ sentAt: T0 + 1_000, receivedAt: T0 + 1_010, serverTime: T0 + 1_005 + 100, resolutionMs: 0, source: 'ws pong' });
    await r.fake.advance(180_000);
    expect(r.clock.offsetMs).toBe(0); // 100 ms: not worth moving the schedule
    // The laptop slept: its clock is now 45 s behind the server.
    r.server.addSample({ sentAt: T0 + 200_000, receivedAt: T0 + 200_010, serverTime: T0 + 200_005 + 45_000, resolutionMs: 0, source: 'ws pong' });
    expect(r.clock.offsetMs).toBe(0); // applied at the next check, not on every reply
    await r.fake.advance(180_000);
    expect(r.clock.offsetMs).toBe(45_000);
    expect(r.lines().filter((l) => l.includes('[CLOCK]'))).toHaveLength(2);
    expect(r.lines()[1]).toMatch(/^WARN \[CLOCK\] offset changed by 45\.0 s: local clock 45\.0 s slow/);
    r.sync.stop();
    expect(r.fake.pending).toBe(0);
  });
});
