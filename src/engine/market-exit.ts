import type { TradeRecord } from '../store/types.js';
import type { EngineContext, PhaseReporter } from './context.js';
import { isOpen, type TrackedOrder } from './order-machine.js';
import { cancelAndSettle } from './order-sync.js';
import { placeAtMarket } from './market-order.js';
import { heldQuantity, openOrders, positionSide } from './state.js';
import { closeAction } from './side.js';
import { bookOutsideChange, externalFillPrice, reconcile } from './reconcile.js';
import { readPosition } from './position-read.js';
import { movePosition } from './position-machine.js';
import { CONFIRM_POLL_MS, CONFIRM_POLLS, confirmFilled } from './confirm-fill.js';
import { coverWrongSide } from './position-close.js';

// Getting flat at market, the one path behind flatten, square-off, market-on-target, the
// unprotected fallback and the graceful exit: cancel legs first, close what is held (a sale for
// a long, a purchase for a short: "sell" below means that closing order), confirm by
// polling every 0.25 s for 5 s; if unconfirmed, cancel that order (keeping any fill it got) and
// send one more market order for what is still held. Each sale is checked against the position
// book first: what the account no longer holds is not sold again.

/** Rounds of cancelling open orders before the market sell, this far apart. */
const CANCEL_ROUNDS = 3;
const CANCEL_RETRY_MS = 500;

/**
 * Before a market sale: the account may hold less than our books say (closed outside the bot a
 * moment ago, and the reconciliation that would book it has not run yet). Selling our figure
 * would open a short, so the smaller figure is booked first, as reconciliation books it, and the
 * sale is for what the account holds. Only with nothing of ours working (a leg may just have
 * filled); a position book that cannot be read leaves our books to decide.
 */
async function adoptSmallerBrokerPosition(ctx: EngineContext, report: PhaseReporter): Promise<void> {
  const ours = heldQuantity(ctx.state);
  if (ours <= 0 || openOrders(ctx.state).length > 0) return;
  const snap = await readPosition(ctx, 'EXIT', `selling the ${ours} our books hold`);
  if (!snap || snap.qty >= ours) return;
  if (snap.qty < 0) {
    // Closed outside past what we hold: the account is on the wrong side. Reconciliation books
    // that outside order whole (one price from the trade book) and closes the wrong side; nothing is left to sell.
    ctx.log.warn('EXIT', `the broker shows ${snap.net} while our books hold ${ours}: reconciling (the outside order, then closing what went past flat) instead of selling`);
    await reconcile(ctx, report, exitAtMarket);
    return;
  }
  const sold = ours - snap.qty;
  ctx.log.warn('EXIT', `the broker holds ${snap.qty}, our books ${ours}: ${sold} closed outside the bot; closing only what the account holds`);
  bookOutsideChange(ctx.state, ctx, -sold, (await externalFillPrice(ctx, sold, closeAction(positionSide(ctx.state)))) ?? snap.row?.averagePrice ?? null, 'external');
  ctx.commit();
}

async function sellHeld(ctx: EngineContext, reason: TradeRecord['reason'], report: PhaseReporter, attempt: number): Promise<TrackedOrder | null> {
  // Never more than the account holds: a sale past it is a short.
  await adoptSmallerBrokerPosition(ctx, report);
  const held = heldQuantity(ctx.state);
  if (held <= 0) return null;
  const action = closeAction(positionSide(ctx.state));
  report(attempt === 1 ? 'market_sell' : 'retry_market', `${action} ${held} at market (${reason}, attempt ${attempt})`);
  const outcome = await placeAtMarket(ctx, { role: 'exit', action, quantity: held, reason });
  if (outcome.kind === 'rejected' || outcome.kind === 'failed') {
    ctx.log.critical('CRITICAL', `market exit of ${held} not placed: ${outcome.message}`);
    return null;
  }
  ctx.log.info('EXIT', `${outcome.order.request.priceType === 'MARKET' ? 'market' : 'marketable LIMIT'} ${action} ${held} → ${outcome.order.orderId ?? 'outcome unknown'} (${reason})`);
  return outcome.order;
}

/**
 * What getting flat cancels: every working order, except a cover while the account is beyond
 * flat on the wrong side. That cover is the order closing it; cancelling it to start again
 * would, against a broker slower than the confirmation window, never let one fill.
 */
function ordersInTheWay(ctx: EngineContext): TrackedOrder[] {
  const wrongSide = heldQuantity(ctx.state) < 0;
  return openOrders(ctx.state).filter((o) => !(wrongSide && o.role === 'cover'));
}

/** Flatten at market with one escalation. Returns true when the engine's books show flat. */
export async function exitAtMarket(ctx: EngineContext, reason: TradeRecord['reason'], report: PhaseReporter): Promise<boolean> {
  movePosition(ctx, 'exiting');
  ctx.commit();
  report('cancelling_legs', 'cancelling open orders');
  for (let round = 0; round < CANCEL_ROUNDS; round++) {
    const open = ordersInTheWay(ctx);
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
      if (isOpen(order.phase)) {
        // Not confirmed cancelled: the account may be flat because this very order filled (its
        // status unreadable for a moment). A second sale now could sell it twice: follow it.
        ctx.log.warn('ESCALATE', `exit ${order.orderId ?? '?'} not confirmed cancelled: following it, no second sale`);
        break;
      }
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
  // Beyond flat on the wrong side (both legs filled, or filled while they were cancelled):
  // flat is a cover away, and the one cover path follows one already working.
  if (heldQuantity(ctx.state) < 0) await coverWrongSide(ctx);
  ctx.commit();
  return heldQuantity(ctx.state) === 0;
}
