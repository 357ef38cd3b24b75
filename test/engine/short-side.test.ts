import { describe, expect, it } from 'vitest';
import { FUTURE, INSTRUMENT, enterAndProtect, scenario } from './harness.js';
import { parseEngineState } from '../../src/engine/state.js';

process.env.TZ = 'America/New_York';

// DIRECTION=short and alternate on the paper market: the same engine with the side as data —
// a short sells to open, both legs buy back (the target below, the stop above), P&L is what the
// sale brought in less what the buy-back cost.

describe('the short side', () => {
  it('DIRECTION=short on a future: sells to open, the target below and the stop above buy back, the target fills', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { direction: 'short' } });
    await enterAndProtect(s);
    // A future takes SL-M; the trigger is above the fill, the target below.
    expect(s.orders()).toEqual(['SELL 150 MARKET', 'BUY 150 LIMIT @97.95', 'BUY 150 SL-M trg 100.95']);
    expect(s.broker.netQuantity()).toBe(-150);
    const st = s.store.getState();
    expect(st.position).toMatchObject({ phase: 'protected', side: 'short', held: 150, entryFilled: 150, avgEntry: 99.95 });
    expect(s.logs().some((l) => l.includes('STATE=SHORT qty=150 entry=99.95 tp=97.95 sl=100.95'))).toBe(true);

    s.market.setPrice(97.9);
    await s.clock.advance(1_200);
    const after = s.store.getState();
    expect(after.position.phase).toBe('flat');
    expect(s.broker.netQuantity()).toBe(0);
    // Sold 150 @ 99.95, bought back @ 97.95: (99.95 − 97.95) × 150 = ₹300 gross.
    expect(after.tradesToday[0]).toMatchObject({ side: 'short', reason: 'target', entry: 99.95, exit: 97.95, gross: 300, quantity: 150 });
    expect(after.pnl.realised).toBeCloseTo(300 - (after.tradesToday[0]?.costs ?? 0), 2);
  });

  it('on the push feed, a price between a short\'s legs is not taken for a crossing of either (the target is below, the stop above)', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { direction: 'short' }, feed: true });
    await enterAndProtect(s);
    s.market.setPrice(99.5);
    await s.clock.advance(5_000);
    expect(s.logs().filter((l) => l.includes('LTP went through'))).toEqual([]);
    s.market.setPrice(97.9);
    await s.clock.advance(2_000);
    expect(s.store.getState().tradesToday[0]).toMatchObject({ side: 'short', reason: 'target' });
  });

  it('a short stopped out: the price rises through the trigger, the stop buys back, the loss is booked', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { direction: 'short' } });
    await enterAndProtect(s);
    s.market.setPrice(101.2);
    await s.clock.advance(1_500);
    const st = s.store.getState();
    expect(st.position.phase).toBe('flat');
    expect(s.broker.netQuantity()).toBe(0);
    const t = st.tradesToday[0];
    expect(t).toMatchObject({ side: 'short', reason: 'stop', entry: 99.95 });
    expect(t?.gross).toBeLessThan(0);
    // The target was cancelled (OCO), never bought a second time.
    expect(s.broker.placedOrders.filter((o) => o.request.action === 'BUY')).toHaveLength(2);
  });

  it('flatten on a short buys back at market and ends flat', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { direction: 'short' } });
    await enterAndProtect(s);
    s.engine.flatten();
    await s.clock.advance(3_000);
    expect(s.broker.netQuantity()).toBe(0);
    expect(s.orders().slice(3)).toEqual(['BUY 150 MARKET']);
    expect(s.store.getState().tradesToday[0]).toMatchObject({ side: 'short', reason: 'flatten' });
  });

  it('closed outside, then a leg fills: the account goes net LONG (the wrong side) and is sold back', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { direction: 'short' } });
    await enterAndProtect(s);
    // The trader buys back the 150 in the terminal while our legs still work: the target's fill
    // then takes the account long, which the engine must sell.
    s.broker.closePositionExternally();
    s.market.setPrice(97.9);
    await s.clock.advance(40_000);
    expect(s.broker.netQuantity()).toBe(0);
    expect(s.store.getState().position.phase).toBe('flat');
    expect(s.logs().some((l) => l.includes('broker shows net LONG 150: selling'))).toBe(true);
    expect(s.orders().slice(3)).toEqual(['SELL 150 MARKET']);
    // The day's gross is the four fills' (sold 99.95 and 97.85, bought 100.05 and 97.95): −₹30.
    expect(s.store.getState().tradesToday.reduce((a, t) => a + t.gross, 0)).toBeCloseTo(-30, 2);
  });

  it('DIRECTION=alternate flips after each round trip: long, short, long', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { direction: 'alternate' } });
    const trades = (): number => s.store.getState().pnl.trades;
    for (let i = 0; i < 3; i++) {
      await enterAndProtect(s);
      // Through the target, whichever side it is on.
      const target = s.store.getState().legs.target?.price ?? 0;
      s.market.setPrice(s.store.getState().position.side === 'long' ? target + 0.1 : target - 0.1);
      await s.clock.advanceUntil(() => trades() === i + 1, 10_000);
      s.market.setPrice(100);
    }
    expect(s.store.getState().tradesToday.map((t) => t.side ?? 'long')).toEqual(['long', 'short', 'long']);
    const entries = s.broker.placedOrders.filter((o) => o.request.priceType === 'MARKET').map((o) => o.request.action);
    expect(entries).toEqual(['BUY', 'SELL', 'BUY']);
    expect(s.logs().filter((l) => /entry queued/.test(l)).map((l) => /: (\w+) entry queued/.exec(l)?.[1])).toEqual(['long', 'short', 'long']);
  });

  it('a restart mid-short recovers it as SHORT and keeps its legs', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { direction: 'short' } });
    await enterAndProtect(s);
    await s.restart();
    await s.clock.advance(2_000);
    expect(s.logs().some((l) => l.includes('recovered: SHORT 150'))).toBe(true);
    expect(s.store.getState().position).toMatchObject({ side: 'short', held: 150, phase: 'protected' });
    // No second set of legs, no second entry.
    expect(s.orders()).toHaveLength(3);
  });

  it('DIRECTION=short on an option is refused at start without ALLOW_OPTION_WRITING, naming both settings', async () => {
    await expect(scenario({ instrument: INSTRUMENT, settings: { direction: 'short' } })).rejects.toThrow(/invalid DIRECTION = short: NIFTY25000CE@NFO is an option.*ALLOW_OPTION_WRITING=true/);
    const allowed = await scenario({ instrument: INSTRUMENT, settings: { direction: 'short', allowOptionWriting: true } });
    await enterAndProtect(allowed);
    // An option's stop is SL (never SL-M), its limit a buffer above the trigger for a buy-back.
    expect(allowed.orders()[2]).toMatch(/^BUY 150 SL @\d+\.\d+ trg 100\.95$/);
  });

  it('state files from before sides existed load as long, with their old phase names', () => {
    const old = parseEngineState({
      version: 1, phase: 'long_protected', requested: 75, orders: [], anchor: 100, openedAt: 1, slmRefused: false, paused: false,
      marketOnTarget: false, barCount: 1, squaredOffDay: null, protectFailures: 0,
      pnl: { day: '2026-11-24', realised: 0, trades: 0, wins: 0, losses: 0 }, trades: [], knownOrderIds: [], lastSignalBar: null,
    });
    expect(old?.phase).toBe('protected');
    expect(old?.side).toBeUndefined();
  });
});
