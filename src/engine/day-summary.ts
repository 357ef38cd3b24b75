import { istParts } from '../time/ist.js';
import { heldQuantity, type EngineState } from './state.js';

/** The day in one line, for the square-off event (journal, alerts). */
export function daySummary(state: EngineState): string {
  const p = state.pnl;
  const net = `${p.realised < 0 ? '-' : '+'}₹${Math.abs(p.realised).toFixed(2)}`;
  const held = heldQuantity(state);
  // The day's charges (out of the realised figure already): brokerage and the statutory charges.
  const paise = state.trades.filter((t) => istParts(t.closedAt).day === p.day).reduce((a, t) => a + Math.round((t.charges?.total ?? 0) * 100), 0);
  const charges = p.trades > 0 ? ` after ₹${(paise / 100).toFixed(2)} charges` : '';
  return `${p.day}: ${p.trades} trade${p.trades === 1 ? '' : 's'} (W${p.wins} L${p.losses}), realised ${net}${charges}; ${held > 0 ? `STILL HOLDING ${held}` : 'flat'}`;
}
