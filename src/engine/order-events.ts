import type { OrderReport } from '../broker/types.js';
import type { OrderPhase } from '../store/types.js';
import type { EngineContext } from './context.js';
import { priceOfIncrement, type OrderEventSource } from './events.js';
import { applyReport, type TrackedOrder } from './order-machine.js';

// The one way an order of ours takes a new state from what the broker said, however it was
// learnt (a push, a poll, a reconciliation, recovery): the table decides, then the change is
// announced once.

export interface AppliedReport {
  /** Quantity newly filled by this report. */
  newlyFilled: number;
  /** The phase or the filled quantity moved. */
  changed: boolean;
}

export function applyOrderReport(ctx: EngineContext, order: TrackedOrder, report: OrderReport, source: OrderEventSource): AppliedReport {
  const from = order.phase;
  const prevFilled = order.filled;
  const prevAvg = order.avgPrice;
  const { newlyFilled, refused } = applyReport(order, report);
  if (refused) ctx.log.error('STATE', refused);
  if (report.status === 'rejected' && report.rejectionReason) order.reason = report.rejectionReason;
  const changed = order.phase !== from || newlyFilled > 0;
  if (changed) announce(ctx, order, from, source);
  if (newlyFilled > 0) {
    const price = priceOfIncrement(prevFilled, prevAvg, order.filled, order.avgPrice) ?? order.avgPrice ?? 0;
    ctx.emit({ type: 'fill', at: ctx.clock.now(), role: order.role, orderId: order.orderId, action: order.request.action, quantity: newlyFilled, price, source });
  }
  return { newlyFilled, changed };
}

/** A phase the engine concluded itself (lost at the broker, never reached it, refused on placing). */
export function markOrder(ctx: EngineContext, order: TrackedOrder, phase: OrderPhase, reason: string | undefined, source: OrderEventSource): void {
  const from = order.phase;
  order.phase = phase;
  if (reason !== undefined) order.reason = reason;
  if (from !== phase) announce(ctx, order, from, source);
}

function announce(ctx: EngineContext, order: TrackedOrder, from: OrderPhase, source: OrderEventSource): void {
  const event = {
    type: 'order_changed' as const,
    at: ctx.clock.now(),
    role: order.role,
    orderId: order.orderId,
    request: order.request,
    from,
    to: order.phase,
    filled: order.filled,
    avgPrice: order.avgPrice,
    source,
  };
  ctx.emit(order.reason !== undefined ? { ...event, reason: order.reason } : event);
}
