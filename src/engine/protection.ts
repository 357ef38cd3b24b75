import type { EngineContext } from './context.js';
import { orderRequest } from './context.js';
import { isOpen, openQuantity, type TrackedOrder } from './order-machine.js';
import { cancelAndSettle } from './order-sync.js';
import { placeIdempotent, type PlaceOutcome } from './place-order.js';
import { activeLeg, heldQuantity, positionSide } from './state.js';
import { closeAction, inFavour } from './side.js';
import { freshLtp } from './fresh-price.js';
import { protectiveLimitTicks } from './protective-price.js';

// The exit legs: a take-profit LIMIT and a stop — SL on options, SL-M elsewhere (SL where SL-M
// is refused) — both closing the position (SELL for a long, BUY for a short), both on the tick
// grid and both for the quantity held. A position that cannot be protected after
// MAX_PROTECT_ATTEMPTS is flattened at market — never left silently.

export const MAX_PROTECT_ATTEMPTS = 3;

export function targetPrice(ctx: EngineContext): number | null {
  const anchor = ctx.state.anchor;
  if (anchor === null) return null;
  const { grid } = ctx;
  return grid.fromTicks(inFavour(positionSide(ctx.state), grid.toTicks(anchor), grid.toTicks(ctx.settings.profitTarget)));
}

/** The stop's trigger as the position first places it: STOP_LOSS_RUPEES against the anchor. */
export function initialStopTrigger(ctx: EngineContext): number | null {
  const anchor = ctx.state.anchor;
  if (anchor === null) return null;
  const { grid } = ctx;
  return grid.fromTicks(Math.max(1, inFavour(positionSide(ctx.state), grid.toTicks(anchor), -grid.toTicks(ctx.settings.stopLoss))));
}

/** Where the stop belongs now: where the exit rules moved it, else the first trigger (a re-placed or resized stop never goes back). */
export function stopTrigger(ctx: EngineContext): number | null {
  if (ctx.state.anchor === null) return null;
  return ctx.state.trail?.trigger ?? initialStopTrigger(ctx);
}

/** A leg counts as protecting when it is open at the broker (or its outcome is being settled). */
function protecting(leg: TrackedOrder | null): boolean {
  return leg !== null && isOpen(leg.phase);
}

export function isProtected(ctx: EngineContext): boolean {
  return protecting(activeLeg(ctx.state, 'target')) && protecting(activeLeg(ctx.state, 'stop'));
}

async function placeTarget(ctx: EngineContext, qty: number): Promise<PlaceOutcome | null> {
  const price = targetPrice(ctx);
  if (price === null) return null;
  return placeIdempotent(ctx, 'target', orderRequest(ctx, closeAction(positionSide(ctx.state)), qty, 'LIMIT', price));
}

/**
 * The stop's order type. STOP_ORDER_TYPE=auto: SL on options (the exchange refuses SL-M there,
 * since 27 Sep 2021), SL-M elsewhere until an SL-M is refused in this position; SL: always SL;
 * SL-M: SL-M until refused.
 */
export function stopPriceType(ctx: EngineContext): 'SL' | 'SL-M' {
  const { orderType } = ctx.settings.stops;
  if (orderType === 'SL' || (orderType === 'auto' && ctx.segment === 'option')) return 'SL';
  return ctx.state.slmRefused ? 'SL' : 'SL-M';
}

/**
 * The stop: trigger beyond LTP against the position (below it for a long, above for a short;
 * else one tick past a fresh LTP). An SL's limit sits the protective buffer beyond its trigger
 * (STOP_LIMIT_BUFFER), never one tick: a one-tick limit is what a fast market gaps through,
 * leaving the stop triggered and unfilled. An SL-M that is refused falls back to SL.
 */
export async function placeStop(ctx: EngineContext, qty: number): Promise<PlaceOutcome | null> {
  const wanted = stopTrigger(ctx);
  if (wanted === null) return null;
  const { grid } = ctx;
  const side = positionSide(ctx.state);
  const action = closeAction(side);
  /** The wanted trigger, or one tick past a fresh LTP when the price is already at or beyond it. */
  const triggerPastLtp = async (): Promise<number> => {
    // A trigger the real LTP has already reached is refused: place it against a fresh price.
    const ltp = await freshLtp(ctx);
    const ticks = grid.toTicks(wanted);
    if (ltp === null) return ticks;
    const ltpTicks = grid.toTicks(ltp, side === 'long' ? 'down' : 'up');
    if (side === 'long' ? ticks < ltpTicks : ticks > ltpTicks) return ticks;
    const adjusted = Math.max(1, inFavour(side, ltpTicks, -1));
    ctx.log.warn('STOP', `trigger ${grid.format(wanted)} is not ${side === 'long' ? 'below' : 'above'} LTP ${grid.format(ltp)}: moved to ${grid.format(grid.fromTicks(adjusted))}`);
    return adjusted;
  };
  const place = (type: 'SL' | 'SL-M', ticks: number): Promise<PlaceOutcome> => {
    const trigger = grid.fromTicks(ticks);
    if (type === 'SL-M') return placeIdempotent(ctx, 'stop', orderRequest(ctx, action, qty, 'SL-M', undefined, trigger));
    const limit = grid.fromTicks(protectiveLimitTicks(action, ticks, ctx.settings.stops.limitBuffer, grid));
    return placeIdempotent(ctx, 'stop', orderRequest(ctx, action, qty, 'SL', limit, trigger));
  };
  const type = stopPriceType(ctx);
  let triggerTicks = await triggerPastLtp();
  let stop = await place(type, triggerTicks);
  if (stop.kind === 'rejected') {
    // Refused because the price moved through the trigger on the way (the fresh LTP says so),
    // not because the order type is refused: try once more below the new price.
    const sent = triggerTicks;
    triggerTicks = await triggerPastLtp();
    if (triggerTicks !== sent) stop = await place(type, triggerTicks);
  }
  if (stop.kind !== 'rejected' || type === 'SL') return stop;
  ctx.log.critical('CRITICAL', `stop SL-M refused (${stop.message}): falling back to SL`);
  const fallback = await place('SL', triggerTicks);
  // Only an SL taken where the SL-M was refused says SL-M itself is refused; when both are
  // refused the reason was something else, and later stops should still try SL-M first (it
  // fills in a gap where an SL's limit may not).
  if (fallback.kind !== 'rejected') ctx.state.slmRefused = true;
  return fallback;
}

/**
 * Make sure both legs are open for exactly the held quantity: place what is missing, resize
 * what is too large. Returns true when protected.
 */
export async function ensureProtection(ctx: EngineContext): Promise<boolean> {
  const held = heldQuantity(ctx.state);
  if (held <= 0 || ctx.state.anchor === null) return true;
  // A flatten or quit is queued: it sells at once, legs placed now would only be cancelled again.
  if (ctx.urgent.aborted) return false;
  for (const role of ['target', 'stop'] as const) {
    const leg = activeLeg(ctx.state, role);
    if (leg && isOpen(leg.phase) && openQuantity(leg) !== held) {
      // The open exit quantity must never exceed what is held (and should cover all of it).
      ctx.log.info('SYNC', `${role} ${leg.orderId} open for ${openQuantity(leg)} but ${held} held: resizing`);
      if (!(await cancelAndSettle(ctx, leg, 'resize')) && isOpen(leg.phase)) {
        // Not confirmed cancelled: a new leg next to it would put two exits of this role at the
        // broker. It stays the live leg (it still protects) and the resize is retried next poll.
        leg.retired = false;
        ctx.log.warn('SYNC', `${role} ${leg.orderId} not confirmed cancelled: keeping it, resizing on the next poll`);
      }
    }
  }
  const nowHeld = heldQuantity(ctx.state);
  if (nowHeld <= 0) return true;
  const failures: string[] = [];
  for (const role of ['target', 'stop'] as const) {
    const leg = activeLeg(ctx.state, role);
    if (protecting(leg)) continue;
    const outcome = role === 'target' ? await placeTarget(ctx, nowHeld) : await placeStop(ctx, nowHeld);
    if (!outcome || outcome.kind === 'rejected' || outcome.kind === 'failed') {
      failures.push(`${role}: ${outcome?.message ?? 'no anchor price'}`);
    } else {
      const o = outcome.order;
      const r = o.request;
      const where = [r.price !== undefined ? `@ ${ctx.grid.format(r.price)}` : '', r.triggerPrice !== undefined ? `trigger ${ctx.grid.format(r.triggerPrice)}` : '']
        .filter(Boolean)
        .join(' ');
      ctx.log.info('EXITS', `${role} ${r.priceType} ${r.quantity} ${where} → ${o.orderId ?? 'outcome unknown'}`);
    }
  }
  ctx.commit();
  if (failures.length === 0) {
    ctx.state.protectFailures = 0;
    return true;
  }
  ctx.state.protectFailures += 1;
  ctx.log.critical(
    'CRITICAL',
    `position UNPROTECTED (${failures.join('; ')}) — attempt ${ctx.state.protectFailures}/${MAX_PROTECT_ATTEMPTS}`,
  );
  ctx.commit();
  return false;
}
