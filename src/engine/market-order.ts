import type { Action } from '../broker/types.js';
import { orderRequest, type EngineContext } from './context.js';
import { freshLtp } from './fresh-price.js';
import type { OrderRole } from './order-machine.js';
import { placeIdempotent, type PlaceOutcome } from './place-order.js';
import { protectiveLimitTicks } from './protective-price.js';
import { startChase } from './chase-start.js';

// An order "at market" for the entry, every exit and the buy-back. Some brokers refuse MARKET on
// options (or on illiquid contracts): a refused MARKET is re-sent at once as a marketable LIMIT
// — the last price plus or minus the protective buffer, on the grid — and a protective one is
// chased like a triggered stop. A flatten never ends in "could not exit" because MARKET was refused.

export interface MarketIntent {
  role: OrderRole;
  action: Action;
  quantity: number;
  /** Why (an exit's reason, recorded on the order). */
  reason?: string;
}

export async function placeAtMarket(ctx: EngineContext, intent: MarketIntent): Promise<PlaceOutcome> {
  if (ctx.marketRefused) return placeProtectedLimit(ctx, intent);
  const { role, action, quantity, reason } = intent;
  const outcome = await placeIdempotent(ctx, role, orderRequest(ctx, action, quantity, 'MARKET'), reason);
  if (outcome.kind !== 'rejected') return outcome;
  ctx.log.warn('MARKET', `MARKET ${action} ${quantity} refused (${outcome.message}): sending a marketable LIMIT instead`);
  const limit = await placeProtectedLimit(ctx, intent);
  // Only a LIMIT taken where the MARKET was refused says MARKET itself is refused here.
  if (limit.kind === 'placed' || limit.kind === 'unknown') ctx.marketRefused = true;
  return limit.kind === 'rejected' || limit.kind === 'failed' ? { ...limit, message: `${outcome.message}; LIMIT: ${limit.message}` } : limit;
}

async function placeProtectedLimit(ctx: EngineContext, intent: MarketIntent): Promise<PlaceOutcome> {
  const { role, action, quantity, reason } = intent;
  const ltp = await freshLtp(ctx);
  if (ltp === null) return placeIdempotent(ctx, role, orderRequest(ctx, action, quantity, 'MARKET'), reason);
  const { grid } = ctx;
  const price = grid.fromTicks(protectiveLimitTicks(action, grid.toTicks(ltp), ctx.settings.stops.limitBuffer, grid));
  const outcome = await placeIdempotent(ctx, role, orderRequest(ctx, action, quantity, 'LIMIT', price), reason);
  if (outcome.kind === 'placed') {
    ctx.log.info('MARKET', `${role} LIMIT ${action} ${quantity} @ ${grid.format(price)} (LTP ${grid.format(ltp)} ${action === 'SELL' ? '−' : '+'} buffer) → ${outcome.order.orderId ?? '?'}`);
    // A protective order that rests is chased; an entry that does not fill is cancelled as any entry is.
    if (role !== 'entry') startChase(ctx, outcome.order, null);
    ctx.commit();
  }
  return outcome;
}
