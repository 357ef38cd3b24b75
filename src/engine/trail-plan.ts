import type { Side } from './side.js';
import { sideSign } from './side.js';

// Exits that follow the trade, as one pure rule: where the stop's trigger should be now, given
// the best price the position has seen. All in ticks, in the side's terms through sideSign, so
// the same arithmetic serves a long (the stop rises) and a short (it falls). The stop only ever
// tightens, and stays at least `minGap` ticks short of the last price (a trigger the price has
// reached is refused by the exchange). Not the whole stop-limit buffer, as the issue first had
// it: at ₹100 that is ₹2 (2 %), at ₹25,000 ₹250, wider than the first stop itself (STOP_LOSS_RUPEES),
// so a trail could never move; the buffer goes where it protects, between an SL's trigger and limit.

/** TRAIL_*, BREAKEVEN_AFTER_RUPEES, TIME_STOP_MINUTES: all 0 / off by default. */
export interface ExitRules {
  /** TRAIL_TRIGGER_RUPEES: the trail arms once the best price is this far in favour (0 = no trail). */
  trailTrigger: number;
  /** TRAIL_STEP_RUPEES: continuous, the stop trails the best price by this; stepped, it moves by this for every step of move. */
  trailStep: number;
  /** TRAIL_MODE. */
  trailMode: 'continuous' | 'stepped';
  /** BREAKEVEN_AFTER_RUPEES: once this far in favour, the stop goes to entry + the round trip's charges per unit (0 = off). */
  breakevenAfter: number;
  /** TIME_STOP_MINUTES: a position open this long is closed at market (0 = off). */
  timeStopMinutes: number;
  /** TRAIL_MIN_INTERVAL_MS: at most one stop modify per this, per leg; the latest price wins. */
  minIntervalMs: number;
  /** PARTIAL_TARGET_LOTS at PARTIAL_TARGET_RUPEES in favour are booked at market; the rest's stop goes to break-even (0 = off). */
  partialLots?: number;
  partialRupees?: number;
  /** PARTIAL_TARGET_PERCENT: the partial target's distance as a percent of the entry (used where the ₹ form is 0). */
  partialPercent?: number;
  /** The *_PERCENT forms: the same distances as a percent of the entry price (used where the ₹ form is 0). */
  trailTriggerPercent?: number;
  trailStepPercent?: number;
  breakevenAfterPercent?: number;
}

export const NO_EXIT_RULES: ExitRules = { trailTrigger: 0, trailStep: 0, trailMode: 'continuous', breakevenAfter: 0, timeStopMinutes: 0, minIntervalMs: 250 };

/** The three distances in ₹ for a position entered at `entry`: each ₹ form, else its percent of the entry. */
export function distancesAt(r: ExitRules, entry: number): { trailTrigger: number; trailStep: number; breakevenAfter: number; partial: number } {
  const of = (rupees: number, percent: number | undefined): number => (rupees > 0 ? rupees : ((percent ?? 0) * entry) / 100);
  return {
    trailTrigger: of(r.trailTrigger, r.trailTriggerPercent),
    trailStep: of(r.trailStep, r.trailStepPercent),
    breakevenAfter: of(r.breakevenAfter, r.breakevenAfterPercent),
    partial: of(r.partialRupees ?? 0, r.partialPercent),
  };
}

/** Whether any rule moves the stop (the time stop does not; a partial target moves the rest's to break-even). */
export function movesStop(r: ExitRules): boolean {
  const d = distancesAt(r, 1);
  return (d.trailTrigger > 0 && d.trailStep > 0) || d.breakevenAfter > 0 || ((r.partialLots ?? 0) > 0 && d.partial > 0);
}

export type StopOrigin = 'trail' | 'breakeven';

export interface TrailInput {
  side: Side;
  /** The legs' anchor (the entry, see IGNORE_ENTRY_DELTA). */
  entry: number;
  /** The best price seen since entry (highest for a long, lowest for a short). */
  best: number;
  /** The stop's trigger as placed first (anchor − STOP_LOSS for a long). */
  initial: number;
  /** The stop's trigger now. */
  current: number;
  ltp: number;
  /** The closest the trigger may come to the last price, ticks (≥ 1). */
  minGap: number;
  /** Entry + the round trip's charges per unit, rounded in favour onto the grid: a true break-even. */
  breakeven: number;
  /** The rules' distances, in ticks. */
  trailTrigger: number;
  trailStep: number;
  trailMode: ExitRules['trailMode'];
  breakevenAfter: number;
  /** Break-even is due whatever the move (a partial target was booked: the rest's stop goes there). */
  breakevenNow?: boolean;
}

/** The trigger the rules want now, and which rule wants it; null to leave the stop where it is. */
export function plannedStop(x: TrailInput): { trigger: number; origin: StopOrigin } | null {
  const sign = sideSign(x.side);
  const favour = sign * (x.best - x.entry);
  let best: { trigger: number; origin: StopOrigin } | null = null;
  const consider = (trigger: number, origin: StopOrigin): void => {
    if (best === null || sign * (trigger - best.trigger) > 0) best = { trigger, origin };
  };
  if (x.trailTrigger > 0 && x.trailStep > 0 && favour >= x.trailTrigger) {
    if (x.trailMode === 'continuous') consider(x.best - sign * x.trailStep, 'trail');
    else {
      // One step of stop for every step of move past the arming distance (the first at arming).
      const steps = Math.floor((favour - x.trailTrigger) / x.trailStep) + 1;
      consider(x.initial + sign * steps * x.trailStep, 'trail');
    }
  }
  if ((x.breakevenAfter > 0 && favour >= x.breakevenAfter) || x.breakevenNow === true) consider(x.breakeven, 'breakeven');
  if (best === null) return null;
  const chosen: { trigger: number; origin: StopOrigin } = best;
  // Never at or through the last price: a long's trigger stays at most LTP − minGap.
  const limit = x.ltp - sign * Math.max(1, x.minGap);
  const trigger = sign * (chosen.trigger - limit) > 0 ? limit : chosen.trigger;
  if (trigger < 1 || sign * (trigger - x.current) <= 0) return null;
  return { trigger, origin: chosen.origin };
}
