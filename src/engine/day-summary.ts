import { heldQuantity, type EngineState } from './state.js';

/** The day in one line, for the square-off event (journal, alerts). */
export function daySummary(state: EngineState): string {
  const p = state.pnl;
  const net = `${p.realised < 0 ? '-' : '+'}₹${Math.abs(p.realised).toFixed(2)}`;
  const held = heldQuantity(state);
  return `${p.day}: ${p.trades} trade${p.trades === 1 ? '' : 's'} (W${p.wins} L${p.losses}), realised ${net}; ${held > 0 ? `STILL HOLDING ${held}` : 'flat'}`;
}
