import type { Segment } from '../broker/segment.js';
import { round2 } from '../store/store.js';
import type { ChargeBreakdown, TradeOrder, TradeRecord } from '../store/types.js';
import { istParts } from '../time/ist.js';
import { computeCharges, toPaise, type Brokerage, type ExecutedOrder } from './charges.js';
import { bought, closed, opened, positionSide, sold, type EngineState } from './state.js';

export interface CostConfig {
  /** How the broker prices each executed order (BROKERAGE). */
  brokerage: Brokerage;
  /** ₹ per round trip: an estimate of slippage, on top of the charges. */
  slippagePerTrade: number;
}

/** Every order of this position with a fill, as one executed order each (however many fills it took). */
export function executedOrders(state: EngineState): TradeOrder[] {
  const out: TradeOrder[] = [];
  for (const o of state.orders) {
    if (o.filled > 0) out.push({ orderId: o.orderId, side: o.request.action, quantity: o.filled, price: o.avgPrice ?? 0 });
  }
  return out;
}

/** The charges of these orders on the IST day of `at`, for this segment. */
export function chargesOf(orders: readonly ExecutedOrder[], costs: CostConfig, segment: Segment, at: number): ChargeBreakdown {
  return computeCharges({ segment, day: istParts(at).day, orders, brokerage: costs.brokerage });
}

/**
 * What closing the position now would cost: the charges of its fills so far plus one more
 * order selling (or buying back) what is still held at `price`, and the slippage estimate.
 */
export function closingCosts(state: EngineState, costs: CostConfig, segment: Segment, price: number, at: number): number {
  const orders: ExecutedOrder[] = executedOrders(state);
  const held = bought(state).qty - sold(state).qty;
  if (held !== 0) orders.push({ side: held > 0 ? 'SELL' : 'BUY', quantity: Math.abs(held), price });
  return (toPaise(chargesOf(orders, costs, segment, at).total) + toPaise(costs.slippagePerTrade)) / 100;
}

/**
 * The round trip this position made, from the fills the broker reported: gross is what the
 * sells brought in less what the buys cost (for a long and a short alike), on the quantity
 * actually exited; entry and exit are the opening and the closing orders' average prices.
 */
export function roundTrip(
  state: EngineState,
  costs: CostConfig,
  segment: Segment,
  closedAt: number,
  reason: TradeRecord['reason'],
): TradeRecord | null {
  const b = bought(state);
  const s = sold(state);
  if (s.qty === 0 || b.qty === 0) return null;
  const open = opened(state);
  const close = closed(state);
  const entry = open.value / open.qty;
  const exit = close.value / close.qty;
  const quantity = Math.min(b.qty, s.qty);
  const gross = round2(s.value - b.value);
  const side = positionSide(state);
  // Charges from the fills (each order once, however many fills it took), on the close's IST day.
  const orders = executedOrders(state);
  const charges = chargesOf(orders, costs, segment, closedAt);
  const totalCosts = (toPaise(charges.total) + toPaise(costs.slippagePerTrade)) / 100;
  const entryOrderId = state.orders.find((o) => o.role === 'entry' && o.orderId !== null)?.orderId ?? undefined;
  return {
    ...(entryOrderId ? { entryOrderId } : {}),
    // Long records stay as they were before sides existed.
    ...(side === 'short' ? { side } : {}),
    openedAt: state.openedAt ?? closedAt,
    closedAt,
    entry: round2(entry),
    exit: round2(exit),
    quantity,
    reason,
    gross,
    costs: totalCosts,
    net: (toPaise(gross) - toPaise(totalCosts)) / 100,
    charges,
    orders,
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
