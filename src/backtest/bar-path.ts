import type { Bar } from './bars.js';

// How one bar becomes prices (the fill rules in the README, each one a test):
//
// - The open arrives as a GAP from the previous close (no prints in between), one millisecond
//   before the bar starts, so the engine's bar-close entry at the bar's first instant buys at it,
//   and a resting limit or stop the open jumps past meets the exchange's gap rules.
// - Then the two extremes and the close, each a steady move (every price in between trades), at
//   a quarter, half and three quarters of the bar: open → high → low → close for a bar that
//   closed up (or flat), open → low → high → close for one that closed down (NautilusTrader's
//   bar execution).
// - `worst` (the default) instead puts the extreme against an open position first: the low for
//   a long, the high for a short; a flat account gets the bar's own order.

export type PathMode = 'worst' | 'ohlc';

export const PATH_MODES: readonly PathMode[] = ['worst', 'ohlc'];

/** The two extremes in the order the path visits them. */
export function extremesOrder(bar: Bar, mode: PathMode, position: number): [number, number] {
  const natural: [number, number] = bar.c >= bar.o ? [bar.h, bar.l] : [bar.l, bar.h];
  if (mode === 'ohlc' || position === 0) return natural;
  return position > 0 ? [bar.l, bar.h] : [bar.h, bar.l];
}

/** When in the bar each point prints, ms after its open: extremes at ¼ and ½, the close at ¾. */
export function pointOffsets(intervalMs: number): [number, number, number] {
  return [Math.floor(intervalMs / 4), Math.floor(intervalMs / 2), Math.floor((3 * intervalMs) / 4)];
}

/** Lead of the open's gap before the bar's first instant. */
export const OPEN_LEAD_MS = 1;
