import { z } from 'zod';

// The session guard's rules, pure: the day's figures, the limits and the time in; the trading
// state out (ACTIVE → REDUCING → HALTED), with the reason and the figures that tripped it. No
// broker calls, no clock, no I/O: the engine-side adapter (guard-watch.ts) feeds it and acts.
//
//   ACTIVE    entries allowed.
//   REDUCING  no new entries; the open trade finishes (protection, OCO, reconciliation carry on).
//             Becomes HALTED once flat — except a cooldown, which ends back in ACTIVE.
//   HALTED    flat, nothing working, no entries for the rest of the IST day (or until a
//             deliberate `random-scalp guard resume`). A HALTED engine that still holds
//             something (a restart mid-flatten) sells it.
//
// A loss-limit breach goes straight to HALTED with a flatten; every other limit goes through
// REDUCING. States are sticky within the day: a profit target reached stays reached even if the
// open trade then gives some back (only the loss limit can still make it worse).

/** The limits, in rupees / counts; 0 turns a limit off. */
export interface GuardLimits {
  /** MAX_DAILY_LOSS_RUPEES */
  maxDailyLoss: number;
  /** DAILY_PROFIT_TARGET_RUPEES */
  dailyProfitTarget: number;
  /** PROFIT_LOCK_RUPEES: once the day's peak reached this, a fall to half the peak trips. */
  profitLock: number;
  /** MAX_TRADES_PER_DAY */
  maxTradesPerDay: number;
  /** MAX_CONSECUTIVE_LOSSES */
  maxConsecutiveLosses: number;
  /** COOLDOWN_MINUTES (0 = the rest of the day) */
  cooldownMinutes: number;
}

export const NO_LIMITS: GuardLimits = { maxDailyLoss: 0, dailyProfitTarget: 0, profitLock: 0, maxTradesPerDay: 0, maxConsecutiveLosses: 0, cooldownMinutes: 0 };

export function anyLimit(l: GuardLimits): boolean {
  return l.maxDailyLoss > 0 || l.dailyProfitTarget > 0 || l.profitLock > 0 || l.maxTradesPerDay > 0 || l.maxConsecutiveLosses > 0;
}

export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
export type GuardReason = 'loss_limit' | 'profit_target' | 'profit_lock' | 'max_trades' | 'consecutive_losses' | 'cooldown';

/** The day's figures the limits are compared with. */
export interface GuardFigures {
  /** Realised P&L of the day's closed round trips, net of costs. */
  realised: number;
  /** The open position valued at LTP, net of its round trip's costs (0 when flat). */
  open: number;
  /** realised + open: the figure the money limits compare. */
  dayPnl: number;
  /** Round trips closed today. */
  trades: number;
  /** Losing round trips in a row (since the last win, resume or cooldown end). */
  lossStreak: number;
  /** Nothing held and nothing working. */
  flat: boolean;
}

/** The guard's part of the saved engine state. */
export interface GuardState {
  /** The IST day these figures belong to (follows the day P&L's day). */
  day: string;
  state: TradingState;
  reason: GuardReason | null;
  /** When the current state was entered (epoch ms). */
  since: number | null;
  /** The figures at the moment it tripped. */
  tripped: GuardFigures | null;
  /** Highest day P&L seen today, whole rupees (PROFIT_LOCK). */
  peak: number;
  /** End of a loss-streak cooldown (epoch ms). */
  cooldownUntil: number | null;
  /** Losses closed at or before this time no longer count in the streak (a cooldown ended, a resume). */
  streakFrom: number | null;
  /** Limits the trader waived for the rest of the day with `guard resume`. */
  waived: GuardReason[];
  /** Every halt and resume of the day, for `guard status` and the record. */
  history: { at: number; state: TradingState; reason: GuardReason | null; dayPnl: number; note: string }[];
}

export function initialGuardState(day: string): GuardState {
  return { day, state: 'ACTIVE', reason: null, since: null, tripped: null, peak: 0, cooldownUntil: null, streakFrom: null, waived: [], history: [] };
}

const figuresSchema = z.object({
  realised: z.number(),
  open: z.number(),
  dayPnl: z.number(),
  trades: z.number(),
  lossStreak: z.number(),
  flat: z.boolean(),
});
const reasonSchema = z.enum(['loss_limit', 'profit_target', 'profit_lock', 'max_trades', 'consecutive_losses', 'cooldown']);
const stateSchema = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);

export const guardStateSchema = z.object({
  day: z.string(),
  state: stateSchema,
  reason: reasonSchema.nullable(),
  since: z.number().nullable(),
  tripped: figuresSchema.nullable(),
  peak: z.number(),
  cooldownUntil: z.number().nullable(),
  streakFrom: z.number().nullable(),
  waived: z.array(reasonSchema),
  history: z.array(z.object({ at: z.number(), state: stateSchema, reason: reasonSchema.nullable(), dayPnl: z.number(), note: z.string() })),
});

/** What the rules decided on one look. */
export interface GuardDecision {
  next: GuardState;
  /** The state or reason changed: say so (log, event, bell on a halt). */
  changed: boolean;
  /** Sell what is held at market now (a loss-limit breach, or HALTED while holding). */
  flatten: boolean;
  /** A line for the log, when something changed. */
  message: string | null;
}

const rupees = (x: number): string => `${x < 0 ? '−' : ''}₹${Math.abs(x).toFixed(2)}`;

/** Words for a reason, as the trader reads it. */
export function reasonText(reason: GuardReason | null, limits: GuardLimits): string {
  switch (reason) {
    case 'loss_limit':
      return `daily loss limit −₹${limits.maxDailyLoss.toFixed(0)} reached`;
    case 'profit_target':
      return `daily profit target ₹${limits.dailyProfitTarget.toFixed(0)} reached`;
    case 'profit_lock':
      return `profit lock: gave back half of the day's peak (lock from ₹${limits.profitLock.toFixed(0)})`;
    case 'max_trades':
      return `${limits.maxTradesPerDay} trades today (MAX_TRADES_PER_DAY)`;
    case 'consecutive_losses':
      return `${limits.maxConsecutiveLosses} losses in a row (MAX_CONSECUTIVE_LOSSES)`;
    case 'cooldown':
      return `${limits.maxConsecutiveLosses} losses in a row: cooling down ${limits.cooldownMinutes} min`;
    case null:
      return 'no limit reached';
  }
}

export function figuresText(f: GuardFigures): string {
  return `day ${rupees(f.dayPnl)} (realised ${rupees(f.realised)}, open ${rupees(f.open)}), trades ${f.trades}, losses in a row ${f.lossStreak}`;
}

/** True when the day's P&L is at or past the loss limit. */
export function lossBreached(f: GuardFigures, limits: GuardLimits): boolean {
  // A hair of tolerance for float sums of two-decimal amounts.
  return limits.maxDailyLoss > 0 && f.dayPnl <= -limits.maxDailyLoss + 1e-9;
}

/** A limit other than the loss limit that says "no new entries", if any (first by precedence). */
function softTrip(g: GuardState, f: GuardFigures, limits: GuardLimits, peak: number): GuardReason | null {
  const open = (r: GuardReason): boolean => !g.waived.includes(r);
  if (limits.dailyProfitTarget > 0 && open('profit_target') && f.dayPnl >= limits.dailyProfitTarget - 1e-9) return 'profit_target';
  if (limits.profitLock > 0 && open('profit_lock') && peak >= limits.profitLock && f.dayPnl <= peak / 2) return 'profit_lock';
  if (limits.maxTradesPerDay > 0 && open('max_trades') && f.trades >= limits.maxTradesPerDay) return 'max_trades';
  if (limits.maxConsecutiveLosses > 0 && f.lossStreak >= limits.maxConsecutiveLosses) {
    return limits.cooldownMinutes > 0 ? 'cooldown' : 'consecutive_losses';
  }
  return null;
}

/**
 * One look at the day: the next guard state for these figures at `now`. `g` must belong to the
 * figures' day (the adapter resets it when the day P&L rolls over).
 */
export function evaluateGuard(g: GuardState, f: GuardFigures, limits: GuardLimits, now: number): GuardDecision {
  const next: GuardState = { ...g };
  const peak = limits.profitLock > 0 ? Math.max(g.peak, Math.floor(f.dayPnl)) : g.peak;
  next.peak = peak;
  const move = (state: TradingState, reason: GuardReason | null, note: string): GuardDecision => {
    next.state = state;
    next.reason = reason;
    next.since = now;
    next.tripped = state === 'ACTIVE' ? null : { ...f };
    next.history = [...g.history, { at: now, state, reason, dayPnl: f.dayPnl, note }].slice(-50);
    return { next, changed: true, flatten: state === 'HALTED' && !f.flat, message: `${state}: ${note} | ${figuresText(f)}` };
  };

  // The loss limit comes first whatever the state: it is the one that needs a flatten.
  if (lossBreached(f, limits) && !(g.state === 'HALTED' && g.reason === 'loss_limit')) {
    return move('HALTED', 'loss_limit', `${reasonText('loss_limit', limits)}${f.flat ? '' : ': flattening at market'}; no entries for the rest of the day`);
  }
  if (g.state === 'HALTED') {
    // Still holding while halted (a restart mid-flatten, an exit that did not fill): sell it.
    return { next, changed: false, flatten: !f.flat, message: null };
  }
  if (g.state === 'REDUCING') {
    if (g.reason === 'cooldown') {
      if (g.cooldownUntil !== null && now >= g.cooldownUntil) {
        next.cooldownUntil = null;
        next.streakFrom = now;
        return move('ACTIVE', null, 'cooldown over: entries allowed again');
      }
      return { next, changed: false, flatten: false, message: null };
    }
    if (f.flat) return move('HALTED', g.reason, `${reasonText(g.reason, limits)}: flat; no entries for the rest of the day`);
    return { next, changed: false, flatten: false, message: null };
  }
  const reason = softTrip(g, f, limits, peak);
  if (reason === null) return { next, changed: false, flatten: false, message: null };
  if (reason === 'cooldown') {
    next.cooldownUntil = now + limits.cooldownMinutes * 60_000;
    return move('REDUCING', 'cooldown', `${reasonText('cooldown', limits)}: no new entries until ${istHhmm(next.cooldownUntil)} IST`);
  }
  if (f.flat) return move('HALTED', reason, `${reasonText(reason, limits)}; no entries for the rest of the day`);
  return move('REDUCING', reason, `${reasonText(reason, limits)}: no new entries, the open trade finishes, then HALTED`);
}

/** Why the guard holds entries now, or null. A cooldown past its end already counts as over. */
export function guardHoldReason(g: GuardState, limits: GuardLimits, now: number): string | null {
  if (g.state === 'ACTIVE') return null;
  if (g.reason === 'cooldown' && g.cooldownUntil !== null && now >= g.cooldownUntil) return null;
  const until = g.reason === 'cooldown' && g.cooldownUntil !== null ? ` until ${istHhmm(g.cooldownUntil)} IST` : '';
  return `guard ${g.state}: ${reasonText(g.reason, limits)}${until}${g.state === 'HALTED' ? ' (random-scalp guard resume)' : ''}`;
}

/** Can a trader's `guard resume` be granted? null = yes, else why not. */
export function resumeRefusal(g: GuardState, f: GuardFigures, limits: GuardLimits): string | null {
  if (lossBreached(f, limits)) {
    return `the daily loss limit is still breached (${figuresText(f)}, limit −₹${limits.maxDailyLoss.toFixed(0)}): resume refused; raise MAX_DAILY_LOSS_RUPEES deliberately if you must`;
  }
  if (g.state === 'ACTIVE') return 'the guard is ACTIVE: nothing to resume';
  return null;
}

/** The trader resumed the day: back to ACTIVE; the limit that tripped is waived for today. */
export function resumeGuard(g: GuardState, f: GuardFigures, now: number): GuardState {
  const waived = g.reason && g.reason !== 'cooldown' && g.reason !== 'consecutive_losses' && !g.waived.includes(g.reason) ? [...g.waived, g.reason] : g.waived;
  return {
    ...g,
    state: 'ACTIVE',
    reason: null,
    since: now,
    tripped: null,
    cooldownUntil: null,
    // The streak starts again; the profit lock measures its give-back from here.
    streakFrom: now,
    peak: Math.floor(Math.max(0, f.dayPnl)),
    waived,
    history: [...g.history, { at: now, state: 'ACTIVE' as const, reason: null, dayPnl: f.dayPnl, note: 'resumed by the trader (guard resume)' }].slice(-50),
  };
}

function istHhmm(ms: number): string {
  return new Date(ms + 330 * 60_000).toISOString().slice(11, 16);
}
