import type { EngineContext } from './context.js';
import { isOpen, openQuantity, type TrackedOrder } from './order-machine.js';
import { cancelAndSettle, refreshOrder } from './order-sync.js';
import { readPosition } from './position-read.js';
import { heldQuantity, positionSide, workingLegs } from './state.js';
import { chaseDueAt, chaseStep } from './stop-chase.js';

// Waiting on an order that closes a position (a market exit, a buy-back): poll it every 0.25 s
// for 5 s, and once a second check the account still holds what it closes.

export const CONFIRM_POLL_MS = 250;
export const CONFIRM_POLLS = 20;
/** While a closing order works, the position book is read every this many polls (once a second). */
const OVERSHOOT_CHECK_POLLS = 4;

/** How waiting on a closing order ended. */
export type ConfirmOutcome = 'filled' | 'closed' | 'timeout' | 'overshoot';

/**
 * Poll an order until it is filled or closed, or time is up. Never interruptible, but a pushed
 * update of this order, or of a leg still working beside it (the partial target keeps both),
 * wakes it at once (it is applied without waiting for the lock this wait holds). A protective
 * LIMIT (sent where MARKET was refused) is chased meanwhile, as a triggered stop is. Once a
 * second the position book is read: when the account holds less than the order still has to
 * close (the trader closed it outside the bot meanwhile), the rest would open the wrong side, so
 * the wait ends at once ('overshoot') for the caller to cancel the rest and reconcile; when it
 * holds less than our books say, a leg filled unseen, and the legs are read.
 *
 * Once this order alone closes everything held (a leg beside it filled meanwhile), the legs
 * still working would sell it a second time: they are cancelled then, not when the wait ends.
 */
export async function confirmFilled(ctx: EngineContext, order: TrackedOrder): Promise<ConfirmOutcome> {
  const start = ctx.clock.now();
  const deadline = start + CONFIRM_POLL_MS * CONFIRM_POLLS;
  let positionCheckAt = start + CONFIRM_POLL_MS * OVERSHOOT_CHECK_POLLS;
  while (ctx.clock.now() < deadline) {
    await ctx.orderNews.sleep([order, ...legsBeside(ctx, order)], Math.min(CONFIRM_POLL_MS, deadline - ctx.clock.now()));
    // Still open: read it (a push that woke us with a part-fill says nothing of the rest).
    if (isOpen(order.phase)) {
      if (order.chase && ctx.clock.now() >= chaseDueAt(ctx, order)) await chaseStep(ctx, order);
      else await refreshOrder(ctx, order);
    }
    ctx.commit();
    if (order.phase === 'filled') return 'filled';
    if (!isOpen(order.phase)) return 'closed';
    await cancelLegsCoveredBy(ctx, order);
    if (ctx.clock.now() >= positionCheckAt) {
      positionCheckAt += CONFIRM_POLL_MS * OVERSHOOT_CHECK_POLLS;
      const snap = await readPosition(ctx, 'EXIT', `waiting on ${order.orderId ?? 'the order'} as it is`);
      if (snap && wouldOvershoot(ctx, order, snap.net)) return 'overshoot';
      if (snap && heldOnOurSide(ctx, snap.net) < heldQuantity(ctx.state)) {
        for (const leg of legsBeside(ctx, order)) await refreshOrder(ctx, leg);
        ctx.commit();
        await cancelLegsCoveredBy(ctx, order);
      }
    }
  }
  return 'timeout';
}

/** The position's exit legs still working beside `order` (the partial target's sale keeps them). */
function legsBeside(ctx: EngineContext, order: TrackedOrder): TrackedOrder[] {
  return workingLegs(ctx.state).filter((l) => l !== order);
}

/** What the account holds on the position's side, by the broker's net (a long's net, a short's −net). */
function heldOnOurSide(ctx: EngineContext, net: number): number {
  return positionSide(ctx.state) === 'short' ? -net : net;
}

/** Legs that would close again what `order` alone closes now: cancelled (their fills count). */
async function cancelLegsCoveredBy(ctx: EngineContext, order: TrackedOrder): Promise<void> {
  const held = heldQuantity(ctx.state);
  if (openQuantity(order) < held) return;
  for (const leg of legsBeside(ctx, order)) {
    ctx.log.info('EXIT', `${order.role} ${order.orderId ?? '?'} closes all ${held} held now: ${leg.role} ${leg.orderId ?? '?'} would over-exit, cancelling it`);
    await cancelAndSettle(ctx, leg, `${order.role} covers what is held`);
  }
  ctx.commit();
}

/**
 * Whether the rest of a closing order is more than the account (`net` at the broker) still holds
 * on the side it closes. A position book ahead of the order's own report only costs a cancel
 * that settles as filled.
 */
function wouldOvershoot(ctx: EngineContext, order: TrackedOrder, net: number): boolean {
  const rest = openQuantity(order);
  if (rest <= 0) return false;
  // What this order can still close: a net long for a sale, a net short for a purchase.
  const holds = order.request.action === 'SELL' ? net : -net;
  if (holds >= rest) return false;
  ctx.log.warn('EXIT', `the broker shows ${net} while ${order.role} ${order.orderId ?? '?'} still has ${rest} to ${order.request.action === 'SELL' ? 'sell' : 'buy'}: closed outside the bot meanwhile, cancelling the rest`);
  return true;
}
