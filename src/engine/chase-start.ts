import type { OrderReport } from '../broker/types.js';
import type { EngineContext } from './context.js';
import { isOpen, openQuantity, type TrackedOrder } from './order-machine.js';
import { activeLeg } from './state.js';

// When a protective limit starts being chased (see stop-chase.ts for the chase itself): kept
// apart so the one order-report path can notice a triggered stop without importing the broker
// calls the chase makes.

/** Start chasing an order now (a stop seen triggered, a protective LIMIT just placed). */
export function startChase(ctx: EngineContext, order: TrackedOrder, why: string | null): void {
  if (order.chase) return;
  const now = ctx.clock.now();
  order.chase = { since: now, tries: 0, at: now };
  // Most stops fill the moment they trigger: only a first look that finds it unfilled is news.
  if (why !== null) ctx.log.debug('CHASE', `${order.role} ${order.orderId ?? '?'} ${why}: looking again in ${ctx.settings.stops.chaseMs} ms`);
}

/** A stop-limit's report: trigger pending arms it; open after that means the exchange triggered it. */
export function noticeStopReport(ctx: EngineContext, order: TrackedOrder, report: OrderReport): void {
  if (order.role !== 'stop' || order.request.priceType !== 'SL' || !isOpen(order.phase)) return;
  if (report.status === 'trigger_pending') order.armed = true;
  else if (report.status === 'working' && order.armed) startChase(ctx, order, 'triggered (trigger pending → open)');
}

/** The price path: the last price at or through the live stop-limit's trigger. True when a chase started. */
export function noticeStopPrice(ctx: EngineContext, ltp: number): boolean {
  const stop = activeLeg(ctx.state, 'stop');
  if (!stop || stop.chase || stop.orderId === null || stop.request.priceType !== 'SL' || openQuantity(stop) <= 0) return false;
  const trigger = stop.request.triggerPrice;
  if (trigger === undefined) return false;
  const through = stop.request.action === 'SELL' ? ltp <= trigger : ltp >= trigger;
  if (!through) return false;
  startChase(ctx, stop, `triggered (LTP ${ctx.grid.format(ltp)} through ${ctx.grid.format(trigger)})`);
  return true;
}
