import { describeError } from '../broker/errors.js';
import type { EngineContext } from './context.js';
import { isOpen, openQuantity, type TrackedOrder } from './order-machine.js';
import { applyOrderReport } from './order-events.js';
import { refreshOrder } from './order-sync.js';
import { closingCosts } from './pnl.js';
import { initialStopTrigger } from './protection.js';
import { protectiveLimitTicks } from './protective-price.js';
import { closeAction, sideSign } from './side.js';
import { activeLeg, heldQuantity, opened, positionSide } from './state.js';
import { NO_EXIT_RULES, distancesAt, movesStop, plannedStop, type ExitRules, type StopOrigin } from './trail-plan.js';

// The exit rules at work: the best price is followed on every price (the one price path calls
// notePrice), and when the rules want the stop tighter, one modifyorder moves its trigger (and
// an SL's limit with it) — at most one per TRAIL_MIN_INTERVAL_MS, the latest price winning. A
// modify refused or lost (the stop already triggered or filled) is settled by reading the order,
// never by sending a second stop. The time stop says when a position has been open too long.

/**
 * A true break-even, in ticks: the anchor plus what the round trip pays (the charges of its
 * fills so far and one closing order at `price`) per unit opened, rounded in favour onto the
 * grid. Per unit opened, not per unit still held: after a partial target the rest's stop sits
 * at entry + its share of the charges, not at a price that spends the partial's profit.
 */
function breakevenTicks(ctx: EngineContext, price: number): number {
  const s = ctx.state;
  const { grid } = ctx;
  const perUnit = closingCosts(s, ctx.settings.costs, ctx.segment, price, ctx.clock.now()) / Math.max(1, opened(s).qty);
  return grid.toTicks(s.anchor ?? price) + sideSign(positionSide(s)) * Math.ceil(perUnit / grid.tick - 1e-9);
}

export class StopTrailer {
  /** The best price of the position keyed by its open time (in memory; saved with each move). */
  private best: { key: number; price: number } | null = null;
  private lastMoveAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly ctx: EngineContext) {}

  get rules(): ExitRules {
    return this.ctx.settings.exits ?? NO_EXIT_RULES;
  }

  /** A price: the best seen moves with it. True when the stop should move (now or once the interval allows). */
  notePrice(ltp: number): boolean {
    if (!movesStop(this.rules)) return false;
    const s = this.ctx.state;
    if (s.openedAt === null || s.anchor === null || heldQuantity(s) <= 0) {
      this.best = null;
      return false;
    }
    const sign = sideSign(positionSide(s));
    if (this.best === null || this.best.key !== s.openedAt) this.best = { key: s.openedAt, price: s.trail?.best ?? ltp };
    if (sign * (ltp - this.best.price) > 0) this.best.price = ltp;
    return this.plan() !== null;
  }

  /** The stop was modified by another path (the partial target's cut): the next move waits the interval from now. */
  noteMoved(): void {
    this.lastMoveAt = this.ctx.clock.now();
  }

  /** When the next stop move may go out, ms from now; null when none is wanted. */
  moveDueIn(): number | null {
    if (!movesStop(this.rules) || this.plan() === null) return null;
    return Math.max(0, this.lastMoveAt + this.rules.minIntervalMs - this.ctx.clock.now());
  }

  /** When the time stop is due, ms from now; null when off or flat. */
  timeStopDueIn(): number | null {
    const minutes = this.rules.timeStopMinutes;
    const s = this.ctx.state;
    if (minutes <= 0 || s.openedAt === null || heldQuantity(s) <= 0 || (s.phase !== 'protected' && s.phase !== 'unprotected')) return null;
    return Math.max(0, s.openedAt + minutes * 60_000 - this.ctx.clock.now());
  }

  /** The stop leg the rules may move: working, not triggered (a chase owns it then), with an id. */
  private stop(): TrackedOrder | null {
    const stop = activeLeg(this.ctx.state, 'stop');
    if (!stop || stop.orderId === null || !isOpen(stop.phase) || stop.chase || stop.request.triggerPrice === undefined || openQuantity(stop) <= 0) return null;
    return stop;
  }

  /** The trigger the rules want now (ticks), from the best price and the last one. */
  private plan(): { trigger: number; origin: StopOrigin; stop: TrackedOrder } | null {
    const { ctx } = this;
    const s = ctx.state;
    const stop = this.stop();
    const first = initialStopTrigger(ctx);
    if (!stop || this.best === null || ctx.ltp === null || s.anchor === null || first === null || stop.request.triggerPrice === undefined) return null;
    const { grid } = ctx;
    const side = positionSide(s);
    const r = this.rules;
    const ltpTicks = grid.toTicks(ctx.ltp);
    const entryTicks = grid.toTicks(s.anchor);
    const d = distancesAt(r, s.anchor);
    const ticksOf = (rupees: number): number => (rupees > 0 ? Math.max(1, Math.round(rupees / grid.tick)) : 0);
    const planned = plannedStop({
      side,
      entry: entryTicks,
      best: grid.toTicks(this.best.price),
      initial: grid.toTicks(first),
      current: grid.toTicks(stop.request.triggerPrice),
      ltp: ltpTicks,
      minGap: 1,
      // The charges model runs only when a break-even can be wanted (this is on every tick).
      breakeven: d.breakevenAfter > 0 || s.partialTaken === true ? breakevenTicks(ctx, ctx.ltp) : entryTicks,
      // A percent form rounds onto the grid (at least a tick where it is on at all).
      trailTrigger: ticksOf(d.trailTrigger),
      trailStep: ticksOf(d.trailStep),
      trailMode: r.trailMode,
      breakevenAfter: ticksOf(d.breakevenAfter),
      // Derived from the saved flag, so a restart after the partial still moves the rest's stop.
      breakevenNow: s.partialTaken === true,
    });
    return planned ? { ...planned, stop } : null;
  }

  /** Under the lock: move the stop where the rules want it, if they do and the interval allows. True when the stop was modified. */
  async step(): Promise<boolean> {
    if ((this.moveDueIn() ?? 1) > 0) return false;
    const planned = this.plan();
    if (!planned) return false;
    return this.moveStop(planned.stop, planned.trigger, planned.origin, this.nextStepAt(planned.trigger));
  }

  /**
   * Where the trail moves the stop next, for the legs panel: stepped, the price of the next step
   * (entry + trigger + one more step of move); continuous, any new best price (one tick past it).
   */
  private nextStepAt(triggerTicks: number): number | undefined {
    const { ctx } = this;
    const s = ctx.state;
    const first = initialStopTrigger(ctx);
    if (s.anchor === null || first === null || this.best === null) return undefined;
    const { grid } = ctx;
    const sign = sideSign(positionSide(s));
    const d = distancesAt(this.rules, s.anchor);
    const step = Math.max(1, Math.round(d.trailStep / grid.tick));
    if (this.rules.trailMode === 'continuous') return grid.fromTicks(grid.toTicks(this.best.price) + sign);
    const steps = Math.round((sign * (triggerTicks - grid.toTicks(first))) / step);
    return grid.fromTicks(grid.toTicks(s.anchor) + sign * (Math.max(1, Math.round(d.trailTrigger / grid.tick)) + steps * step));
  }

  /**
   * One modifyorder of the stop's trigger (an SL's limit with it). Saved before it is sent: a
   * crash after the broker took it, before a save, must not leave a file that believes the older,
   * looser trigger (the next move from there could loosen the stop at the broker). Refused or
   * lost, the order is read and the broker's trigger is taken as the truth: what the engine
   * believes is never looser than what the broker holds, so a move is always a tightening there.
   */
  private async moveStop(stop: TrackedOrder, triggerTicks: number, origin: StopOrigin, next?: number): Promise<boolean> {
    const { ctx } = this;
    const { grid } = ctx;
    const side = positionSide(ctx.state);
    const old = stop.request.triggerPrice ?? 0;
    const trigger = grid.fromTicks(triggerTicks);
    const moved = {
      ...stop.request,
      triggerPrice: trigger,
      ...(stop.request.priceType === 'SL' ? { price: grid.fromTicks(protectiveLimitTicks(closeAction(side), triggerTicks, ctx.settings.stops.limitBuffer, grid)) } : {}),
    };
    this.lastMoveAt = ctx.clock.now();
    const best = this.best?.price ?? ctx.ltp ?? old;
    const from = ctx.state.trail?.from ?? old;
    stop.request = moved;
    ctx.state.trail = { trigger, origin, from, best, moves: (ctx.state.trail?.moves ?? 0) + 1, ...(next !== undefined ? { next } : {}) };
    ctx.commit();
    try {
      await ctx.broker.modifyOrder(stop.orderId ?? '', moved);
    } catch (err) {
      // Refused or lost (triggered, filled, cancelled meanwhile, or a 5xx): the order says what it is now.
      ctx.log.warn(origin === 'trail' ? 'TRAIL' : 'BREAKEVEN', `stop ${stop.orderId} not moved to ${grid.format(trigger)} (${describeError(err)}): reading it`);
      await this.readStop(stop);
      ctx.commit();
      return false;
    }
    const arrow = side === 'long' ? '↑' : '↓';
    const message =
      origin === 'trail'
        ? `stop ${stop.orderId} ${grid.format(old)} → ${grid.format(trigger)} ${arrow} (best ${grid.format(best)}, LTP ${grid.format(ctx.ltp ?? best)}; from ${grid.format(from)})`
        : `stop ${stop.orderId} ${grid.format(old)} → ${grid.format(trigger)}: entry plus the round trip's charges (LTP ${grid.format(ctx.ltp ?? best)})`;
    ctx.log.info(origin === 'trail' ? 'TRAIL' : 'BREAKEVEN', message);
    ctx.emit({ type: 'notable', at: ctx.clock.now(), kind: origin === 'trail' ? 'stop_trailed' : 'stop_breakeven', message });
    ctx.commit();
    return true;
  }

  /** The stop as the broker has it: its state through the one report path, and its trigger (and limit) taken as they stand there. */
  private async readStop(stop: TrackedOrder): Promise<void> {
    const { ctx } = this;
    let report;
    try {
      report = await ctx.broker.orderStatus(stop.orderId ?? '');
    } catch {
      // Unreadable now: the belief stays the tighter trigger (never looser than the broker's); the next poll reads it.
      await refreshOrder(ctx, stop);
      return;
    }
    applyOrderReport(ctx, stop, report, 'poll');
    if (!isOpen(stop.phase) || !(report.triggerPrice > 0) || report.triggerPrice === stop.request.triggerPrice) return;
    stop.request = { ...stop.request, triggerPrice: report.triggerPrice, ...(stop.request.priceType === 'SL' && report.price > 0 ? { price: report.price } : {}) };
    const t = ctx.state.trail;
    if (t) {
      if (report.triggerPrice === t.from) delete ctx.state.trail;
      else ctx.state.trail = { ...t, trigger: report.triggerPrice };
    }
  }
}
