import { describeError, isBrokerError } from '../broker/errors.js';
import type { OrderReport } from '../broker/types.js';
import type { EngineContext } from './context.js';
import type { OrderEventSource } from './events.js';
import { isOpen, type TrackedOrder } from './order-machine.js';
import { applyOrderReport, markOrder } from './order-events.js';
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

export interface Refreshed {
  result: RefreshResult;
  newlyFilled: number;
  /** The read moved the order's phase or filled quantity. */
  changed: boolean;
}

/** Ask the broker for an order's status and apply it. Returns quantity newly filled via `order`. */
export async function refreshOrder(ctx: EngineContext, order: TrackedOrder, source: OrderEventSource = 'poll'): Promise<Refreshed> {
  if (order.orderId === null) {
    if (order.phase !== 'unknown_outcome' && order.phase !== 'pending_submit') return { result: 'ok', newlyFilled: 0, changed: false };
    // A placement whose outcome is unknown (a crash mid-call, or lookups that failed): settle it.
    const { found, lookedUp } = await findPlacedOrder(ctx, order.request, order.placedAt, idsBefore(order));
    if (found) {
      order.orderId = found.orderId;
      rememberOrderId(ctx.state, found.orderId);
      ctx.emit({ type: 'order_placed', at: ctx.clock.now(), role: order.role, orderId: found.orderId, request: order.request, adopted: true });
      ctx.log.info('RECOVERY', `${order.role} order found at the broker as ${found.orderId}: adopted`);
    } else {
      if (lookedUp) {
        markOrder(ctx, order, 'cancelled', 'never reached the broker', source);
        ctx.log.info('RECOVERY', `${order.role} order never reached the broker`);
      }
      return { result: lookedUp ? 'ok' : 'error', newlyFilled: 0, changed: lookedUp };
    }
  }
  return applyStatusRead(ctx, order, await readStatus(ctx, order.orderId as string), source);
}

/** What one read of an order said, before anything is applied (a read may happen outside the lock). */
export type StatusRead = { kind: 'report'; report: OrderReport } | { kind: 'not_found' } | { kind: 'failed'; message: string };

/** Ask the broker for an order's status: a read only, it changes nothing here. */
export async function readStatus(ctx: EngineContext, orderId: string): Promise<StatusRead> {
  try {
    return { kind: 'report', report: await ctx.broker.orderStatus(orderId) };
  } catch (err) {
    return isBrokerError(err, 'not_found') ? { kind: 'not_found' } : { kind: 'failed', message: describeError(err) };
  }
}

/** Apply a read: a report through the one order path; "not found" counts a miss before an order is written off. */
export function applyStatusRead(ctx: EngineContext, order: TrackedOrder, read: StatusRead, source: OrderEventSource): Refreshed {
  if (read.kind === 'report') return { result: 'ok', ...applyOrderReport(ctx, order, read.report, source) };
  if (read.kind === 'failed') {
    ctx.log.warn('ORDER', `status of ${order.role} ${order.orderId} failed: ${read.message}`);
    return { result: 'error', newlyFilled: 0, changed: false };
  }
  order.misses += 1;
  // Right after placement an order can be "not found" for a moment: count before giving up.
  if (order.misses >= MAX_MISSES && ctx.clock.now() - order.placedAt >= NOT_FOUND_GRACE_MS) {
    ctx.log.warn('ORDER', `${order.role} order ${order.orderId} not found ${order.misses} times: treating it as lost`);
    return { result: 'lost', newlyFilled: 0, changed: false };
  }
  return { result: 'missing', newlyFilled: 0, changed: false };
}

/**
 * Read several orders, applying nothing: one order-book read (it carries fills from one
 * trade-book read) instead of a status call each; an order missing from the book gets its own
 * status call, whose "not found" counts a miss when applied.
 */
export async function readOrders(ctx: EngineContext, orderIds: readonly string[]): Promise<Map<string, StatusRead>> {
  const reads = new Map<string, StatusRead>();
  if (orderIds.length > 1) {
    try {
      const rows = await ctx.broker.orderBook();
      ctx.noticeOrderBook?.(rows);
      const book = new Map(rows.map((r) => [r.orderId, r]));
      for (const id of orderIds) {
        const report = book.get(id);
        if (report) reads.set(id, { kind: 'report', report });
      }
    } catch (err) {
      ctx.log.warn('ORDER', `order book read failed (${describeError(err)}): asking per order`);
    }
  }
  for (const id of orderIds) if (!reads.has(id)) reads.set(id, await readStatus(ctx, id));
  return reads;
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
      markOrder(ctx, order, 'cancelled', 'not found at the broker', 'poll');
      return true;
    }
    // A pushed "cancelled" (or fill) of this order ends the wait at once.
    await ctx.orderNews.sleep(order, 200);
  }
  ctx.log.warn('CANCEL', `${order.role} ${order.orderId} still open after cancel: ${order.phase}`);
  return false;
}
