import { describeError, isBrokerError } from '../broker/errors.js';
import type { EngineContext } from './context.js';
import { applyReport, isOpen, type TrackedOrder } from './order-machine.js';
import { findPlacedOrder } from './place-order.js';
import { rememberOrderId } from './state.js';

// Reading an order's truth from the broker, and cancelling without losing a fill.

/** "Not found" this many times in a row (one per poll) before an order is treated as lost. */
export const MAX_MISSES = 5;

export type RefreshResult = 'ok' | 'missing' | 'lost' | 'error';

/** Ask the broker for an order's status and apply it. Returns quantity newly filled via `order`. */
export async function refreshOrder(ctx: EngineContext, order: TrackedOrder): Promise<{ result: RefreshResult; newlyFilled: number }> {
  if (order.orderId === null) {
    if (order.phase !== 'unknown_outcome' && order.phase !== 'pending_submit') return { result: 'ok', newlyFilled: 0 };
    // A placement whose outcome is unknown (a crash mid-call, or lookups that failed): settle it.
    const { found, lookedUp } = await findPlacedOrder(ctx, order.request, order.placedAt);
    if (found) {
      order.orderId = found.orderId;
      rememberOrderId(ctx.state, found.orderId);
      ctx.log.info('RECOVERY', `${order.role} order found at the broker as ${found.orderId}: adopted`);
    } else {
      if (lookedUp) {
        order.phase = 'cancelled';
        order.reason = 'never reached the broker';
        ctx.log.info('RECOVERY', `${order.role} order never reached the broker`);
      }
      return { result: lookedUp ? 'ok' : 'error', newlyFilled: 0 };
    }
  }
  try {
    const report = await ctx.broker.orderStatus(order.orderId as string);
    const { newlyFilled, refused } = applyReport(order, report);
    if (refused) ctx.log.error('STATE', refused);
    if (report.status === 'rejected' && report.rejectionReason) order.reason = report.rejectionReason;
    return { result: 'ok', newlyFilled };
  } catch (err) {
    if (isBrokerError(err, 'not_found')) {
      order.misses += 1;
      // Right after placement an order can be "not found" for a moment: count before giving up.
      if (order.misses >= MAX_MISSES) {
        ctx.log.warn('ORDER', `${order.role} order ${order.orderId} not found ${order.misses} times: treating it as lost`);
        return { result: 'lost', newlyFilled: 0 };
      }
      return { result: 'missing', newlyFilled: 0 };
    }
    ctx.log.warn('ORDER', `status of ${order.role} ${order.orderId} failed: ${describeError(err)}`);
    return { result: 'error', newlyFilled: 0 };
  }
}

/**
 * Cancel an open order and settle it: whatever filled before the cancel (or instead of it, when
 * the cancel loses the race) is read back and applied. Returns true when the order is closed.
 */
export async function cancelAndSettle(ctx: EngineContext, order: TrackedOrder, why: string): Promise<boolean> {
  (order as TrackedOrder & { retired?: boolean }).retired = true;
  if (!isOpen(order.phase)) return true;
  if (order.orderId === null) {
    await refreshOrder(ctx, order);
    if (order.orderId === null) return !isOpen(order.phase);
  }
  try {
    await ctx.broker.cancelOrder(order.orderId as string);
    ctx.log.info('CANCEL', `${order.role} ${order.orderId} cancelled (${why})`);
  } catch (err) {
    // "Already complete" or "already cancelled": the status read below tells which.
    ctx.log.info('CANCEL', `cancel of ${order.role} ${order.orderId} refused: ${describeError(err)}; re-reading`);
  }
  for (let i = 0; i < 3; i++) {
    const { result } = await refreshOrder(ctx, order);
    if (result === 'ok' && !isOpen(order.phase)) {
      if (order.phase === 'filled') ctx.log.info('CANCEL', `${order.role} ${order.orderId} had already filled ${order.filled}: fill applied`);
      return true;
    }
    if (result === 'lost') {
      order.phase = 'cancelled';
      return true;
    }
    await ctx.clock.sleep(200);
  }
  ctx.log.warn('CANCEL', `${order.role} ${order.orderId} still open after cancel: ${order.phase}`);
  return false;
}
