import type { ShutdownPhase, TradeRecord } from '../store/types.js';
import type { EngineContext } from './context.js';
import { isOpen, type TrackedOrder } from './order-machine.js';
import { cancelAndSettle, refreshOrder } from './order-sync.js';
import { placeAtMarket } from './market-order.js';
import { heldQuantity, openOrders } from './state.js';
import { adoptSmallerBrokerPosition } from './reconcile.js';
import { movePosition } from './position-machine.js';
import { chaseDueAt, chaseStep } from './stop-chase.js';

// Getting flat at market, the one path behind flatten, square-off, market-on-target, the
// unprotected fallback and the graceful exit: cancel legs first, sell what is held, confirm by
// polling every 0.25 s for 5 s; if unconfirmed, cancel that order (keeping any fill it got) and
// send one more market order for what is still held. Each sale is checked against the position
// book first: what the account no longer holds is not sold again.

export const CONFIRM_POLL_MS = 250;
export const CONFIRM_POLLS = 20;
/** Rounds of cancelling open orders before the market sell, this far apart. */
const CANCEL_ROUNDS = 3;
const CANCEL_RETRY_MS = 500;

export type PhaseReporter = (phase: ShutdownPhase, detail: string) => void;

/**
 * Poll an order until it is filled (true) or closed/time is up (false). Never interruptible. A
 * protective LIMIT (sent where MARKET was refused) is chased meanwhile, as a triggered stop is.
 */
export async function confirmFilled(ctx: EngineContext, order: TrackedOrder): Promise<boolean> {
  for (let i = 0; i < CONFIRM_POLLS; i++) {
    await ctx.clock.sleep(CONFIRM_POLL_MS);
    if (order.chase && ctx.clock.now() >= chaseDueAt(ctx, order)) await chaseStep(ctx, order);
    else await refreshOrder(ctx, order);
    ctx.commit();
    if (order.phase === 'filled') return true;
    if (!isOpen(order.phase)) return false;
  }
  return false;
}

async function sellHeld(ctx: EngineContext, reason: TradeRecord['reason'], report: PhaseReporter, attempt: number): Promise<TrackedOrder | null> {
  // Never more than the account holds: a sale past it is a short.
  await adoptSmallerBrokerPosition(ctx, report);
  const held = heldQuantity(ctx.state);
  if (held <= 0) return null;
  report(attempt === 1 ? 'market_sell' : 'retry_market', `SELL ${held} at market (${reason}, attempt ${attempt})`);
  const outcome = await placeAtMarket(ctx, { role: 'exit', action: 'SELL', quantity: held, reason });
  if (outcome.kind === 'rejected' || outcome.kind === 'failed') {
    ctx.log.critical('CRITICAL', `market exit of ${held} not placed: ${outcome.message}`);
    return null;
  }
  ctx.log.info('EXIT', `${outcome.order.request.priceType === 'MARKET' ? 'market' : 'marketable LIMIT'} SELL ${held} → ${outcome.order.orderId ?? 'outcome unknown'} (${reason})`);
  return outcome.order;
}

/** Flatten at market with one escalation. Returns true when the engine's books show flat. */
export async function exitAtMarket(ctx: EngineContext, reason: TradeRecord['reason'], report: PhaseReporter): Promise<boolean> {
  movePosition(ctx, 'exiting');
  ctx.commit();
  report('cancelling_legs', 'cancelling open orders');
  for (let round = 0; round < CANCEL_ROUNDS; round++) {
    const open = openOrders(ctx.state);
    if (open.length === 0) break;
    if (round > 0) {
      // A leg whose cancel is not confirmed may have filled (a new order can be "not found"
      // for a moment): selling now could sell the same quantity twice. Look again first.
      ctx.log.warn('ESCALATE', `${open.map((o) => `${o.role} ${o.orderId ?? '?'}`).join(', ')} not confirmed cancelled: trying again before selling`);
      await ctx.clock.sleep(CANCEL_RETRY_MS);
    }
    for (const order of open) await cancelAndSettle(ctx, order, reason);
  }
  ctx.commit();
  for (let attempt = 1; attempt <= 2; attempt++) {
    const order = await sellHeld(ctx, reason, report, attempt);
    if (!order) break;
    report('confirming', `waiting for ${order.orderId ?? 'the order'} to fill (every ${CONFIRM_POLL_MS} ms, ${(CONFIRM_POLL_MS * CONFIRM_POLLS) / 1000} s)`);
    if (await confirmFilled(ctx, order)) break;
    if (attempt === 2) {
      // The last order stays working: a late fill still gets us flat, and is read on every poll.
      ctx.log.warn('ESCALATE', `second market exit ${order.orderId} not confirmed either: leaving it working`);
      break;
    }
    ctx.log.warn('ESCALATE', `market exit ${order.orderId} not confirmed in ${(CONFIRM_POLL_MS * CONFIRM_POLLS) / 1000} s: cancelling it and re-sending for what is still held`);
    await cancelAndSettle(ctx, order, 'unconfirmed market exit');
  }
  ctx.commit();
  return heldQuantity(ctx.state) <= 0;
}
