import type { TradeRecord } from '../store/types.js';
import type { EngineContext } from './context.js';
import { isOpen, openQuantity } from './order-machine.js';
import { cancelAndSettle, refreshOrder } from './order-sync.js';
import { placeAtMarket } from './market-order.js';
import { addTrade, roundTrip } from './pnl.js';
import { heldQuantity, openOrders, positionSide } from './state.js';
import { closeAction, openAction } from './side.js';
import { CONFIRM_POLL_MS, CONFIRM_POLLS, confirmFilled } from './confirm-fill.js';
import { movePosition } from './position-machine.js';

// Closing out a position in the engine's books once the broker says it is flat.

/** Why the last exit happened, from the newest closing order that filled. */
export function exitReason(ctx: EngineContext, fallback: TradeRecord['reason']): TradeRecord['reason'] {
  const exits = closeAction(positionSide(ctx.state));
  for (let i = ctx.state.orders.length - 1; i >= 0; i--) {
    const o = ctx.state.orders[i];
    if (!o || o.request.action !== exits || o.filled === 0) continue;
    // A partial target never closes the position (it books fewer than held): the rest's exit does.
    if (o.role === 'exit' && o.reason === 'partial') continue;
    if (o.role === 'target') return 'target';
    // A stop the exit rules moved says which rule it was (trail, break-even).
    if (o.role === 'stop') return ctx.state.trail?.origin ?? 'stop';
    const reason = o.reason as TradeRecord['reason'] | undefined;
    return reason ?? fallback;
  }
  return fallback;
}

/**
 * If nothing is held any more: cancel what is still working (orphans), realise the round trip
 * from the fills, and reset to flat. Returns true when the position is closed.
 */
export async function realiseIfFlat(ctx: EngineContext, fallback: TradeRecord['reason']): Promise<boolean> {
  if (heldQuantity(ctx.state) !== 0) return false;
  for (const order of openOrders(ctx.state)) {
    if (await cancelAndSettle(ctx, order, 'position closed')) ctx.log.info('CLEANUP', `orphaned ${order.role} ${order.orderId} cancelled`);
  }
  if (heldQuantity(ctx.state) !== 0) {
    // Settling found a fill after all (an entry followed past its refused cancel): that fill is
    // saved now, whatever the caller does next.
    ctx.commit();
    return false;
  }
  const stillOpen = openOrders(ctx.state);
  if (stillOpen.length > 0) {
    // Forgetting an order that is still working would leave it at the broker untracked (an exit
    // leg there opens the wrong side when it fills): keep it, and try again on the next poll.
    ctx.log.warn('CLEANUP', `flat, but ${stillOpen.map((o) => `${o.role} ${o.orderId ?? '?'}`).join(', ')} not confirmed cancelled: retrying before closing the position`);
    ctx.commit();
    return false;
  }
  const trade = roundTrip(ctx.state, ctx.settings.costs, ctx.segment, ctx.clock.now(), exitReason(ctx, fallback));
  if (trade) {
    addTrade(ctx.state, trade);
    ctx.emit({ type: 'trade_closed', at: trade.closedAt, trade });
    ctx.log.info(
      'TRADE',
      `closed ${trade.quantity} ${trade.entry.toFixed(2)} → ${trade.exit.toFixed(2)} (${trade.reason}) gross ₹${trade.gross.toFixed(2)} charges ₹${(trade.charges?.total ?? 0).toFixed(2)}${ctx.settings.costs.slippagePerTrade > 0 ? ` slippage ₹${ctx.settings.costs.slippagePerTrade.toFixed(2)}` : ''} net ₹${trade.net.toFixed(2)}; day ₹${ctx.state.pnl.realised.toFixed(2)}`,
    );
  }
  resetToFlat(ctx);
  return true;
}

export function resetToFlat(ctx: EngineContext): void {
  const s = ctx.state;
  s.orders = [];
  movePosition(ctx, 'flat');
  s.requested = 0;
  s.anchor = null;
  s.openedAt = null;
  s.protectFailures = 0;
  delete s.trail;
  delete s.partialTaken;
  // An SL-M refusal counts for the position it happened in: in a fast market a refusal for a
  // trigger the price had already passed looks the same, and a stale flag would send every
  // later stop as SL (which may not fill in a gap) for good.
  s.slmRefused = false;
  ctx.commit();
}

/**
 * Beyond flat on the wrong side (both legs filled, or an over-exit: net short for a long, net
 * long for a short): close it at market at once (a buy-back for a long).
 */
export async function coverWrongSide(ctx: EngineContext): Promise<void> {
  const side = positionSide(ctx.state);
  const wrong = side === 'long' ? 'SHORT' : 'LONG';
  const what = side === 'long' ? 'buy-back' : 'sell-back';
  if (heldQuantity(ctx.state) >= 0) return;
  // A buy-back sent earlier may still be working (or have filled since): read it first, and
  // never send a second one for the same quantity (both filling would leave us long).
  for (const order of openOrders(ctx.state, ['cover'])) {
    await refreshOrder(ctx, order);
    if (isOpen(order.phase) && order.orderId !== null && ctx.clock.now() - order.placedAt >= 2 * CONFIRM_POLL_MS * CONFIRM_POLLS) {
      // A buy-back that part-filled and stopped (or hangs) is not waited on forever: cancel
      // what is left of it (keeping what filled) and send a new one for what is still short.
      // (Two confirmation windows: a slow fill must not be cancelled and re-sent in a loop.)
      ctx.log.warn('ESCALATE', `${what} ${order.orderId} not filled in ${(2 * CONFIRM_POLL_MS * CONFIRM_POLLS) / 1000} s: cancelling it and re-sending for what is still ${wrong}`);
      await cancelAndSettle(ctx, order, `unconfirmed ${what}`);
    }
  }
  const beyond = -heldQuantity(ctx.state);
  if (beyond <= 0) return;
  const closing = openOrders(ctx.state).filter((o) => o.request.action === closeAction(side));
  const covering = (): number => openOrders(ctx.state, ['cover']).reduce((sum, o) => sum + openQuantity(o), 0);
  if (closing.length === 0 && covering() >= beyond) {
    ctx.log.warn('CRITICAL', `net ${wrong} ${beyond}: the ${what} of ${covering()} is still working: waiting for it`);
    return;
  }
  ctx.log.critical('CRITICAL', `net ${wrong} ${beyond} (both legs filled?): ${side === 'long' ? 'buying back' : 'selling'} at market`);
  for (const order of closing) await cancelAndSettle(ctx, order, `${wrong.toLowerCase()} detected`);
  const working = covering();
  const still = -heldQuantity(ctx.state) - working;
  if (still <= 0) {
    if (working > 0) ctx.log.warn('CRITICAL', `${what} of ${working} still working: waiting for it`);
    return;
  }
  const outcome = await placeAtMarket(ctx, { role: 'cover', action: openAction(side), quantity: still, reason: 'reconcile' });
  if (outcome.kind === 'placed' || outcome.kind === 'unknown') {
    // Closed outside meanwhile: the rest would put us on the side again; the next reconciliation books it.
    if ((await confirmFilled(ctx, outcome.order)) === 'overshoot') await cancelAndSettle(ctx, outcome.order, 'closed outside the bot');
  } else ctx.log.critical('CRITICAL', `${what} of ${still} failed: ${outcome.message}`);
  const o = outcome.order;
  if (isOpen(o.phase)) ctx.log.critical('CRITICAL', `${what} ${o.orderId} not confirmed yet`);
  else if (o.phase !== 'filled' && outcome.kind === 'placed') {
    ctx.log.critical('CRITICAL', `${what} ${o.orderId} ${o.phase}${o.reason ? ` (${o.reason})` : ''}: still ${wrong}, trying again on the next poll`);
  }
}
