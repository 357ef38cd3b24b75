import type { Action } from '../broker/types.js';

// The side of a position as data. Long buys to open and sells to close; short sells to open and
// buys to close. Every price, crossing and quantity the engine reasons about goes through here,
// so "long" is not assumed anywhere else. Quantities are kept in the side's own terms: held > 0
// is a position on the side, held < 0 is the wrong side (beyond flat in the opposite direction).

export type Side = 'long' | 'short';

/** DIRECTION: which side each trade takes; alternate flips it on every entry. */
export type Direction = Side | 'alternate';

export const SIDES: readonly Side[] = ['long', 'short'];

/** The action that opens a position on this side (and buys back, or sells, the wrong side). */
export function openAction(side: Side): Action {
  return side === 'long' ? 'BUY' : 'SELL';
}

/** The action that closes (reduces) a position on this side: the exits. */
export function closeAction(side: Side): Action {
  return side === 'long' ? 'SELL' : 'BUY';
}

/** +1 for long, −1 for short: a broker's signed net quantity times this is the side's own quantity. */
export function sideSign(side: Side): 1 | -1 {
  return side === 'long' ? 1 : -1;
}

/** `ticks` moved from `base` in the side's favour (a negative `ticks` moves against it). */
export function inFavour(side: Side, base: number, ticks: number): number {
  return base + sideSign(side) * ticks;
}

/** True when `price` is at or beyond `level` in the side's favour (a long's target reached). */
export function reachedInFavour(side: Side, price: number, level: number): boolean {
  return side === 'long' ? price >= level : price <= level;
}

/** True when `price` is at or beyond `level` against the side (a long's stop trigger reached). */
export function reachedAgainst(side: Side, price: number, level: number): boolean {
  return side === 'long' ? price <= level : price >= level;
}

/** The side the next trade takes: DIRECTION, or for alternate the opposite of the last trade's. */
export function nextSide(direction: Direction | undefined, last: Side | null): Side {
  if (direction === 'short') return 'short';
  if (direction === 'alternate') return last === 'long' ? 'short' : 'long';
  return 'long';
}

export function sideLabel(side: Side): 'LONG' | 'SHORT' {
  return side === 'long' ? 'LONG' : 'SHORT';
}

/** The side of a signed net quantity (a broker's position row): null when flat. */
export function sideOfNet(net: number): Side | null {
  return net > 0 ? 'long' : net < 0 ? 'short' : null;
}
