import { describe, expect, it } from 'vitest';
import { backtestSettings, feedOf, runBacktest } from '../../src/backtest/backtest.js';
import { extremesOrder } from '../../src/backtest/bar-path.js';
import { runDay } from '../../src/backtest/runner.js';
import { bars, OPTION, repeat, shortDayConfig } from './fixtures.js';

// Hand-made bars whose outcome is known, through the real engine (2 lots × 65 = 130).
const DAY = '2026-11-24'; // a Tuesday

describe('backtest fills on hand-made bars', () => {
  it.each(['auto', 'poll'])('every bar reaches the target: one winning round trip per bar close in the session, each at entry + ₹2 (FEED=%s)', async (feed) => {
    const r = await runBacktest({ instrument: OPTION, bars: bars(DAY, repeat(25, () => [100, 103, 99.5, 100])), intervalMs: 60_000, from: DAY, to: DAY, config: shortDayConfig({ FEED: feed }), path: 'worst' });
    const t = r.figures.total;
    // Bar closes 09:20 … 09:34 signal (15); the 09:35 close is square-off time.
    expect(t.trades).toBe(15);
    expect(r.trades.every((x) => x.reason === 'target' && x.entry === 100 && x.exit === 102 && x.quantity === 130)).toBe(true);
    expect(t.gross).toBe(15 * 260);
    // Each round trip pays the contract note's ₹78.50 (₹40 brokerage + statutory charges: the worked example in the README).
    expect(t.net).toBe(15 * (260 - 78.5));
    expect(t.winRate).toBe(1);
    expect(t.byReason.find((b) => b.reason === 'target')?.trades).toBe(15);
  });

  it('every bar gaps through the stop\'s limit: the stop-limit triggers and rests unfilled, the chase moves it under the price and it fills at the gap', async () => {
    // Entry at 100 on the open; the next bar opens at 95, past the stop (trigger 99, limit 97 at the 2 % slab) — then back to 100.
    const shapes = repeat(25, (i) => (i % 2 === 0 ? [100, 100.5, 99.5, 100] : [95, 100, 95, 100]) as [number, number, number, number]);
    const r = await runBacktest({ instrument: OPTION, bars: bars(DAY, shapes), intervalMs: 60_000, from: DAY, to: DAY, config: shortDayConfig(), path: 'worst', keepLog: true });
    const stops = r.trades.filter((x) => x.reason === 'stop');
    expect(stops.length).toBeGreaterThan(0);
    // Filled at the gap's price (95), never at its limit (97): the limit was skipped.
    expect(stops.every((x) => x.exit === 95)).toBe(true);
    const log = r.days[0]?.log.join('\n') ?? '';
    expect(log).toMatch(/CHASE|chase/);
  });

  it('a steady fall through the stop fills the stop-limit at its trigger (the path trades every price in between)', async () => {
    // Entry at 100; the bar falls steadily to 98 (trigger 99): filled at 99, not left behind.
    const shapes = repeat(25, (i) => (i % 2 === 0 ? [100, 100.5, 99.5, 100] : [100, 100, 98, 100]) as [number, number, number, number]);
    const r = await runBacktest({ instrument: OPTION, bars: bars(DAY, shapes), intervalMs: 60_000, from: DAY, to: DAY, config: shortDayConfig(), path: 'worst' });
    const stops = r.trades.filter((x) => x.reason === 'stop');
    expect(stops.length).toBeGreaterThan(0);
    expect(stops.every((x) => x.exit === 99)).toBe(true);
  });

  it('square-off mid-trade: a position neither leg reaches is sold at market at 09:35', async () => {
    const r = await runBacktest({ instrument: OPTION, bars: bars(DAY, repeat(25, (i) => [100 + i * 0.05, 100.5 + i * 0.05, 99.5 + i * 0.05, 100 + i * 0.05])), intervalMs: 60_000, from: DAY, to: DAY, config: shortDayConfig({ PROFIT_TARGET_RUPEES: '50', STOP_LOSS_RUPEES: '50' }), path: 'worst' });
    expect(r.trades).toHaveLength(1);
    const [t] = r.trades;
    expect(t?.reason).toBe('square_off');
    expect(t?.entry).toBe(100.25); // the 09:20 bar's open
    expect(t?.exit).toBe(101); // the 09:35 bar's open, the price at square-off
  });

  it('a holiday in the range: its day has no bars and is listed as skipped; the days around it replay', async () => {
    const mon = bars('2026-11-23', repeat(25, () => [100, 103, 99.5, 100]));
    const wed = bars('2026-11-25', repeat(25, () => [100, 103, 99.5, 100]));
    const r = await runBacktest({ instrument: OPTION, bars: [...mon, ...wed], intervalMs: 60_000, from: '2026-11-23', to: '2026-11-25', config: shortDayConfig(), path: 'worst' });
    expect(r.days.map((d) => d.day)).toEqual(['2026-11-23', '2026-11-25']);
    expect(r.skipped).toEqual([{ day: '2026-11-24', reason: 'no bars (an exchange holiday, or no data)' }]);
    expect(r.figures.days.map((d) => [d.day, d.trades])).toEqual([['2026-11-23', 15], ['2026-11-25', 15]]);
  });

  it('a guard halt on day 2: the loss limit stops entries for the rest of day 2 only; day 1 and day 3 trade fully', async () => {
    const win = repeat(25, () => [100, 103, 99.5, 100] as [number, number, number, number]);
    const lose = repeat(25, () => [100, 100, 98, 100] as [number, number, number, number]);
    const all = [...bars('2026-11-23', win), ...bars('2026-11-24', lose), ...bars('2026-11-25', win)];
    // Each stop fills at 99 and loses 130 + 40 = ₹170, but the guard marks the position at the
    // bar's low (98: −260 − 40 open): with ₹400 the day crosses it during the second trade.
    const r = await runBacktest({ instrument: OPTION, bars: all, intervalMs: 60_000, from: '2026-11-23', to: '2026-11-25', config: shortDayConfig({ MAX_DAILY_LOSS_RUPEES: '400' }), path: 'worst' });
    expect(r.figures.days.map((d) => [d.day, d.trades])).toEqual([['2026-11-23', 15], ['2026-11-24', 2], ['2026-11-25', 15]]);
    expect(r.days[1]?.notes.some((n) => n.kind === 'halt' && n.message.includes('daily loss limit'))).toBe(true);
    expect(r.days[0]?.notes.some((n) => n.kind === 'halt')).toBe(false);
  });

  it('the path: worst puts the low first for a long, the bar\'s own order otherwise', () => {
    const up = { t: 0, o: 100, h: 103, l: 99, c: 102, v: 0 };
    const down = { ...up, c: 99.5 };
    expect(extremesOrder(up, 'ohlc', 130)).toEqual([103, 99]);
    expect(extremesOrder(down, 'ohlc', 130)).toEqual([99, 103]);
    expect(extremesOrder(up, 'worst', 130)).toEqual([99, 103]);
    expect(extremesOrder(up, 'worst', 0)).toEqual([103, 99]);
  });
});

/** 70 one-minute bars of a seeded walk around ₹100. */
function walkShapes(seed: number): [number, number, number, number][] {
  let x = seed;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  let p = 100;
  return repeat(70, () => {
    const o = p;
    const c = Math.round((o + (rnd() - 0.5) * 3) * 20) / 20;
    p = c;
    return [o, Math.round((Math.max(o, c) + rnd()) * 20) / 20, Math.round((Math.min(o, c) - rnd()) * 20) / 20, c] as [number, number, number, number];
  });
}

describe('the backtest broker', () => {
  it('on the push feed the nets run once per point (quotes) or per data bar (safety poll, reconciliation), with the same round trips as at live rates, exit rules on', async () => {
    const config = shortDayConfig({
      SESSION_WINDOWS: '09:20-10:20', SQUARE_OFF_TIME: '10:20', ENABLE_MARKET_ON_TARGET: 'true', TRAIL_TRIGGER_RUPEES: '1', TRAIL_STEP_RUPEES: '0.5',
      PARTIAL_TARGET_LOTS: '1', PARTIAL_TARGET_RUPEES: '1', TIME_STOP_MINUTES: '2', PROFIT_TARGET_RUPEES: '3',
    });
    const settings = backtestSettings(config, OPTION, 60_000);
    expect([settings.quotePollMs, settings.reconcileMs, feedOf(config, 60_000).safetyPollMs]).toEqual([15_000, 60_000, 60_000]);
    // Polling keeps its rates: there the polls are how the engine sees prices and fills.
    expect([backtestSettings(shortDayConfig({ FEED: 'poll' }), OPTION, 60_000).quotePollMs, backtestSettings(shortDayConfig({ FEED: 'poll' }), OPTION, 60_000).reconcileMs]).toEqual([1_000, 30_000]);
    const day = { day: DAY, bars: bars(DAY, walkShapes(9)), intervalMs: 60_000, instrument: OPTION, path: 'worst' as const, marketOnTarget: true };
    const stretched = await runDay({ ...day, settings, feed: feedOf(config, 60_000) });
    const live = await runDay({ ...day, settings: { ...settings, quotePollMs: 1_000, reconcileMs: 30_000 }, feed: { mode: 'auto', safetyPollMs: 5_000 } });
    expect(stretched.trades.length).toBeGreaterThan(20);
    expect(new Set(stretched.trades.map((t) => t.reason)).size).toBeGreaterThan(2);
    expect(stretched.trades).toEqual(live.trades);
    expect(stretched.wakes).toBeLessThan(live.wakes / 4);
  });

  it('leaving long-settled orders out of the books changes nothing the engine does (same round trips, to the millisecond)', async () => {
    const shapes = walkShapes(5);
    const config = shortDayConfig({ SESSION_WINDOWS: '09:20-10:20', SQUARE_OFF_TIME: '10:20' });
    const settings = backtestSettings(config, OPTION, 60_000);
    const day = { day: DAY, bars: bars(DAY, shapes), intervalMs: 60_000, instrument: OPTION, settings, path: 'worst' as const, marketOnTarget: false };
    const trimmed = await runDay(day);
    const whole = await runDay({ ...day, bookRetentionMs: null });
    expect(trimmed.trades.length).toBeGreaterThan(20);
    expect(trimmed.trades).toEqual(whole.trades);
  });
});
