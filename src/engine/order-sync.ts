import { describeError, isBrokerError } from '../broker/errors.js';
import type { OrderReport } from '../broker/types.js';
import type { EngineContext } from './context.js';
import { applyReport, isOpen, type TrackedOrder } from './order-machine.js';
import { idsBefore } from './order-book-snapshot.js';
import { findPlacedOrder } from './place-order.js';
import { rememberOrderId } from './state.js';

// Reading an order's truth from the broker, and cancelling without losing a fill.

/** "Not found" this many times in a row (one per poll) before an order is treated as lost. */
export const MAX_MISSES = 5;
/**
 * …and never sooner than this after it was placed: a burst of reads (a cancel re-reads three
 * times in 0.4 s) must not write off an order the broker simply does not show yet, or it is
 * left working at the broker, untracked.
 */
export const NOT_FOUND_GRACE_MS = 10_000;

export type RefreshResult = 'ok' | 'missing' | 'lost' | 'error';

/** Ask the broker for an order's status and apply it. Returns quantity newly filled via `order`. */
export async function refreshOrder(ctx: EngineContext, order: TrackedOrder): Promise<{ result: RefreshResult; newlyFilled: number }> {
  if (order.orderId === null) {
    if (order.phase !== 'unknown_outcome' && order.phase !== 'pending_submit') return { result: 'ok', newlyFilled: 0 };
    // A placement whose outcome is unknown (a crash mid-call, or lookups that failed): settle it.
    const { found, lookedUp } = await findPlacedOrder(ctx, order.request, order.placedAt, idsBefore(order));
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
      if (order.misses >= MAX_MISSES && ctx.clock.now() - order.placedAt >= NOT_FOUND_GRACE_MS) {
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
 * Refresh several orders with one order-book read (the book carries fills from one trade-book
 * read) instead of a status call each; an order missing from the book falls back to its own
 * status call, which counts "not found" misses.
 */
export async function refreshOrders(ctx: EngineContext, orders: TrackedOrder[]): Promise<Map<TrackedOrder, { result: RefreshResult; newlyFilled: number }>> {
  const results = new Map<TrackedOrder, { result: RefreshResult; newlyFilled: number }>();
  const withIds = orders.filter((o) => o.orderId !== null);
  let book: Map<string, OrderReport> | null = null;
  if (withIds.length > 1) {
    try {
      book = new Map((await ctx.broker.orderBook()).map((r) => [r.orderId, r]));
    } catch (err) {
      ctx.log.warn('ORDER', `order book read failed (${describeError(err)}): asking per order`);
    }
  }
  for (const order of orders) {
    const report = order.orderId !== null ? book?.get(order.orderId) : undefined;
    if (!report) {
      results.set(order, await refreshOrder(ctx, order));
      continue;
    }
    const { newlyFilled, refused } = applyReport(order, report);
    if (refused) ctx.log.error('STATE', refused);
    if (report.status === 'rejected' && report.rejectionReason) order.reason = report.rejectionReason;
    results.set(order, { result: 'ok', newlyFilled });
  }
  return results;
}

/**
 * Cancel an open order and settle it: whatever filled before the cancel (or instead of it, when
 * the cancel loses the race) is read back and applied. Returns true when the order is closed.
 */
export async function cancelAndSettle(ctx: EngineContext, order: TrackedOrder, why: string): Promise<boolean> {
  order.retired = true;
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
