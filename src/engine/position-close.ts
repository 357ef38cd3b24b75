import type { TradeRecord } from '../store/types.js';
import type { EngineContext } from './context.js';
import { orderRequest } from './context.js';
import { isOpen } from './order-machine.js';
import { cancelAndSettle } from './order-sync.js';
import { placeIdempotent } from './place-order.js';
import { addTrade, roundTrip } from './pnl.js';
import { heldQuantity, openOrders } from './state.js';
import { confirmFilled } from './market-exit.js';

// Closing out a position in the engine's books once the broker says it is flat.

/** Why the last exit happened, from the newest SELL order that filled. */
export function exitReason(ctx: EngineContext, fallback: TradeRecord['reason']): TradeRecord['reason'] {
  for (let i = ctx.state.orders.length - 1; i >= 0; i--) {
    const o = ctx.state.orders[i];
    if (!o || o.request.action !== 'SELL' || o.filled === 0) continue;
    if (o.role === 'target') return 'target';
    if (o.role === 'stop') return 'stop';
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
  if (heldQuantity(ctx.state) !== 0) return false;
  const stillOpen = openOrders(ctx.state);
  if (stillOpen.length > 0) {
    // Forgetting an order that is still working would leave it at the broker untracked (a
    // SELL leg there sells short when it fills): keep it, and try again on the next poll.
    ctx.log.warn('CLEANUP', `flat, but ${stillOpen.map((o) => `${o.role} ${o.orderId ?? '?'}`).join(', ')} not confirmed cancelled: retrying before closing the position`);
    ctx.commit();
    return false;
  }
  const trade = roundTrip(ctx.state, ctx.settings.costs, ctx.clock.now(), exitReason(ctx, fallback));
  if (trade) {
    addTrade(ctx.state, trade);
    ctx.log.info(
      'TRADE',
      `closed ${trade.quantity} ${trade.entry.toFixed(2)} → ${trade.exit.toFixed(2)} (${trade.reason}) gross ₹${trade.gross.toFixed(2)} net ₹${trade.net.toFixed(2)}; day ₹${ctx.state.pnl.realised.toFixed(2)}`,
    );
  }
  resetToFlat(ctx);
  return true;
}

export function resetToFlat(ctx: EngineContext): void {
  const s = ctx.state;
  s.orders = [];
  s.phase = 'flat';
  s.requested = 0;
  s.anchor = null;
  s.openedAt = null;
  s.protectFailures = 0;
  ctx.commit();
}

/** Net short (both legs filled, or an over-exit): buy it back at market at once. */
export async function coverShort(ctx: EngineContext): Promise<void> {
  const short = -heldQuantity(ctx.state);
  if (short <= 0) return;
  ctx.log.critical('CRITICAL', `net SHORT ${short} (both legs filled?): buying back at market`);
  for (const order of openOrders(ctx.state).filter((o) => o.request.action === 'SELL')) {
    await cancelAndSettle(ctx, order, 'short detected');
  }
  const still = -heldQuantity(ctx.state);
  if (still <= 0) return;
  const outcome = await placeIdempotent(ctx, 'cover', orderRequest(ctx, 'BUY', still, 'MARKET'), 'reconcile');
  if (outcome.kind === 'placed' || outcome.kind === 'unknown') await confirmFilled(ctx, outcome.order);
  else ctx.log.critical('CRITICAL', `buy-back of ${still} failed: ${outcome.message}`);
  if (isOpen(outcome.order.phase)) ctx.log.critical('CRITICAL', `buy-back ${outcome.order.orderId} not confirmed yet`);
}
