// Price bars for the chart, built from the same price stream as the LTP (quoteReceived): each
// price lands in the bar of the configured interval that contains its time. Bars are aligned to
// IST midnight like the strategy's own bar schedule (src/engine/schedule.ts), so a 5m chart bar
// is the 5m bar the strategy trades on. The list is bounded and starts afresh each IST day.

import { istParts } from '../time/ist.js';

export interface PriceBar {
  /** Epoch ms the bar opens. */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Prices that went into it. */
  count: number;
}

/** More than the widest chart draws (one bar per column). */
export const BAR_HISTORY_SIZE = 400;

/** Epoch ms of the start of the bar of `barMs` that holds `at`, counted from IST midnight. */
export function barStartOf(at: number, barMs: number): number {
  const { midnight, msOfDay } = istParts(at);
  if (!(barMs > 0) || barMs >= 86_400_000) return midnight;
  return midnight + Math.floor(msOfDay / barMs) * barMs;
}

/**
 * The bars after one more price. Returns a new array (the store's state is immutable); the
 * bars before the last are shared. A price stamped earlier than the last bar (a clock step
 * back) counts in the last bar rather than reordering history.
 */
export function withPrice(bars: readonly PriceBar[], price: number, at: number, barMs: number): PriceBar[] {
  if (!Number.isFinite(price) || !Number.isFinite(at)) return bars.slice();
  const start = barStartOf(at, barMs);
  const last = bars[bars.length - 1];
  if (last && start <= last.start) {
    const next = bars.slice(0, -1);
    next.push({ ...last, high: Math.max(last.high, price), low: Math.min(last.low, price), close: price, count: last.count + 1 });
    return next;
  }
  const fresh: PriceBar = { start, open: price, high: price, low: price, close: price, count: 1 };
  // A new IST day is a new session: yesterday's bars do not belong on today's chart.
  if (last && istParts(last.start).midnight !== istParts(start).midnight) return [fresh];
  const next = bars.length >= BAR_HISTORY_SIZE ? bars.slice(bars.length - BAR_HISTORY_SIZE + 1) : bars.slice();
  next.push(fresh);
  return next;
}
