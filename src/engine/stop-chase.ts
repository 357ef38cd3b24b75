import { describeError } from '../broker/errors.js';
import type { EngineContext } from './context.js';
import { freshLtp } from './fresh-price.js';
import { isOpen, type TrackedOrder } from './order-machine.js';
import { refreshOrder } from './order-sync.js';
import { protectiveLimitTicks } from './protective-price.js';

// A protective limit that rests unfilled is chased, never trusted to come good: a stop-limit
// whose trigger the price went through (the exchange made it an open limit, and a gap may have
// left its limit behind), or a LIMIT sent where MARKET was refused. Every STOP_CHASE_MS its limit
// moves to a fresh buffer beyond the last price; after STOP_CHASE_TRIES moves a stop is cancelled
// and the position sold at market (the engine does that), an exit is left to its own re-send.

export type ChaseOutcome =
  /** Closed (filled, cancelled): nothing left to chase. */
  | 'done'
  /** Its limit was moved (or the move was refused and the order re-read). */
  | 'moved'
  /** Still unfilled after every allowed move. */
  | 'exhausted';

/**
 * Orders being chased, open at the broker. Not a retired one: it is being cancelled (a resize,
 * a flatten), and a more aggressive limit would only race its replacement.
 */
export function chasedOrders(ctx: EngineContext): TrackedOrder[] {
  return ctx.state.orders.filter((o) => o.chase !== undefined && !o.retired && isOpen(o.phase) && o.orderId !== null);
}

/** When the next chase step of `order` is due (clock ms). */
export function chaseDueAt(ctx: EngineContext, order: TrackedOrder): number {
  return (order.chase?.at ?? 0) + ctx.settings.stops.chaseMs;
}

/**
 * One chase step: read the order (it may have filled meanwhile); if still unfilled, move its
 * limit to a fresh buffer beyond the last price — never less aggressive than it was, and a
 * stop-limit's never beyond its trigger — and read it again. A move the broker refuses (the
 * order filled or closed in between) is resolved by reading the order, never by a second order.
 */
export async function chaseStep(ctx: EngineContext, order: TrackedOrder): Promise<ChaseOutcome> {
  const chase = order.chase;
  if (!chase || order.orderId === null) return 'done';
  await refreshOrder(ctx, order);
  if (!isOpen(order.phase)) return 'done';
  const { chaseTries, limitBuffer } = ctx.settings.stops;
  if (chase.tries >= chaseTries) return 'exhausted';
  chase.tries += 1;
  chase.at = ctx.clock.now();
  const ltp = await freshLtp(ctx);
  const { grid } = ctx;
  const req = order.request;
  if (ltp === null || req.price === undefined) return 'moved';
  const sell = req.action === 'SELL';
  let ticks = protectiveLimitTicks(req.action, grid.toTicks(ltp), limitBuffer, grid);
  const current = grid.toTicks(req.price);
  ticks = sell ? Math.min(ticks, current) : Math.max(ticks, current);
  if (req.triggerPrice !== undefined) {
    const trigger = grid.toTicks(req.triggerPrice);
    ticks = sell ? Math.min(ticks, trigger) : Math.max(ticks, trigger);
  }
  const moved = { ...req, price: grid.fromTicks(ticks) };
  const step = `${chase.tries}/${chaseTries}`;
  if (ticks === current) {
    // The last price has not moved past the limit's buffer: nothing to modify; the try counts.
    ctx.log.warn('CHASE', `${order.role} ${order.orderId} unfilled — chase ${step}: limit ${grid.format(req.price)} already a buffer under LTP ${grid.format(ltp)}`);
    ctx.commit();
    return 'moved';
  }
  try {
    await ctx.broker.modifyOrder(order.orderId, moved);
    order.request = moved;
    const after = chase.tries === 1 ? ` ${((chase.at - chase.since) / 1000).toFixed(1)} s after it triggered` : '';
    const message = `${order.role} ${order.orderId} unfilled${after} — chasing ${step}: limit ${grid.format(req.price)} → ${grid.format(moved.price)} (LTP ${grid.format(ltp)})`;
    ctx.log.warn('CHASE', message);
    ctx.emit({ type: 'notable', at: ctx.clock.now(), kind: 'stop_chase', message });
  } catch (err) {
    ctx.log.warn('CHASE', `${order.role} ${order.orderId} chase ${step}: modify refused (${describeError(err)}); re-reading`);
  }
  await refreshOrder(ctx, order);
  ctx.commit();
  return isOpen(order.phase) ? 'moved' : 'done';
}
