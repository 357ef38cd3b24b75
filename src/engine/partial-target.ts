import { describeError } from '../broker/errors.js';
import type { EngineContext } from './context.js';
import { confirmFilled } from './confirm-fill.js';
import { placeAtMarket } from './market-order.js';
import { isOpen, openQuantity, type TrackedOrder } from './order-machine.js';
import { cancelAndSettle, refreshOrder } from './order-sync.js';
import { ensureProtection } from './protection.js';
import { closeAction, inFavour, reachedInFavour } from './side.js';
import { heldQuantity, positionSide, workingLegs } from './state.js';
import { distancesAt } from './trail-plan.js';

// The partial target (PARTIAL_TARGET_LOTS at PARTIAL_TARGET_RUPEES): once the price is that far
// in favour, that many lots are booked at market and the rest carries on with its stop at
// break-even. The legs are cut to the rest first (one modifyorder each), so the open exit
// quantity never exceeds what is held while the sale works; the sale is saved as taken before
// it is sent, so a restart never books it twice (at worst it skips it: the legs then cover all).

/** The quantity the partial target books, or 0 when it is off. */
function partialQuantity(ctx: EngineContext): number {
  const r = ctx.settings.exits;
  const lots = r?.partialLots ?? 0;
  return r && lots > 0 && distancesAt(r, 1).partial > 0 ? lots * ctx.lotSize : 0;
}

/** Due: protected, not taken yet, more held than it books, and the price at or past its level. */
export function partialDue(ctx: EngineContext): boolean {
  const s = ctx.state;
  const q = partialQuantity(ctx);
  if (q === 0 || s.partialTaken || s.phase !== 'protected' || s.anchor === null || ctx.ltp === null || heldQuantity(s) <= q) return false;
  const { grid } = ctx;
  const side = positionSide(s);
  const distance = ctx.settings.exits ? distancesAt(ctx.settings.exits, s.anchor).partial : 0;
  // A percent form rounds onto the grid (at least a tick).
  const level = grid.fromTicks(inFavour(side, grid.toTicks(s.anchor), Math.max(1, Math.round(distance / grid.tick))));
  return reachedInFavour(side, ctx.ltp, level);
}

/** One leg cut to `rest` still to close (its total = what it filled + rest). False when the broker refused it. */
async function cutLeg(ctx: EngineContext, leg: TrackedOrder, rest: number): Promise<boolean> {
  if (openQuantity(leg) <= rest) return true;
  const cut = { ...leg.request, quantity: leg.filled + rest };
  try {
    await ctx.broker.modifyOrder(leg.orderId ?? '', cut);
    leg.request = cut;
    return true;
  } catch (err) {
    ctx.log.warn('PARTIAL', `${leg.role} ${leg.orderId} not cut to ${rest} (${describeError(err)}): reading it`);
    await refreshOrder(ctx, leg);
    return false;
  }
}

/**
 * Under the lock: book the partial target. Returns true when the lots were sold; the caller
 * then moves the rest's stop to break-even. Whatever fails on the way, protection is made whole
 * again for what is held (ensureProtection resizes the legs).
 */
export async function takePartial(ctx: EngineContext): Promise<boolean> {
  if (!partialDue(ctx)) return false;
  const s = ctx.state;
  const q = partialQuantity(ctx);
  const held = heldQuantity(s);
  const rest = held - q;
  s.partialTaken = true;
  ctx.commit();
  const legs = workingLegs(s);
  ctx.log.info('PARTIAL', `LTP ${ctx.grid.format(ctx.ltp ?? 0)}: booking ${q} of ${held} at market (PARTIAL_TARGET_LOTS ${ctx.settings.exits?.partialLots}); the legs cut to ${rest} first`);
  for (const leg of legs) {
    if (!(await cutLeg(ctx, leg, rest)) || heldQuantity(s) !== held) {
      // A leg filled meanwhile, or the broker would not cut it: no partial sale on top of it.
      ctx.log.warn('PARTIAL', 'partial target not booked: protection re-armed for what is held');
      await ensureProtection(ctx);
      ctx.commit();
      return false;
    }
  }
  ctx.commit();
  const outcome = await placeAtMarket(ctx, { role: 'exit', action: closeAction(positionSide(s)), quantity: q, reason: 'partial' });
  if (outcome.kind === 'placed' || outcome.kind === 'unknown') {
    const confirmed = await confirmFilled(ctx, outcome.order);
    // Not filled in time (or the account holds less): cancel the rest of it; the fills it got count.
    if (confirmed !== 'filled' && isOpen(outcome.order.phase)) await cancelAndSettle(ctx, outcome.order, 'partial target not filled in time');
  } else ctx.log.warn('PARTIAL', `partial sale of ${q} not placed: ${outcome.message}`);
  const sold = outcome.order.filled;
  ctx.log.info('PARTIAL', `booked ${sold}/${q}${outcome.order.avgPrice !== null ? ` @ ₹${outcome.order.avgPrice.toFixed(2)}` : ''}; ${heldQuantity(s) > 0 ? `${heldQuantity(s)} held carries on` : 'nothing held beside it (a leg filled meanwhile)'}`);
  ctx.emit({ type: 'notable', at: ctx.clock.now(), kind: 'partial_target', message: `partial target: ${sold} of ${held} booked${outcome.order.avgPrice !== null ? ` @ ₹${outcome.order.avgPrice.toFixed(2)}` : ''}` });
  // The legs for exactly what is held now (the sale may have filled less than asked).
  await ensureProtection(ctx);
  ctx.commit();
  return sold > 0;
}
