import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { watchFatal, type FatalSource } from '../../src/cli/fatal.js';
import { runTrader } from '../../src/cli/run.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { FakeClock } from '../../src/time/clock.js';

// An error nothing caught is never silent and never leaves a position: logged, then the bot
// stops as on q (flat, then exit code 4).

const source = (): EventEmitter & FatalSource => new EventEmitter() as EventEmitter & FatalSource;

describe('errors nothing caught', () => {
  it('the first is reported with where it was thrown; later ones as repeats; stop() stops listening', () => {
    const s = source();
    const first: string[] = [];
    const again: string[] = [];
    const w = watchFatal(s, (t) => first.push(t), (t) => again.push(t));
    expect(w.error).toBeNull();
    s.emit('unhandledRejection', new Error('boom'));
    s.emit('uncaughtException', 'plain');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/^boom \(at .*fatal\.test\.ts/);
    expect(again).toEqual(['plain']);
    expect(w.error).toBe(first[0]);
    w.stop();
    expect(s.listenerCount('unhandledRejection') + s.listenerCount('uncaughtException')).toBe(0);
  });

  it('in a headless paper run, in position: logged FATAL, flattened, exit code 4', async () => {
    const clock = new FakeClock(Date.parse('2026-12-02T10:00:00+05:30'));
    const out: string[] = [];
    const err: string[] = [];
    const fatalSource = source();
    const screen = new PassThrough();
    const lines: string[] = [];
    screen.on('data', (b: Buffer) => lines.push(...b.toString('utf8').split('\n')));
    const done = runTrader({
      io: { out: (l) => out.push(l), err: (l) => err.push(l) },
      sources: { store: {}, dotenv: {}, flags: {}, modeFlag: 'paper', env: { PERSIST_STATE: 'false', JOURNAL: 'false', LOG_TO_FILE: 'false', STATE_DIR: '/nonexistent-fatal-test', ALERTS: 'all:off', PROFIT_TARGET_RUPEES: '40', STOP_LOSS_RUPEES: '40' } },
      headless: true,
      liveData: false,
      clock,
      fatalSource,
      stdout: screen as unknown as NodeJS.WriteStream,
    });
    let code: number | null = null;
    void done.then((c) => { code = c; });
    // In position (legs far away), then a bug somewhere rejects a promise nobody awaited.
    expect(await clock.advanceUntil(() => lines.some((l) => l.includes('[STATE] STATE=LONG')), 120_000, 100)).toBe(true);
    fatalSource.emit('unhandledRejection', new Error('a bug'));
    await clock.advanceUntil(() => code !== null, 120_000, 100);
    expect(code).toBe(EXIT.INTERNAL);
    const log = [...lines, ...out].join('\n');
    expect(log).toMatch(/CRITICAL.*\[FATAL\] unexpected error: a bug \(at .*\); stopping as on q \(flat, then exit code 4\)/);
    expect(log).toMatch(/stopped flat after an unexpected error \(exit code 4\)/);
    expect(fatalSource.listenerCount('unhandledRejection')).toBe(0);
  }, 60_000);
});
