import { describeError } from '../broker/errors.js';
import type { OrderReport } from '../broker/types.js';
import type { EngineContext } from './context.js';
import { isOpen, type TrackedOrder } from './order-machine.js';
import { markOrder } from './order-events.js';
import { applyStatusRead, cancelAndSettle, readOrders, refreshOrder, type StatusRead } from './order-sync.js';
import { coverWrongSide, realiseIfFlat } from './position-close.js';
import { ensureProtection, isProtected } from './protection.js';
import { activeLeg, averageEntry, heldQuantity, openOrders, positionSide } from './state.js';
import { closeAction } from './side.js';
import { movePosition } from './position-machine.js';

// One-cancels-other, emulated, in two halves: reading our exit orders from the broker (a poll),
// and acting on what we know of them (settleLegs), which runs the same after a poll as after a
// pushed order update: cancel the sibling of a complete leg, resize legs after partial exits,
// re-arm a leg the broker rejected or lost, close a position that went beyond flat (the wrong side).

export type OcoOutcome = 'flat' | 'protected' | 'unprotected' | 'wrong_side' | 'exiting';

/** Our open closing orders (both legs and any market exit). */
function openExits(ctx: EngineContext): TrackedOrder[] {
  const exits = closeAction(positionSide(ctx.state));
  return openOrders(ctx.state).filter((o) => o.request.action === exits);
}

/**
 * Poll the exit orders. 'full' reads their fills (order book plus trade book) and applies them;
 * 'light' reads the order book alone and goes on to a full read only when it shows something
 * different from what we know (the safety poll while the push feed is trusted). Returns the
 * orders whose state a read changed.
 */
export async function readLegs(ctx: EngineContext, depth: 'full' | 'light' = 'full'): Promise<TrackedOrder[]> {
  const reads = await fetchLegs(ctx, depth);
  return reads ? applyLegReads(ctx, reads) : [];
}

/**
 * The reads of a poll, changing nothing here: the OCO poll runs them outside the engine's lock
 * (a pushed fill must not wait behind its HTTP) and applies them under it. Null: nothing to apply.
 */
export async function fetchLegs(ctx: EngineContext, depth: 'full' | 'light'): Promise<Map<string, StatusRead> | null> {
  const sells = openExits(ctx);
  if (sells.length === 0) return null;
  if (depth === 'light' && !(await lightReadSeesChange(ctx, sells))) return null;
  return readOrders(ctx, sells.flatMap((o) => (o.orderId === null ? [] : [o.orderId])));
}

/**
 * Apply a poll's reads to the exits still open now. A read may be older than a push applied
 * since: the order path never moves an order backwards, and an order closed meanwhile is not
 * touched (a "not found" must not count against it). An exit the reads do not cover (placed
 * since, or its outcome unknown) is read now, as before.
 */
export async function applyLegReads(ctx: EngineContext, reads: Map<string, StatusRead>): Promise<TrackedOrder[]> {
  const changed: TrackedOrder[] = [];
  for (const order of openExits(ctx)) {
    const read = order.orderId === null ? undefined : reads.get(order.orderId);
    if (order.orderId !== null && !read) continue;
    const r = read ? applyStatusRead(ctx, order, read, 'poll') : await refreshOrder(ctx, order, 'poll');
    if (r.result === 'lost') markOrder(ctx, order, 'cancelled', 'not found at the broker', 'poll');
    if (r.changed) changed.push(order);
  }
  return changed;
}

async function lightReadSeesChange(ctx: EngineContext, sells: TrackedOrder[]): Promise<boolean> {
  let book: Map<string, OrderReport>;
  try {
    book = new Map((await ctx.broker.orderBook({ fills: false })).map((r) => [r.orderId, r]));
  } catch (err) {
    ctx.log.warn('ORDER', `order book read failed (${describeError(err)}): reading each order`);
    return true;
  }
  ctx.noticeOrderBook?.([...book.values()]);
  return sells.some((o) => {
    const row = o.orderId === null ? undefined : book.get(o.orderId);
    return row === undefined || differs(o, row);
  });
}

/** A light report says something other than we know (it may not carry fills of open orders). */
function differs(order: TrackedOrder, row: OrderReport): boolean {
  if (row.filledQuantity > order.filled) return true;
  switch (row.status) {
    case 'complete': return order.phase !== 'filled';
    case 'cancelled': return order.phase !== 'cancelled';
    case 'rejected': return order.phase !== 'rejected';
    case 'unknown': return false;
    default: return !isOpen(order.phase);
  }
}

/** A position that a late fill opened has no anchor yet: its own fill price is the honest one. */
function adoptFillAsAnchor(ctx: EngineContext): void {
  const avg = averageEntry(ctx.state);
  if (ctx.state.anchor !== null || avg === null) return;
  ctx.state.anchor = avg;
  ctx.log.warn('ENTRY', `entry filled late: ${heldQuantity(ctx.state)} held @ ₹${avg.toFixed(2)}; protecting it`);
}

/** Act on what we know of the exit orders now, however we learnt it. */
export async function settleLegs(ctx: EngineContext): Promise<OcoOutcome> {
  ctx.commit();
  const held = heldQuantity(ctx.state);
  if (held < 0) {
    await coverWrongSide(ctx);
    await realiseIfFlat(ctx, 'reconcile');
    return 'wrong_side';
  }
  if (held === 0) {
    // A leg completed: cancel its sibling (OCO) and realise the trade.
    for (const leg of [activeLeg(ctx.state, 'target'), activeLeg(ctx.state, 'stop')]) {
      if (leg && isOpen(leg.phase)) await cancelAndSettle(ctx, leg, 'OCO: sibling filled');
    }
    if (heldQuantity(ctx.state) < 0) {
      await coverWrongSide(ctx);
    }
    if (await realiseIfFlat(ctx, 'target') || heldQuantity(ctx.state) <= 0) return 'flat';
    // Settling found a late fill (an entry whose cancel lost to its fill): a position again,
    // protected now rather than left to the next reconciliation.
    adoptFillAsAnchor(ctx);
  }
  if (openOrders(ctx.state).some((o) => o.role === 'exit')) {
    // A market exit is working: legs would over-exit. Its fill is read on the next poll.
    movePosition(ctx, 'exiting');
    ctx.commit();
    return 'exiting';
  }
  await ensureProtection(ctx);
  movePosition(ctx, isProtected(ctx) ? 'protected' : 'unprotected');
  ctx.commit();
  return ctx.state.phase === 'protected' ? 'protected' : 'unprotected';
}

/** A full poll of the legs and what follows from it (the shutdown's keep-alive uses this). */
export async function checkLegs(ctx: EngineContext): Promise<OcoOutcome> {
  await readLegs(ctx, 'full');
  return settleLegs(ctx);
}
