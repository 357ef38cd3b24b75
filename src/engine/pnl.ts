import { round2 } from '../store/store.js';
import type { TradeRecord } from '../store/types.js';
import { bought, sold, type EngineState } from './state.js';

export interface CostConfig {
  /** ₹ per order leg (entry and exit). */
  brokeragePerLeg: number;
  /** ₹ per round trip, split evenly across its two legs. */
  slippagePerTrade: number;
}

/**
 * The round trip this position made, from the fills the broker reported: gross is what the
 * sells brought in less what the buys cost, on the quantity actually exited.
 */
export function roundTrip(
  state: EngineState,
  costs: CostConfig,
  closedAt: number,
  reason: TradeRecord['reason'],
): TradeRecord | null {
  const b = bought(state);
  const s = sold(state);
  if (s.qty === 0 || b.qty === 0) return null;
  const entry = b.value / b.qty;
  const exit = s.value / s.qty;
  const quantity = Math.min(b.qty, s.qty);
  const gross = round2(s.value - b.value);
  const totalCosts = round2(2 * costs.brokeragePerLeg + costs.slippagePerTrade);
  const entryOrderId = state.orders.find((o) => o.role === 'entry' && o.orderId !== null)?.orderId ?? undefined;
  return {
    ...(entryOrderId ? { entryOrderId } : {}),
    openedAt: state.openedAt ?? closedAt,
    closedAt,
    entry: round2(entry),
    exit: round2(exit),
    quantity,
    reason,
    gross,
    costs: totalCosts,
    net: round2(gross - totalCosts),
  };
}

export function addTrade(state: EngineState, trade: TradeRecord): void {
  state.trades.push(trade);
  if (state.trades.length > 1000) state.trades.splice(0, state.trades.length - 1000);
  state.pnl.realised = round2(state.pnl.realised + trade.net);
  state.pnl.trades += 1;
  if (trade.net > 0) state.pnl.wins += 1;
  else state.pnl.losses += 1;
}

export function unrealised(held: number, avgEntry: number | null, ltp: number | null): { rupees: number; points: number } | null {
  if (held <= 0 || avgEntry === null || ltp === null) return null;
  const points = ltp - avgEntry;
  return { rupees: round2(points * held), points: round2(points) };
}
