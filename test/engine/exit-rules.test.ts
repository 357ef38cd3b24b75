import { describe, expect, it } from 'vitest';
import { FUTURE, enterAndProtect, scenario } from './harness.js';
import { NO_EXIT_RULES, plannedStop, type ExitRules, type TrailInput } from '../../src/engine/trail-plan.js';

process.env.TZ = 'America/New_York';

// Exits that follow the trade (TRAIL_*, BREAKEVEN_AFTER_RUPEES, TIME_STOP_MINUTES) on the paper
// market: the default trade is 2 lots of a ₹100 option, entry 100.05, target 102.05, stop 99.05.

const rules = (r: Partial<ExitRules>): ExitRules => ({ ...NO_EXIT_RULES, ...r });
const stopOf = (s: Awaited<ReturnType<typeof scenario>>) => s.store.getState().legs.stop;

describe('the rule: where the stop belongs', () => {
  const base: TrailInput = { side: 'long', entry: 2000, best: 2000, initial: 1980, current: 1980, ltp: 2000, minGap: 1, breakeven: 2002, trailTrigger: 20, trailStep: 10, trailMode: 'continuous', breakevenAfter: 0 };

  it('continuous: armed at the trigger, the stop trails the best price by the step; it only tightens', () => {
    expect(plannedStop({ ...base, best: 2019, ltp: 2019 })).toBeNull(); // not armed yet
    expect(plannedStop({ ...base, best: 2020, ltp: 2020 })).toEqual({ trigger: 2010, origin: 'trail' });
    // The price fell back: the best stays, the stop does not loosen.
    expect(plannedStop({ ...base, best: 2030, ltp: 2012, current: 2020 })).toBeNull();
    expect(plannedStop({ ...base, best: 2030, ltp: 2030, current: 2015 })).toEqual({ trigger: 2020, origin: 'trail' });
  });

  it('stepped: one step of stop for every step of move past the trigger', () => {
    const stepped = { ...base, trailMode: 'stepped' as const };
    expect(plannedStop({ ...stepped, best: 2020, ltp: 2020 })).toEqual({ trigger: 1990, origin: 'trail' });
    expect(plannedStop({ ...stepped, best: 2029, ltp: 2029, current: 1990 })).toBeNull();
    expect(plannedStop({ ...stepped, best: 2030, ltp: 2030, current: 1990 })).toEqual({ trigger: 2000, origin: 'trail' });
  });

  it('break-even goes to entry + charges; the tighter rule wins; never at or through the last price', () => {
    const be = { ...base, trailTrigger: 0, trailStep: 0, breakevenAfter: 10 };
    expect(plannedStop({ ...be, best: 2010, ltp: 2010 })).toEqual({ trigger: 2002, origin: 'breakeven' });
    // In favour by 10 at the best, but the price is back at 2002: the trigger stays a tick under it.
    expect(plannedStop({ ...be, best: 2010, ltp: 2002 })).toEqual({ trigger: 2001, origin: 'breakeven' });
    expect(plannedStop({ ...base, breakevenAfter: 10, best: 2040, ltp: 2040 })).toEqual({ trigger: 2030, origin: 'trail' });
  });

  it('a short mirrors it: the stop falls with the best (lowest) price', () => {
    const short: TrailInput = { ...base, side: 'short', initial: 2020, current: 2020, breakeven: 1998 };
    expect(plannedStop({ ...short, best: 1980, ltp: 1980 })).toEqual({ trigger: 1990, origin: 'trail' });
    expect(plannedStop({ ...short, best: 1980, ltp: 1985, current: 1990 })).toBeNull();
  });
});

describe('exit rules on the paper market', () => {
  it('trail then target: the stop follows the price up by one modify each (trigger and limit together), the target still fills', async () => {
    const s = await scenario({ settings: { exits: rules({ trailTrigger: 1, trailStep: 0.5 }) } });
    await enterAndProtect(s);
    expect(stopOf(s)).toMatchObject({ trigger: 99.05 });
    s.market.setPrice(101.1);
    await s.clock.advance(1_200);
    // Best 101.10 − 0.50 = 100.60; an SL's limit moves with it (the buffer under the trigger).
    expect(stopOf(s)).toMatchObject({ trigger: 100.6 });
    expect(s.broker.modifyRequests).toHaveLength(1);
    expect(s.broker.modifyRequests[0]?.request).toMatchObject({ priceType: 'SL', triggerPrice: 100.6, price: 98.55 });
    expect(s.logs().some((l) => /\[TRAIL\] stop \d+ 99\.05 → 100\.60 ↑ \(best 101\.10/.test(l))).toBe(true);
    s.market.setPrice(101.6);
    await s.clock.advance(1_200);
    expect(stopOf(s)).toMatchObject({ trigger: 101.1 });
    s.market.setPrice(102.1);
    await s.clock.advance(1_500);
    const t = s.store.getState().tradesToday[0];
    expect(t).toMatchObject({ reason: 'target' });
    expect(s.broker.netQuantity()).toBe(0);
  });

  it('trail then stop: the moved stop fills, the round trip is booked as trail, the journal line says so', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: rules({ trailTrigger: 1, trailStep: 0.5 }) } });
    await enterAndProtect(s);
    s.market.setPrice(101.5);
    await s.clock.advance(1_200);
    expect(stopOf(s)).toMatchObject({ type: 'SL-M', trigger: 101 });
    s.market.setPrice(100.9);
    await s.clock.advance(1_500);
    const t = s.store.getState().tradesToday[0];
    expect(t).toMatchObject({ reason: 'trail' });
    expect(t?.net).toBeGreaterThan(0);
  });

  it('a burst of ticks becomes at most one modify per TRAIL_MIN_INTERVAL_MS, the latest price winning', async () => {
    // On the push feed: every tick reaches the engine (a quote poll would see one a second).
    const s = await scenario({ instrument: FUTURE, feed: true, settings: { exits: rules({ trailTrigger: 0.5, trailStep: 0.5, minIntervalMs: 1_000 }) } });
    await enterAndProtect(s);
    for (let i = 1; i <= 10; i++) {
      s.market.setPrice(100.5 + i * 0.1);
      await s.clock.advance(50);
    }
    await s.clock.advance(1_500);
    // 10 ticks in 500 ms: the first move at once, then one more at the interval, at the best then (101.50 − 0.50).
    expect(s.broker.modifyRequests.length).toBeLessThanOrEqual(2);
    expect(stopOf(s)).toMatchObject({ trigger: 101 });
    const at = s.broker.modifyRequests.map((m) => m.at);
    for (let i = 1; i < at.length; i++) expect((at[i] ?? 0) - (at[i - 1] ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('break-even: in favour by BREAKEVEN_AFTER_RUPEES, the stop goes to entry plus the charges per unit', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: rules({ breakevenAfter: 1 }) } });
    await enterAndProtect(s);
    s.market.setPrice(101.1);
    await s.clock.advance(1_200);
    const trigger = stopOf(s)?.trigger ?? 0;
    // Entry 100.05 plus the round trip's charges over 150 (two ₹20 orders and the statutory charges: a few tenths).
    expect(trigger).toBeGreaterThan(100.05);
    expect(trigger).toBeLessThan(100.6);
    expect(s.logs().some((l) => l.includes("[BREAKEVEN]") && l.includes("entry plus the round trip's charges"))).toBe(true);
    s.market.setPrice(trigger - 0.1);
    await s.clock.advance(1_500);
    const t = s.store.getState().tradesToday[0];
    expect(t).toMatchObject({ reason: 'breakeven' });
    // A true break-even: the net is about zero (what the stop's fill slipped past the trigger, at most).
    expect(Math.abs(t?.net ?? 99)).toBeLessThan(0.2 * 150);
  });

  it('a refused modify is settled by reading the order, never by a second stop; the move is retried at the next interval', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: rules({ trailTrigger: 1, trailStep: 0.5 }) } });
    await enterAndProtect(s);
    s.broker.injectOnce('serverError', { call: 'modifyOrder', count: 1 });
    s.market.setPrice(101.2);
    await s.clock.advance(1_200);
    expect(s.logs().some((l) => /\[TRAIL\] stop \d+ not moved to 100\.70 .*: reading it/.test(l))).toBe(true);
    await s.clock.advance(600);
    // Retried at the next interval; one stop at the broker throughout.
    const stops = s.broker.placedOrders.filter((o) => o.request.priceType === 'SL-M' || o.request.priceType === 'SL');
    expect(stops).toHaveLength(1);
    expect(stopOf(s)).toMatchObject({ trigger: 100.7 });
  });

  it('time stop: a position open TIME_STOP_MINUTES is closed at market, booked as time', async () => {
    const s = await scenario({ settings: { exits: rules({ timeStopMinutes: 0.5 }) } });
    await enterAndProtect(s);
    const opened = s.clock.now();
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'flat', 60_000);
    expect(s.clock.now() - opened).toBeGreaterThanOrEqual(28_000);
    expect(s.clock.now() - opened).toBeLessThan(33_000);
    expect(s.store.getState().tradesToday[0]).toMatchObject({ reason: 'time' });
    expect(s.logs().some((l) => l.includes('[TIME] position open 0.5 min (TIME_STOP_MINUTES): closing 150 at market'))).toBe(true);
    expect(s.broker.netQuantity()).toBe(0);
  });

  it('restart mid-trail: the moved stop is kept, the trail resumes from the saved best and never loosens', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: rules({ trailTrigger: 1, trailStep: 0.5 }) } });
    await enterAndProtect(s);
    s.market.setPrice(101.5);
    await s.clock.advance(1_200);
    expect(stopOf(s)).toMatchObject({ trigger: 101 });
    s.market.setPrice(101.3);
    await s.restart();
    await s.clock.advance(2_000);
    expect(stopOf(s)).toMatchObject({ trigger: 101 });
    expect(s.stateFile.saved?.trail).toMatchObject({ trigger: 101, origin: 'trail', from: 99.05, best: 101.5 });
    s.market.setPrice(101.8);
    await s.clock.advance(1_200);
    expect(stopOf(s)).toMatchObject({ trigger: 101.3 });
  });

  it('a short trails down', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { direction: 'short', exits: rules({ trailTrigger: 1, trailStep: 0.5 }) } });
    await enterAndProtect(s);
    expect(stopOf(s)).toMatchObject({ trigger: 100.95 });
    s.market.setPrice(98.8);
    await s.clock.advance(1_200);
    expect(stopOf(s)).toMatchObject({ trigger: 99.3 });
    expect(s.logs().some((l) => /\[TRAIL\] stop \d+ 100\.95 → 99\.30 ↓/.test(l))).toBe(true);
  });

  it('TRAIL_TRIGGER_RUPEES without a step is refused at start, naming both settings', async () => {
    await expect(scenario({ settings: { exits: rules({ trailTrigger: 1 }) } })).rejects.toThrow(/invalid TRAIL_STEP_RUPEES = 0: TRAIL_TRIGGER_RUPEES = 1 arms a trailing stop/);
  });
});

describe('the *_PERCENT forms', () => {
  it('each distance may be a percent of the entry: 1 % of 100.05 arms the trail, 0.5 % trails by 0.50', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: rules({ trailTriggerPercent: 1, trailStepPercent: 0.5 }) } });
    await enterAndProtect(s);
    s.market.setPrice(100.9);
    await s.clock.advance(1_200);
    expect(stopOf(s)).toMatchObject({ trigger: 99.05 }); // 0.85 in favour: not armed (1 % is 1.00)
    s.market.setPrice(101.1);
    await s.clock.advance(1_200);
    expect(stopOf(s)).toMatchObject({ trigger: 100.6 }); // 101.10 − 0.50 (0.5 % of 100.05 on the grid)
  });

  it('a distance given both ways is refused at start, naming both', async () => {
    await expect(scenario({ settings: { exits: rules({ breakevenAfter: 1, breakevenAfterPercent: 1 }) } })).rejects.toThrow(/invalid BREAKEVEN_AFTER_PERCENT = 1: BREAKEVEN_AFTER_RUPEES = 1 is set too/);
  });
});

describe('the partial target', () => {
  const partial = rules({ partialLots: 1, partialRupees: 1 });

  it('books PARTIAL_TARGET_LOTS at market once the price is that far in favour, legs cut to the rest first; the rest stops out at break-even', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: partial } });
    await enterAndProtect(s);
    s.market.setPrice(101.1);
    await s.clock.advance(1_500);
    expect(s.broker.netQuantity()).toBe(75);
    // Both legs cut to 75 (one modify each) before the sale; the stop then moved to break-even.
    const cuts = s.broker.modifyRequests.slice(0, 2);
    expect(cuts.map((m) => m.request.quantity)).toEqual([75, 75]);
    expect(s.broker.modifyRequests).toHaveLength(3); // and the break-even move
    expect(s.orders().slice(3)).toEqual(['SELL 75 MARKET']);
    const placedSale = s.broker.placedOrders.findIndex((o) => o.request.priceType === 'MARKET' && o.request.action === 'SELL');
    expect(Math.max(...cuts.map((c) => c.at))).toBeLessThanOrEqual(s.broker.placedOrders[placedSale]?.at ?? 0);
    const stop = stopOf(s);
    expect(stop).toMatchObject({ quantity: 75, moved: { origin: 'breakeven' } });
    expect(stop?.trigger ?? 0).toBeGreaterThan(100.05);
    expect(s.logs().some((l) => l.includes('[PARTIAL] booked 75/75'))).toBe(true);
    // The rest stops out at break-even: one round trip, booked as break-even, the partial's profit in it.
    s.market.setPrice((stop?.trigger ?? 0) - 0.05);
    await s.clock.advance(1_500);
    expect(s.broker.netQuantity()).toBe(0);
    const t = s.store.getState().tradesToday;
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ reason: 'breakeven', quantity: 150 });
    expect(t[0]?.net).toBeGreaterThan(0);
  });

  it('the partial target then the target: the rest fills at the target', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: partial } });
    await enterAndProtect(s);
    s.market.setPrice(101.1);
    await s.clock.advance(1_500);
    s.market.setPrice(102.1);
    await s.clock.advance(1_500);
    expect(s.broker.netQuantity()).toBe(0);
    expect(s.store.getState().tradesToday[0], JSON.stringify(s.logs().slice(-12))).toMatchObject({ reason: 'target', quantity: 150 });
    // Booked once, never again after the price came back through its level.
    expect(s.orders().filter((o) => o === 'SELL 75 MARKET')).toHaveLength(1);
  });

  for (const feed of [false, true]) {
    it(`the cut target fills while the partial sale hangs: the stop beside the sale is cancelled at once, never both filled (${feed ? 'push' : 'polling'})`, async () => {
      const s = await scenario({ instrument: FUTURE, feed, settings: { exits: partial } });
      await enterAndProtect(s);
      s.broker.setFaults({ marketHangMs: 3_000 });
      s.market.setPrice(101.1);
      await s.clock.advanceUntil(() => s.orders().includes('SELL 75 MARKET'), 2_000, 10);
      s.market.setPrice(102.1); // the target (cut to 75) fills; the sale still hangs
      const filledAt = s.clock.now();
      await s.clock.advanceUntil(() => s.broker.cancelRequests.length > 0, 2_000, 10);
      // Push: at once. Polling: the confirmation's once-a-second position read finds it.
      expect(s.clock.now() - filledAt).toBeLessThanOrEqual(feed ? 20 : 1_050);
      expect(s.logs().some((l) => l.includes('would over-exit, cancelling it'))).toBe(true);
      await s.clock.advance(4_000);
      expect(s.broker.netQuantity()).toBe(0);
      expect(s.store.getState().position.phase).toBe('flat');
      expect(s.store.getState().tradesToday).toHaveLength(1);
    });
  }

  it('a restart after the partial was taken does not book it again; the legs cover the rest', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: partial } });
    await enterAndProtect(s);
    s.market.setPrice(101.1);
    await s.clock.advance(1_500);
    await s.restart();
    await s.clock.advance(3_000);
    expect(s.orders().filter((o) => o === 'SELL 75 MARKET')).toHaveLength(1);
    expect(s.store.getState().position).toMatchObject({ held: 75, phase: 'protected' });
    expect(stopOf(s)).toMatchObject({ quantity: 75 });
  });

  it('PARTIAL_TARGET_LOTS must be fewer than LOTS, and needs its distance', async () => {
    await expect(scenario({ settings: { exits: rules({ partialLots: 2, partialRupees: 1 }) } })).rejects.toThrow(/invalid PARTIAL_TARGET_LOTS = 2: it must be fewer than LOTS = 2/);
    await expect(scenario({ settings: { exits: rules({ partialLots: 1 }) } })).rejects.toThrow(/invalid PARTIAL_TARGET_RUPEES = 0: PARTIAL_TARGET_LOTS = 1/);
  });
});

describe('the exit rules with the chase and the lock', () => {
  it('trail, then a gap through the moved stop-limit: the chase takes over (no trail move on a triggered stop) and the position ends flat, booked as trail', async () => {
    const s = await scenario({ feed: true, settings: { exits: rules({ trailTrigger: 1, trailStep: 0.5 }) } });
    await enterAndProtect(s);
    s.market.setPrice(101.6);
    await s.clock.advance(1_200);
    expect(stopOf(s)).toMatchObject({ type: 'SL', trigger: 101.1 });
    const moves = s.broker.modifyRequests.length;
    // Straight past the moved trigger and its limit: the stop triggers and rests unfilled.
    s.market.gapTo(97);
    await s.clock.advanceUntil(() => s.broker.netQuantity() === 0, 10_000, 50);
    // Only the chase modified it since (its limit, the trigger kept).
    const after = s.broker.modifyRequests.slice(moves);
    expect(after.length).toBeGreaterThan(0);
    for (const m of after) expect(m.request.triggerPrice).toBe(101.1);
    await s.clock.advance(2_000);
    expect(s.engine.state.trades.at(-1)).toMatchObject({ reason: 'trail', quantity: 150 });
    expect(s.broker.openOrderIds()).toHaveLength(0);
  });

  it('the time stop while a stop move is in flight: the move finishes first (one task at a time), then the exit; one stop throughout', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: rules({ trailTrigger: 0.5, trailStep: 0.5, timeStopMinutes: 0.5 }) } });
    await enterAndProtect(s);
    const opened = s.engine.state.openedAt ?? 0;
    // A slow modify (3 s) sent just before the time stop is due.
    await s.clock.advanceUntil(() => s.clock.now() >= opened + 28_000, 60_000, 100);
    s.broker.injectOnce('latencyMs', { call: 'modifyOrder', ms: 3_000 });
    s.market.setPrice(100.8);
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'flat', 30_000, 50);
    expect(s.broker.modifyRequests.filter((m) => m.outcome === 'modified')).toHaveLength(1);
    expect(s.engine.state.trades.at(-1)).toMatchObject({ reason: 'time' });
    expect(s.broker.placedOrders.filter((o) => o.request.priceType === 'SL-M')).toHaveLength(1);
    expect(s.broker.netQuantity()).toBe(0);
    expect(s.broker.openOrderIds()).toHaveLength(0);
  });
});

describe('what the legs panel is told', () => {
  it('stepped: the next step\'s price; continuous: one tick past the best', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: rules({ trailTrigger: 1, trailStep: 0.5, trailMode: 'stepped' }) } });
    await enterAndProtect(s);
    s.market.setPrice(101.1);
    await s.clock.advance(1_200);
    // One step (99.05 → 99.55); the next at entry + 1.00 + 0.50 = 101.55.
    expect(stopOf(s)).toMatchObject({ trigger: 99.55, moved: { origin: 'trail', from: 99.05, next: 101.55 } });
    const c = await scenario({ instrument: FUTURE, settings: { exits: rules({ trailTrigger: 1, trailStep: 0.5 }) } });
    await enterAndProtect(c);
    c.market.setPrice(101.1);
    await c.clock.advance(1_200);
    expect(stopOf(c)).toMatchObject({ trigger: 100.6, moved: { best: 101.1, next: 101.15 } });
  });

  it('PARTIAL_TARGET_PERCENT: the partial target 1 % of the entry in favour', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: rules({ partialLots: 1, partialPercent: 1 }) } });
    await enterAndProtect(s);
    s.market.setPrice(101.0);
    await s.clock.advance(1_500);
    expect(s.broker.netQuantity()).toBe(150); // 0.95 in favour: 1 % of 100.05 is 1.00
    s.market.setPrice(101.05);
    await s.clock.advance(1_500);
    expect(s.broker.netQuantity()).toBe(75);
  });
});

describe('a stop move and a crash', () => {
  it('the move is saved before it is sent: a restart while it is in flight never believes the older, looser trigger', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { exits: rules({ trailTrigger: 1, trailStep: 0.5 }) } });
    await enterAndProtect(s);
    s.broker.injectOnce('latencyMs', { call: 'modifyOrder', ms: 2_000 });
    s.market.setPrice(101.5);
    await s.clock.advanceUntil(() => s.broker.modifyRequests.length > 0, 5_000, 50);
    // In flight: the file already has the new trigger.
    expect(s.stateFile.saved?.trail).toMatchObject({ trigger: 101 });
    await s.restart();
    await s.clock.advance(3_000);
    expect(stopOf(s)).toMatchObject({ trigger: 101 });
    // Every move the broker took only tightened the stop.
    const triggers = s.broker.modifyRequests.filter((m) => m.outcome === 'modified').map((m) => m.request.triggerPrice ?? 0);
    for (let i = 1; i < triggers.length; i++) expect(triggers[i]).toBeGreaterThanOrEqual(triggers[i - 1] ?? 0);
  });
});
