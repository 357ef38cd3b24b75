import type { EngineContext } from './context.js';
import { describeBuffer } from './protective-price.js';
import { stopPriceType } from './protection.js';
import type { Direction } from './side.js';
import { distancesAt, type ExitRules } from './trail-plan.js';
import type { Segment } from '../broker/segment.js';

// The exchange's order rules as the engine applies them at start: the freeze quantity, the stop
// the exchange takes for this segment, and whether the side may be short on it.

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

/**
 * A short side on an option is writing it: the broker blocks margin many times the premium and
 * the loss is not limited to it. Refused without ALLOW_OPTION_WRITING=true, naming both settings.
 * Null when allowed (long only, not an option, or writing allowed).
 */
export function optionWritingProblem(direction: Direction | undefined, allowOptionWriting: boolean | undefined, segment: Segment, instrument: string): string | null {
  if (segment !== 'option' || direction === undefined || direction === 'long' || allowOptionWriting === true) return null;
  return `invalid DIRECTION = ${direction}: ${instrument} is an option, and a short option is written (margin many times the premium, a loss not limited to it); set ALLOW_OPTION_WRITING=true to allow it, or DIRECTION=long`;
}

/** TRAIL_TRIGGER_RUPEES without a step (or a step without a trigger) trails nothing: a configuration error, named with both settings. */
export function trailSettingsProblem(r: ExitRules | undefined, lots: number): string | null {
  if (!r) return null;
  if ((r.partialLots ?? 0) >= lots && (r.partialLots ?? 0) > 0) return `invalid PARTIAL_TARGET_LOTS = ${r.partialLots}: it must be fewer than LOTS = ${lots} (the rest carries on with its stop at break-even)`;
  const both = ([rupees, percent, name]: [number, number | undefined, string]): string | null =>
    rupees > 0 && (percent ?? 0) > 0 ? `invalid ${name}_PERCENT = ${percent}: ${name}_RUPEES = ${rupees} is set too; give the distance one way (set one of them to 0)` : null;
  const pairs: [number, number | undefined, string][] = [
    [r.trailTrigger, r.trailTriggerPercent, 'TRAIL_TRIGGER'],
    [r.trailStep, r.trailStepPercent, 'TRAIL_STEP'],
    [r.breakevenAfter, r.breakevenAfterPercent, 'BREAKEVEN_AFTER'],
    [r.partialRupees ?? 0, r.partialPercent, 'PARTIAL_TARGET'],
  ];
  for (const pair of pairs) {
    const problem = both(pair);
    if (problem) return problem;
  }
  const partialLots = r.partialLots ?? 0;
  const partialRupees = distancesAt(r, 1).partial;
  const partialGiven = (r.partialRupees ?? 0) > 0 ? `PARTIAL_TARGET_RUPEES = ${r.partialRupees}` : `PARTIAL_TARGET_PERCENT = ${r.partialPercent ?? 0}`;
  if (partialLots > 0 && partialRupees <= 0) return `invalid PARTIAL_TARGET_RUPEES = ${r.partialRupees ?? 0}: PARTIAL_TARGET_LOTS = ${partialLots} books lots at a distance > 0 in favour (PARTIAL_TARGET_RUPEES or PARTIAL_TARGET_PERCENT; or set PARTIAL_TARGET_LOTS=0)`;
  if (partialRupees > 0 && partialLots <= 0) return `invalid PARTIAL_TARGET_LOTS = ${partialLots}: ${partialGiven} needs a number of lots to book (or set the distance to 0)`;
  const d = distancesAt(r, 1);
  const trigger = r.trailTrigger > 0 ? `TRAIL_TRIGGER_RUPEES = ${r.trailTrigger}` : `TRAIL_TRIGGER_PERCENT = ${r.trailTriggerPercent ?? 0}`;
  const step = r.trailStep > 0 ? `TRAIL_STEP_RUPEES = ${r.trailStep}` : `TRAIL_STEP_PERCENT = ${r.trailStepPercent ?? 0}`;
  if (d.trailTrigger > 0 && d.trailStep <= 0) return `invalid TRAIL_STEP_RUPEES = ${r.trailStep}: ${trigger} arms a trailing stop, which needs a step > 0 (TRAIL_STEP_RUPEES or TRAIL_STEP_PERCENT; or set the trigger to 0)`;
  if (d.trailStep > 0 && d.trailTrigger <= 0) return `invalid TRAIL_TRIGGER_RUPEES = ${r.trailTrigger}: ${step} trails only once armed, at a trigger > 0 (TRAIL_TRIGGER_RUPEES or TRAIL_TRIGGER_PERCENT; or set the step to 0)`;
  return null;
}

/** One line for the start-up log: which stop goes out, and its limit buffer. */
export function describeStops(ctx: EngineContext): string {
  const { orderType, limitBuffer, chaseMs, chaseTries } = ctx.settings.stops;
  const type = stopPriceType(ctx);
  const why = orderType === 'auto' ? (ctx.segment === 'option' ? ' (option: the exchange refuses SL-M)' : ` (${ctx.segment}; SL where SL-M is refused)`) : '';
  return `stops: ${type}${why}, limit buffer ${describeBuffer(limitBuffer)}; a triggered stop left unfilled is chased every ${chaseMs} ms, ${chaseTries} tries, then sold at market`;
}
