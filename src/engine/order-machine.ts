import type { BrokerOrderStatus, OrderReport, OrderRequest } from '../broker/types.js';
import type { OrderPhase } from '../store/types.js';

// The order lifecycle as one table. Any pair not listed is refused. "cancelled → filled" is real:
// a cancel can lose the race against a fill, and the fill is the truth.
const ALLOWED: Record<OrderPhase, readonly OrderPhase[]> = {
  pending_submit: ['working', 'partially_filled', 'filled', 'cancelled', 'rejected', 'unknown_outcome'],
  // Back to pending_submit only when spaced order-book lookups proved the request never arrived.
  unknown_outcome: ['pending_submit', 'working', 'partially_filled', 'filled', 'cancelled', 'rejected', 'unknown_outcome'],
  working: ['working', 'partially_filled', 'filled', 'cancelled', 'rejected'],
  partially_filled: ['partially_filled', 'filled', 'cancelled'],
  cancelled: ['cancelled', 'partially_filled', 'filled'],
  filled: ['filled'],
  rejected: ['rejected'],
};

export function canTransition(from: OrderPhase, to: OrderPhase): boolean {
  return ALLOWED[from].includes(to);
}

export function isOpen(phase: OrderPhase): boolean {
  return phase === 'pending_submit' || phase === 'working' || phase === 'partially_filled' || phase === 'unknown_outcome';
}

export type OrderRole = 'entry' | 'target' | 'stop' | 'exit' | 'cover';

/** An order the engine placed (or means to place), persisted with the state. */
export interface TrackedOrder {
  role: OrderRole;
  orderId: string | null;
  phase: OrderPhase;
  request: OrderRequest;
  filled: number;
  avgPrice: number | null;
  /** When the placement attempt began (clock ms): the order book lookup window starts here. */
  placedAt: number;
  /** Consecutive "not found" answers since placement. */
  misses: number;
  reason?: string;
  /** Replaced by a resize or cancelled by us: no longer the active leg of its role. */
  retired?: boolean;
  /** The gate let an attempt go to the broker: from here it may be working there. */
  sent?: boolean;
  /** A stop the broker has shown as trigger pending: its turning open means it triggered. */
  armed?: boolean;
  /**
   * A protective limit that may rest unfilled (a triggered stop-limit, a LIMIT sent where MARKET
   * was refused) is being chased: since when, how many limit moves were sent, when the last was.
   */
  chase?: ChaseState;
}

export interface ChaseState {
  since: number;
  tries: number;
  at: number;
}

export function newOrder(role: OrderRole, request: OrderRequest, now: number): TrackedOrder {
  return { role, orderId: null, phase: 'pending_submit', request, filled: 0, avgPrice: null, placedAt: now, misses: 0 };
}

/** The broker's word for an order's phase (the inverse of phaseOfStatus). */
export function statusOfPhase(phase: OrderPhase): BrokerOrderStatus {
  switch (phase) {
    case 'filled': return 'complete';
    case 'cancelled': return 'cancelled';
    case 'rejected': return 'rejected';
    case 'partially_filled': return 'partially_filled';
    default: return 'working';
  }
}

export function phaseOfStatus(status: BrokerOrderStatus, filled: number): OrderPhase {
  switch (status) {
    case 'complete': return 'filled';
    case 'rejected': return 'rejected';
    case 'cancelled': return 'cancelled';
    case 'partially_filled': return 'partially_filled';
    case 'working':
    case 'trigger_pending': return filled > 0 ? 'partially_filled' : 'working';
    case 'unknown': return 'unknown_outcome';
  }
}

export interface ApplyResult {
  /** Quantity newly filled by this report. */
  newlyFilled: number;
  /** The report was refused by the transition table (logged by the caller). */
  refused: string | null;
}

/**
 * Apply a broker report to a tracked order. Filled quantity never decreases (a report can be
 * stale); the phase moves only along the table.
 */
export function applyReport(order: TrackedOrder, report: OrderReport): ApplyResult {
  const filled = Math.max(order.filled, Math.min(report.filledQuantity, order.request.quantity));
  const newlyFilled = filled - order.filled;
  const next = phaseOfStatus(report.status, filled);
  order.misses = 0;
  if (newlyFilled > 0) {
    const price = report.averagePrice ?? order.avgPrice;
    order.avgPrice = price;
    order.filled = filled;
  }
  const target: OrderPhase = filled >= order.request.quantity ? 'filled' : next;
  if (!canTransition(order.phase, target)) {
    return { newlyFilled, refused: `order ${order.orderId} ${order.phase} → ${target} is not an allowed transition` };
  }
  order.phase = target;
  return { newlyFilled, refused: null };
}

export function openQuantity(order: TrackedOrder | null): number {
  if (!order || !isOpen(order.phase)) return 0;
  return order.request.quantity - order.filled;
}
