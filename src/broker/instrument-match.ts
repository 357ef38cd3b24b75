import type { PositionRow } from './types.js';

// The one answer to "is this broker row about our instrument?" for orders, trades, positions
// and ticks: the same symbol on the same exchange, case aside (brokers differ in case). A symbol
// alone is not enough: X@NSE and X@BSE are two instruments, and one must never be priced, booked
// or reconciled from the other.

interface Instrument {
  readonly symbol: string;
  readonly exchange: string;
}

export function isOurInstrument(ours: Instrument, row: Instrument): boolean {
  return row.symbol.toUpperCase() === ours.symbol.toUpperCase() && row.exchange.toUpperCase() === ours.exchange.toUpperCase();
}

/** Our row of the position book: our instrument in our product (a broker that leaves the product empty counts). */
export function ourPositionRow(ours: Instrument & { readonly product: string }, rows: readonly PositionRow[]): PositionRow | undefined {
  return rows.find((r) => isOurInstrument(ours, r) && (r.product === '' || r.product.toUpperCase() === ours.product.toUpperCase()));
}
