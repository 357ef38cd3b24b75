import type { TickGrid } from '../broker/ticks.js';
import type { Action } from '../broker/types.js';

// How far a protective limit sits beyond its reference price (a stop-limit's limit under its
// trigger, a marketable LIMIT sent where MARKET is refused, a chased stop under the last price):
// far enough that a fast market still trades it, on the tick grid.

/** STOP_LIMIT_BUFFER: the price slab (auto), a percent of the reference price, or whole ticks. */
export type LimitBuffer = { kind: 'auto' } | { kind: 'percent'; percent: number } | { kind: 'ticks'; ticks: number };

export const AUTO_BUFFER: LimitBuffer = { kind: 'auto' };

/**
 * OpenAlgo's market-protection slab for options (utils/mpp_slab.py): 5 % under ₹10, 3 % up to
 * ₹100, 2 % up to ₹500, 1 % above.
 */
export function slabPercent(price: number): number {
  if (price < 10) return 5;
  if (price <= 100) return 3;
  if (price <= 500) return 2;
  return 1;
}

/** The slab's buffer is never under this many ticks: a one-tick buffer is what a gap skips. */
export const MIN_AUTO_BUFFER_TICKS = 2;

/** The buffer in whole ticks for a reference price of `refTicks` (rounded up: never thinner than asked). */
export function bufferTicks(buffer: LimitBuffer, refTicks: number, grid: TickGrid): number {
  if (buffer.kind === 'ticks') return buffer.ticks;
  const percent = buffer.kind === 'auto' ? slabPercent(grid.fromTicks(refTicks)) : buffer.percent;
  // Percent of a tick count is exact in ticks; the epsilon keeps 3 % of 100.00 at 60 ticks, not 61.
  const ticks = Math.ceil((refTicks * percent) / 100 - 1e-9);
  return Math.max(buffer.kind === 'auto' ? MIN_AUTO_BUFFER_TICKS : 1, ticks);
}

/**
 * The protective limit for an order of `action` against the reference price: a SELL's under it,
 * a BUY's above it; a SELL never below one tick. In ticks.
 */
export function protectiveLimitTicks(action: Action, refTicks: number, buffer: LimitBuffer, grid: TickGrid): number {
  const b = bufferTicks(buffer, refTicks, grid);
  return action === 'SELL' ? Math.max(1, refTicks - b) : refTicks + b;
}

/** `auto`, `2.5%` or `4ticks`, as the README and `config show` spell it. */
export function describeBuffer(buffer: LimitBuffer): string {
  if (buffer.kind === 'auto') return 'auto';
  return buffer.kind === 'percent' ? `${buffer.percent}%` : `${buffer.ticks}ticks`;
}
