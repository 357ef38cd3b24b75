import type { EngineContext } from './context.js';
import { describeBuffer } from './protective-price.js';
import { stopPriceType } from './protection.js';

// The exchange's order rules as the engine applies them at start: the freeze quantity, and the
// stop the exchange takes for this segment.

/**
 * An order above the contract's freeze quantity is refused by the exchange (orders are not
 * sliced yet): LOTS × lot size above it is a configuration error, named with the largest LOTS
 * allowed. Null when it fits (or the broker does not say).
 */
export function freezeQuantityProblem(lots: number, lotSize: number, freezeQty: number | null, instrument: string): string | null {
  if (freezeQty === null || freezeQty <= 0 || lots * lotSize <= freezeQty) return null;
  const largest = Math.floor(freezeQty / lotSize);
  return `invalid LOTS = ${lots}: ${lots} × lot ${lotSize} = ${lots * lotSize} is above the freeze quantity ${freezeQty} of ${instrument}, which the exchange refuses in one order (orders are not sliced yet); the largest LOTS allowed is ${largest}`;
}

/** One line for the start-up log: which stop goes out, and its limit buffer. */
export function describeStops(ctx: EngineContext): string {
  const { orderType, limitBuffer, chaseMs, chaseTries } = ctx.settings.stops;
  const type = stopPriceType(ctx);
  const why = orderType === 'auto' ? (ctx.segment === 'option' ? ' (option: the exchange refuses SL-M)' : ` (${ctx.segment}; SL where SL-M is refused)`) : '';
  return `stops: ${type}${why}, limit buffer ${describeBuffer(limitBuffer)}; a triggered stop left unfilled is chased every ${chaseMs} ms, ${chaseTries} tries, then sold at market`;
}
