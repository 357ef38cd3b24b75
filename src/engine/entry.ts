import { ourPositionRow } from '../broker/instrument-match.js';
import { describeError } from '../broker/errors.js';
import type { EngineContext } from './context.js';
import { pause } from './context.js';
import { isOpen } from './order-machine.js';
import { cancelAndSettle, refreshOrder } from './order-sync.js';
import { placeAtMarket } from './market-order.js';
import { resetToFlat } from './position-close.js';
import { ensureProtection, isProtected } from './protection.js';
import { entryOrder, heldQuantity, nextTradeSide, positionSide } from './state.js';
import { openAction, sideSign } from './side.js';
import { movePosition } from './position-machine.js';

// The entry: MARKET BUY for a long, MARKET SELL for a short (DIRECTION), confirmed with progressive backoff; a fill that stays partial has its
// rest cancelled and what filled is protected; an outcome still unknown is settled by the
// position book, and what the broker holds is protected.

export const ENTRY_CONFIRM_ATTEMPTS = 5;
export const ENTRY_BACKOFF_MS = 300;

export async function enter(ctx: EngineContext, signalLtp: number | null): Promise<void> {
  const qty = ctx.settings.lots * ctx.lotSize;
  const s = ctx.state;
  movePosition(ctx, 'entering');
  // The side is chosen with the entry and saved with it: a restart mid-entry knows it.
  s.side = nextTradeSide(s, ctx.settings.direction);
  const action = openAction(s.side);
  s.requested = qty;
  s.openedAt = ctx.clock.now();
  s.anchor = null;
  ctx.commit();
  ctx.log.info('ENTRY', `MARKET ${action} ${qty} ${ctx.settings.symbol} (${ctx.settings.lots} × ${ctx.lotSize})${s.side === 'short' ? ' — short' : ''}`);
  const outcome = await placeAtMarket(ctx, { role: 'entry', action, quantity: qty });
  if (outcome.kind === 'rejected' || outcome.kind === 'failed') {
    ctx.log.error('ENTRY', `entry not placed: ${outcome.message}`);
    resetToFlat(ctx);
    return;
  }
  const order = outcome.order;
  for (let attempt = 1; attempt <= ENTRY_CONFIRM_ATTEMPTS; attempt++) {
    if (!(await pause(ctx, ENTRY_BACKOFF_MS * attempt))) break; // flatten or quit asked: stop waiting
    await refreshOrder(ctx, order);
    ctx.commit();
    if (!isOpen(order.phase)) break;
  }
  if (isOpen(order.phase) && order.orderId !== null) {
    // Still working (a partial that stays partial, or no fill yet): cancel the rest.
    await cancelAndSettle(ctx, order, 'entry not filled in time');
  }
  if (order.filled === 0 && (order.orderId === null || isOpen(order.phase))) {
    await settleFromPositionBook(ctx);
  }
  const held = heldQuantity(s);
  if (held <= 0) {
    ctx.log.warn('ENTRY', `entry got no fill (${order.phase}${order.reason ? `: ${order.reason}` : ''})`);
    if (isOpen(order.phase)) {
      // Its cancel is not confirmed (or its outcome is unknown): it may still fill. Forgetting
      // it would leave a position nobody protects; the OCO poll keeps cancelling it instead,
      // and a late fill is reconciled and protected.
      ctx.log.warn('ENTRY', `entry ${order.orderId ?? '(outcome unknown)'} not confirmed cancelled: following it`);
      movePosition(ctx, 'exiting');
      ctx.commit();
      return;
    }
    resetToFlat(ctx);
    return;
  }
  const avg = order.avgPrice ?? ctx.ltp ?? 0;
  if (held < qty) {
    ctx.log.warn('PARTIAL_FILL', `Entry filled ${held}/${qty} @ ₹${avg.toFixed(2)}`);
  } else {
    ctx.log.info('ENTRY', `filled ${held}/${qty} @ ₹${avg.toFixed(2)}`);
  }
  s.anchor = ctx.settings.ignoreEntryDelta || signalLtp === null ? avg : signalLtp;
  movePosition(ctx, 'unprotected');
  ctx.commit();
  await ensureProtection(ctx);
  movePosition(ctx, isProtected(ctx) ? 'protected' : 'unprotected');
  ctx.commit();
}

/** The entry's outcome is unknown: what the broker holds is what we protect. */
async function settleFromPositionBook(ctx: EngineContext): Promise<void> {
  const entry = entryOrder(ctx.state);
  if (!entry) return;
  try {
    const rows = await ctx.broker.positionBook();
    const row = ourPositionRow(ctx.settings, rows);
    const qty = Math.min(sideSign(positionSide(ctx.state)) * (row?.quantity ?? 0), entry.request.quantity);
    if (qty > 0) {
      entry.filled = qty;
      entry.avgPrice = row?.averagePrice ?? ctx.ltp;
      entry.phase = qty >= entry.request.quantity ? 'filled' : 'partially_filled';
      ctx.log.warn('ENTRY', `entry outcome unknown: the broker holds ${qty}; protecting that`);
    }
  } catch (err) {
    ctx.log.error('ENTRY', `entry outcome unknown and position book unavailable (${describeError(err)}): reconciliation will settle it`);
  }
  ctx.commit();
}
