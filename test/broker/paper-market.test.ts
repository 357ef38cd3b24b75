import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaperMarket, type PriceEvent } from '../../src/broker/paper/market.js';
import { mulberry32 } from '../../src/broker/paper/rng.js';
import { createDefaultPaperSetup } from '../../src/broker/paper/setup.js';
import { tickGrid } from '../../src/broker/ticks.js';
import type { Quote } from '../../src/broker/types.js';
import { FakeClock } from '../../src/time/clock.js';
import { OPTION, T0 } from './paper-fixtures.js';

function path(seed: number, readEveryMs: number, totalMs: number): number[] {
  const clock = new FakeClock(T0);
  const market = new PaperMarket({ clock, seed, instrument: OPTION, startPrice: 100 });
  const out: number[] = [];
  for (let t = 0; t < totalMs; t += readEveryMs) {
    clock.jump(readEveryMs);
    out.push(market.ltpPrice());
  }
  return out;
}

describe('seeded PRNG', () => {
  it('replays the same stream from the same seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43).next()).not.toBe(xs[0]);
  });
});

describe('paper market walk', () => {
  it('follows the same path for the same seed, and another for another seed', () => {
    expect(path(7, 250, 60_000)).toEqual(path(7, 250, 60_000));
    expect(path(8, 250, 60_000)).not.toEqual(path(7, 250, 60_000));
  });

  it('does not depend on how often it is read (within the catch-up cap)', () => {
    const everyStep = path(3, 250, 300_000);
    const everyMinute = path(3, 60_000, 300_000);
    expect(everyMinute.at(-1)).toBe(everyStep.at(-1));
  });

  it('keeps every LTP, bid and ask on the tick grid and above the floor (property)', () => {
    const ticks = [0.05, 0.01, 0.0025, 1, 0.1];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(...ticks),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 30 }),
        (seed, tick, startTicks, vol, reads) => {
          const grid = tickGrid(tick);
          const clock = new FakeClock(T0);
          const market = new PaperMarket({
            clock, seed, instrument: { ...OPTION, tickSize: tick }, startPrice: grid.fromTicks(startTicks),
            volatilityTicks: vol, gapRate: 0.05, gapTicks: 40,
          });
          const seen: PriceEvent[] = [];
          market.onPrice((e) => seen.push(e));
          for (const ms of reads) {
            clock.jump(ms);
            const q = market.quote();
            for (const p of [q.ltp, q.bid, q.ask, q.high, q.low]) expect(grid.isOnGrid(p ?? 0)).toBe(true);
            expect(q.bid! < q.ask!).toBe(true);
            expect(q.ltp).toBeGreaterThanOrEqual(grid.fromTicks(5));
          }
          for (const e of seen) for (const t of [e.prev, e.ltp, e.bid, e.ask]) expect(Number.isInteger(t)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stays around its start over a whole trading day', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const clock = new FakeClock(T0);
      const { market } = createDefaultPaperSetup({ clock, seed });
      for (let minute = 0; minute < 375; minute++) {
        clock.jump(60_000);
        const p = market.ltpPrice();
        expect(p).toBeGreaterThan(60);
        expect(p).toBeLessThan(140);
      }
    }
  });

  it('with the default setup, a ₹2 target or ₹1 stop is usually hit within 5–20 s', () => {
    const times: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const clock = new FakeClock(T0);
      const { market } = createDefaultPaperSetup({ clock, seed });
      const start = market.ltpPrice();
      let t = 0;
      while (t < 120_000) {
        clock.jump(250);
        t += 250;
        const p = market.ltpPrice();
        if (p >= start + 2 || p <= start - 1) break;
      }
      times.push(t);
    }
    times.sort((a, b) => a - b);
    const median = times[100]!;
    expect(median).toBeGreaterThanOrEqual(5_000);
    expect(median).toBeLessThanOrEqual(20_000);
  });

  it('catches up a long idle stretch with bounded work', () => {
    const clock = new FakeClock(T0);
    const market = new PaperMarket({ clock, seed: 1, instrument: OPTION, startPrice: 100, maxCatchUpSteps: 1000 });
    let events = 0;
    market.onPrice(() => events++);
    clock.jump(8 * 3600_000);
    const p = market.ltpPrice();
    expect(market.stepCount).toBe((8 * 3600_000) / 250);
    expect(events).toBe(1001);
    expect(p).toBeGreaterThan(50);
  });

  it('test hooks: setPrice prints a step, gapTo a gap, freeze holds the price while time passes', () => {
    const clock = new FakeClock(T0);
    const market = new PaperMarket({ clock, seed: 1, instrument: OPTION, startPrice: 100 });
    const seen: PriceEvent[] = [];
    market.onPrice((e) => seen.push(e));
    market.setPrice(101.23);
    expect(market.ltpPrice()).toBe(101.25);
    expect(seen.at(-1)).toMatchObject({ kind: 'step', prev: 2000, ltp: 2025 });
    market.gapTo(95);
    expect(seen.at(-1)).toMatchObject({ kind: 'gap', prev: 2025, ltp: 1900 });
    market.freeze(true);
    clock.jump(10_000);
    expect(market.ltpPrice()).toBe(95);
    expect(seen.length).toBe(2 + 40);
    expect(market.quote()).toMatchObject({ ltp: 95, bid: 94.95, ask: 95.05 });
  });

  it('takes the LTP from a quote source at most once per step ("paper on live data")', async () => {
    const clock = new FakeClock(T0);
    let calls = 0;
    const source = {
      quote: async (): Promise<Quote> => {
        calls++;
        return { ltp: 123.42, bid: 123.4, ask: 123.5, open: null, high: null, low: null, prevClose: null, volume: 1000 };
      },
    };
    const market = new PaperMarket({ clock, seed: 1, instrument: OPTION, startPrice: 100, quoteSource: source });
    await market.update();
    await market.update();
    expect(calls).toBe(1);
    expect(market.quote()).toMatchObject({ ltp: 123.4, bid: 123.4, ask: 123.5, volume: 1000 });
    clock.jump(5_000);
    expect(market.ltpPrice()).toBe(123.4); // no random walk on live data
    await market.update();
    expect(calls).toBe(2);
  });
});
