import type { EngineContext } from './context.js';
import { isOpen, openQuantity, type TrackedOrder } from './order-machine.js';
import { refreshOrder } from './order-sync.js';
import { readPosition } from './position-read.js';
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
 * update of this order wakes it at once (it is applied without waiting for the lock this wait
 * holds). A protective LIMIT (sent where MARKET was refused) is chased meanwhile, as a triggered
 * stop is. Once a second the position book is read: when the account holds less than the order
 * still has to close (the trader closed it outside the bot meanwhile), the rest would open the
 * wrong side, so the wait ends at once ('overshoot') for the caller to cancel the rest and reconcile.
 */
export async function confirmFilled(ctx: EngineContext, order: TrackedOrder): Promise<ConfirmOutcome> {
  const start = ctx.clock.now();
  const deadline = start + CONFIRM_POLL_MS * CONFIRM_POLLS;
  let positionCheckAt = start + CONFIRM_POLL_MS * OVERSHOOT_CHECK_POLLS;
  while (ctx.clock.now() < deadline) {
    await ctx.orderNews.sleep(order, Math.min(CONFIRM_POLL_MS, deadline - ctx.clock.now()));
    // Still open: read it (a push that woke us with a part-fill says nothing of the rest).
    if (isOpen(order.phase)) {
      if (order.chase && ctx.clock.now() >= chaseDueAt(ctx, order)) await chaseStep(ctx, order);
      else await refreshOrder(ctx, order);
    }
    ctx.commit();
    if (order.phase === 'filled') return 'filled';
    if (!isOpen(order.phase)) return 'closed';
    if (ctx.clock.now() >= positionCheckAt) {
      positionCheckAt += CONFIRM_POLL_MS * OVERSHOOT_CHECK_POLLS;
      if (await wouldOvershoot(ctx, order)) return 'overshoot';
    }
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
  // What this order can still close: a net long for a sale, a net short for a purchase.
  const holds = order.request.action === 'SELL' ? snap.net : -snap.net;
  if (holds >= rest) return false;
  ctx.log.warn('EXIT', `the broker shows ${snap.net} while ${order.role} ${order.orderId ?? '?'} still has ${rest} to ${order.request.action === 'SELL' ? 'sell' : 'buy'}: closed outside the bot meanwhile, cancelling the rest`);
  return true;
}
