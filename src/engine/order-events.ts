import type { OrderReport } from '../broker/types.js';
import type { OrderPhase } from '../store/types.js';
import type { EngineContext } from './context.js';
import { priceOfIncrement, type OrderEventSource } from './events.js';
import { applyReport, isOpen, phaseOfStatus, type TrackedOrder } from './order-machine.js';
import { noticeStopReport } from './chase-start.js';
import { positionSide } from './state.js';
import { closeAction } from './side.js';

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
  if (isStale(order, report)) {
    // A late or reordered report (a push overtaken by a poll, or a duplicate from before the
    // fill): never move an order backwards.
    ctx.log.debug('ORDER', `stale ${source} report for ${order.role} ${order.orderId}: ${report.status} ${report.filledQuantity} filled after ${order.phase} ${order.filled}: ignored`);
    return { newlyFilled: 0, changed: false };
  }
  const from = order.phase;
  const prevFilled = order.filled;
  const prevAvg = order.avgPrice;
  const { newlyFilled, refused } = applyReport(order, report);
  if (refused) ctx.log.error('STATE', refused);
  noticeStopReport(ctx, order, report);
  if (report.status === 'rejected' && report.rejectionReason) order.reason = report.rejectionReason;
  const changed = order.phase !== from || newlyFilled > 0;
  if (changed) announce(ctx, order, from, source);
  if (order.request.action === closeAction(positionSide(ctx.state))) {
    if (newlyFilled > 0) {
      ctx.log.info(order.phase === 'filled' ? 'FILL' : 'PARTIAL_FILL', `${order.role} ${order.orderId} filled ${order.filled}/${order.request.quantity} @ ₹${(order.avgPrice ?? 0).toFixed(2)}${source === 'push' ? ' (pushed)' : ''}`);
    }
    if (order.phase === 'rejected' && from !== 'rejected') legRejected(ctx, order);
  }
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

/** A report that would reopen a closed order without filling more of it. */
function isStale(order: TrackedOrder, report: OrderReport): boolean {
  if (isOpen(order.phase)) return false;
  const filled = Math.min(report.filledQuantity, order.request.quantity);
  return isOpen(phaseOfStatus(report.status, filled)) && filled <= order.filled;
}

function legRejected(ctx: EngineContext, order: TrackedOrder): void {
  if (order.role === 'stop' && order.request.priceType === 'SL-M') {
    ctx.state.slmRefused = true;
    ctx.log.critical('CRITICAL', `stop SL-M ${order.orderId} rejected after acceptance (${order.reason ?? 'no reason'}): position UNPROTECTED on the downside, re-arming as SL`);
  } else {
    ctx.log.critical('CRITICAL', `${order.role} ${order.orderId} rejected (${order.reason ?? 'no reason'}): position UNPROTECTED, re-arming`);
  }
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
