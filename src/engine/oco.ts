import type { EngineContext } from './context.js';
import { isOpen } from './order-machine.js';
import { cancelAndSettle, refreshOrders } from './order-sync.js';
import { coverShort, realiseIfFlat } from './position-close.js';
import { ensureProtection, isProtected } from './protection.js';
import { activeLeg, heldQuantity, openOrders } from './state.js';
import { movePosition } from './position-machine.js';
import { markOrder } from './order-events.js';

// One-cancels-other, emulated: read both legs, apply fills, cancel the sibling of a complete
// leg, resize legs after partial exits, re-arm a leg the broker rejected or lost.

export type OcoOutcome = 'flat' | 'protected' | 'unprotected' | 'short' | 'exiting';

export async function checkLegs(ctx: EngineContext): Promise<OcoOutcome> {
  const sells = openOrders(ctx.state).filter((o) => o.request.action === 'SELL');
  const before = new Map(sells.map((o) => [o, o.phase]));
  const refreshed = await refreshOrders(ctx, sells);
  for (const order of sells) {
    const { result, newlyFilled } = refreshed.get(order) ?? { result: 'error', newlyFilled: 0 };
    if (result === 'lost') markOrder(ctx, order, 'cancelled', 'not found at the broker', 'poll');
    if (newlyFilled > 0) {
      ctx.log.info(order.phase === 'filled' ? 'FILL' : 'PARTIAL_FILL', `${order.role} ${order.orderId} filled ${order.filled}/${order.request.quantity} @ ₹${(order.avgPrice ?? 0).toFixed(2)}`);
    }
    if (order.phase === 'rejected' && before.get(order) !== 'rejected') {
      if (order.role === 'stop' && order.request.priceType === 'SL-M') {
        ctx.state.slmRefused = true;
        ctx.log.critical('CRITICAL', `stop SL-M ${order.orderId} rejected after acceptance (${order.reason ?? 'no reason'}): position UNPROTECTED on the downside, re-arming as SL`);
      } else {
        ctx.log.critical('CRITICAL', `${order.role} ${order.orderId} rejected (${order.reason ?? 'no reason'}): position UNPROTECTED, re-arming`);
      }
    }
  }
  ctx.commit();
  const held = heldQuantity(ctx.state);
  if (held < 0) {
    await coverShort(ctx);
    await realiseIfFlat(ctx, 'reconcile');
    return 'short';
  }
  if (held === 0) {
    // A leg completed: cancel its sibling (OCO) and realise the trade.
    for (const leg of [activeLeg(ctx.state, 'target'), activeLeg(ctx.state, 'stop')]) {
      if (leg && isOpen(leg.phase)) await cancelAndSettle(ctx, leg, 'OCO: sibling filled');
    }
    if (heldQuantity(ctx.state) < 0) {
      await coverShort(ctx);
    }
    await realiseIfFlat(ctx, 'target');
    return 'flat';
  }
  if (openOrders(ctx.state).some((o) => o.role === 'exit')) {
    // A market exit is working: legs would over-exit. Its fill is read on the next poll.
    movePosition(ctx, 'exiting');
    ctx.commit();
    return 'exiting';
  }
  await ensureProtection(ctx);
  movePosition(ctx, isProtected(ctx) ? 'long_protected' : 'long_unprotected');
  ctx.commit();
  return ctx.state.phase === 'long_protected' ? 'protected' : 'unprotected';
}
