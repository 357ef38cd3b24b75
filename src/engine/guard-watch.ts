import { round2 } from '../store/store.js';
import type { GuardView } from '../store/types.js';
import type { EngineContext } from './context.js';
import {
  anyLimit,
  evaluateGuard,
  figuresText,
  guardHoldReason,
  initialGuardState,
  reasonText,
  resumeGuard,
  resumeRefusal,
  type GuardFigures,
  type GuardLimits,
  type GuardState,
} from './guard.js';
import type { ResumeRequests } from './guard-resume.js';
import type { Segment } from '../broker/segment.js';
import { closingCosts, type CostConfig } from './pnl.js';
import { activeLeg, averageEntry, bought, heldQuantity, openOrders, positionSide, sold, type EngineState } from './state.js';
import { reachedAgainst } from './side.js';

/** A last price older than this (or three quote polls) no longer marks an open position on its own. */
export const STALE_MARK_MS = 5_000;

// The engine's side of the session guard: reads the day's figures from the engine state (and
// the last price), asks the rules in guard.ts, and records, logs, announces and publishes what
// changed. It never calls the broker: when the rules say flatten, the engine does it through
// its one escalating market exit.

/**
 * The day's figures from the engine's own books. The open position counts as if sold at `ltp`
 * now — what is already sold at its fills, the rest at LTP — less its round trip's costs (the
 * charges model on its fills plus one closing order at that price, and the slippage), so the
 * figure is the realised P&L the day would have if it were closed at this price. Without a
 * price (the CLI reading a saved file) the rest counts at the entry price.
 */
export function guardFigures(state: EngineState, costs: CostConfig, segment: Segment, ltp: number | null, at: number): GuardFigures {
  const b = bought(state);
  const s = sold(state);
  const held = b.qty - s.qty;
  let open = 0;
  if (b.qty > 0 || s.qty > 0) {
    const price = ltp ?? averageEntry(state) ?? 0;
    // The charges the round trip would pay if the rest were sold at this price now (same model as the close).
    open = round2(s.value + held * price - b.value - closingCosts(state, costs, segment, price, at));
  }
  const realised = state.pnl.realised;
  return {
    realised,
    open,
    dayPnl: round2(realised + open),
    trades: state.pnl.trades,
    lossStreak: trailingLosses(state.trades, state.guard.streakFrom),
    flat: state.phase === 'flat' && heldQuantity(state) === 0 && openOrders(state).length === 0,
  };
}

/** What the guard line (and the desk's account row) shows of a guard state and its figures. */
export function guardView(g: GuardState, f: GuardFigures, limits: GuardLimits, halts: number): GuardView {
  return {
    on: anyLimit(limits),
    state: g.state,
    reason: g.state === 'ACTIVE' ? null : reasonText(g.reason, limits),
    since: g.since,
    dayPnl: f.dayPnl,
    realised: f.realised,
    open: f.open,
    trades: f.trades,
    lossStreak: f.lossStreak,
    peak: g.peak,
    cooldownUntil: g.cooldownUntil,
    limits: { ...limits },
    halts,
  };
}

/** Losing round trips at the end of `trades` (closing order), since `from` (a streak restart). */
export function trailingLosses(trades: readonly { closedAt: number; net: number }[], from: number | null): number {
  const since = from ?? -Infinity;
  let n = 0;
  for (let i = trades.length - 1; i >= 0; i--) {
    const t = trades[i];
    // The same rule as the day's W/L count (addTrade): a trade that made nothing net is a loss.
    if (!t || t.closedAt <= since || t.net > 0) break;
    n++;
  }
  return n;
}

export interface GuardLook {
  /** The guard's saved state changed: commit it. */
  changed: boolean;
  /** Sell what is held at market (loss limit, or halted while still holding). */
  flatten: boolean;
}

export class GuardWatch {
  private halts = 0;
  private lastView = '';
  /** The mark's staleness was said (reset by a fresh price). */
  private staleSaid = false;

  constructor(
    readonly limits: GuardLimits,
    private readonly requests: ResumeRequests | null,
  ) {}

  /**
   * The price the open position is marked at. A last price older than STALE_MARK_MS (quotes
   * failing, the feed silent) is not trusted to say the loss is small: the position is marked at
   * the worse of it and its stop's trigger (where protection would close it), so a loss limit trips on
   * a stale mark sooner, never later. Said once each time the mark goes stale.
   */
  mark(ctx: EngineContext): number | null {
    const { ltp, ltpAt } = ctx;
    if (ltp === null || ltpAt === null) return ltp;
    const age = ctx.clock.now() - ltpAt;
    const staleAfter = Math.max(STALE_MARK_MS, 3 * ctx.settings.quotePollMs);
    if (age <= staleAfter || heldQuantity(ctx.state) <= 0) {
      this.staleSaid = false;
      return ltp;
    }
    const trigger = activeLeg(ctx.state, 'stop')?.request.triggerPrice ?? null;
    // The worse of the two for the position: the lower for a long, the higher for a short.
    const mark = trigger !== null && reachedAgainst(positionSide(ctx.state), trigger, ltp) && trigger !== ltp ? trigger : ltp;
    if (!this.staleSaid) {
      this.staleSaid = true;
      ctx.log.warn('GUARD', `last price ${ctx.grid.format(ltp)} is ${(age / 1000).toFixed(0)} s old: open P&L marked at ${mark === ltp ? 'it' : `the stop's trigger ${ctx.grid.format(mark)}`} until a fresh price`);
    }
    return mark;
  }

  /** Look at the day with the figures now: on every commit and every price. */
  look(ctx: EngineContext): GuardLook {
    const s = ctx.state;
    let changed = false;
    if (s.guard.day !== s.pnl.day) {
      // The day P&L rolled over (or an older state file had no guard): a new day starts ACTIVE.
      const before = s.guard;
      s.guard = initialGuardState(s.pnl.day);
      changed = true;
      if (before.day !== '' && before.state !== 'ACTIVE') {
        ctx.log.info('GUARD', `new IST day ${s.pnl.day}: ACTIVE (${before.day} ended ${before.state}: ${reasonText(before.reason, this.limits)})`);
      }
    }
    if (!anyLimit(this.limits) && s.guard.state === 'ACTIVE') {
      // No limits: nothing to watch, and the dashboard hides the guard line.
      if (this.lastView === '') this.publish(ctx, null);
      return { changed, flatten: false };
    }
    const figures = guardFigures(s, ctx.settings.costs, ctx.segment, this.mark(ctx), ctx.clock.now());
    const now = ctx.clock.now();
    const d = evaluateGuard(s.guard, figures, this.limits, now);
    if (d.changed || d.next.peak !== s.guard.peak) {
      s.guard = d.next;
      changed = true;
    }
    if (d.changed && d.message) this.announce(ctx, d.next.state, d.message, now);
    this.publish(ctx, figures);
    return { changed, flatten: d.flatten };
  }

  /** Why the guard holds entries now, or null. */
  heldReason(ctx: EngineContext): string | null {
    const g = ctx.state.guard;
    if (g.day !== ctx.state.pnl.day) return null;
    return guardHoldReason(g, this.limits, ctx.clock.now());
  }

  /**
   * A `guard resume` waiting for us: check it against the figures now and apply it, or say why
   * not. Returns true when the guard's state changed.
   */
  takeResume(ctx: EngineContext): boolean {
    const request = this.requests?.take() ?? null;
    if (!request) return false;
    const s = ctx.state;
    if (request.day !== s.guard.day) {
      ctx.log.warn('GUARD', `resume request for ${request.day} ignored: today is ${s.guard.day}`);
      return false;
    }
    const figures = guardFigures(s, ctx.settings.costs, ctx.segment, this.mark(ctx), ctx.clock.now());
    const refusal = resumeRefusal(s.guard, figures, this.limits);
    if (refusal) {
      ctx.log.warn('GUARD', `resume (${request.by}) refused: ${refusal}`);
      return false;
    }
    // The reason as it tripped (the limits may have been changed since, to get past a loss halt).
    const at = s.guard.tripped ? ` at day ${s.guard.tripped.dayPnl.toFixed(2)}` : '';
    const was = `${s.guard.state} (${s.guard.reason ?? 'no reason'}${at})`;
    const now = ctx.clock.now();
    s.guard = resumeGuard(s.guard, figures, now);
    this.announce(ctx, 'ACTIVE', `ACTIVE: resumed by the trader (${request.by}), was ${was} | ${figuresText(figures)}`, now);
    this.publish(ctx, figures);
    return true;
  }

  private announce(ctx: EngineContext, state: GuardView['state'], message: string, at: number): void {
    if (state === 'HALTED') {
      this.halts++;
      ctx.log.warn('GUARD', message);
    } else {
      ctx.log.info('GUARD', message);
    }
    ctx.emit({ type: 'notable', at, kind: state === 'ACTIVE' ? 'resume' : 'halt', message: `guard ${message}` });
  }

  private publish(ctx: EngineContext, figures: GuardFigures | null): void {
    const g = ctx.state.guard;
    const f = figures ?? guardFigures(ctx.state, ctx.settings.costs, ctx.segment, this.mark(ctx), ctx.clock.now());
    const view = guardView(g, f, this.limits, this.halts);
    const key = JSON.stringify(view);
    if (key === this.lastView) return;
    this.lastView = key;
    ctx.store.getState().guardChanged(view);
  }
}
