import { notePrice, type EngineContext } from './context.js';

/**
 * The last price, asked of the broker now: the quote loop's can be a second old, and a fast
 * market moves through a stop or a protective limit in less. A failed quote keeps the last seen.
 */
export async function freshLtp(ctx: EngineContext): Promise<number | null> {
  try {
    notePrice(ctx, (await ctx.broker.quote(ctx.settings.symbol, ctx.settings.exchange)).ltp);
  } catch {
    // keep the last LTP seen
  }
  return ctx.ltp;
}
