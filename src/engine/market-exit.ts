import type { ShutdownPhase, TradeRecord } from '../store/types.js';
import type { EngineContext } from './context.js';
import { isOpen, openQuantity, type TrackedOrder } from './order-machine.js';
import { cancelAndSettle, refreshOrder } from './order-sync.js';
import { placeAtMarket } from './market-order.js';
import { heldQuantity, openOrders } from './state.js';
import { adoptSmallerBrokerPosition, readPosition } from './reconcile.js';
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

/** While a closing order works, the position book is read every this many polls (once a second). */
const OVERSHOOT_CHECK_POLLS = 4;

export type PhaseReporter = (phase: ShutdownPhase, detail: string) => void;

/** How waiting on a closing order ended. */
export type ConfirmOutcome = 'filled' | 'closed' | 'timeout' | 'overshoot';

/**
 * Poll an order until it is filled or closed, or time is up. Never interruptible. A protective
 * LIMIT (sent where MARKET was refused) is chased meanwhile, as a triggered stop is. Once a
 * second the position book is read: when the account holds less than the order still has to
 * close (the trader closed it outside the bot meanwhile), the rest would open the wrong side, so
 * the wait ends at once ('overshoot') for the caller to cancel the rest and reconcile.
 */
export async function confirmFilled(ctx: EngineContext, order: TrackedOrder): Promise<ConfirmOutcome> {
  for (let i = 1; i <= CONFIRM_POLLS; i++) {
    await ctx.clock.sleep(CONFIRM_POLL_MS);
    if (order.chase && ctx.clock.now() >= chaseDueAt(ctx, order)) await chaseStep(ctx, order);
    else await refreshOrder(ctx, order);
    ctx.commit();
    if (order.phase === 'filled') return 'filled';
    if (!isOpen(order.phase)) return 'closed';
    if (i % OVERSHOOT_CHECK_POLLS === 0 && (await wouldOvershoot(ctx, order))) return 'overshoot';
  }
  return 'timeout';
}

/**
 * Whether the rest of a closing order is more than the account still holds on the side it
 * closes. A position book ahead of the order's own report only costs a cancel that settles as
 * filled; one that cannot be read leaves the order working.
 */
async function wouldOvershoot(ctx: EngineContext, order: TrackedOrder): Promise<boolean> {
  const rest = openQuantity(order);
  if (rest <= 0) return false;
  const snap = await readPosition(ctx, 'EXIT', `waiting on ${order.orderId ?? 'the order'} as it is`);
  if (!snap) return false;
  const holds = order.request.action === 'SELL' ? snap.qty : -snap.qty;
  if (holds >= rest) return false;
  ctx.log.warn('EXIT', `the broker shows ${snap.qty} while ${order.role} ${order.orderId ?? '?'} still has ${rest} to ${order.request.action === 'SELL' ? 'sell' : 'buy'}: closed outside the bot meanwhile, cancelling the rest`);
  return true;
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
    const outcome = await confirmFilled(ctx, order);
    if (outcome === 'filled') break;
    if (outcome === 'overshoot') {
      // What the account holds decides what is sold next (or bought back, if it went short).
      await cancelAndSettle(ctx, order, 'closed outside the bot');
      if (attempt === 2) await adoptSmallerBrokerPosition(ctx, report);
      continue;
    }
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
