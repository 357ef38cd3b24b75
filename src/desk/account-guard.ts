import type { Logger } from '../log/logger.js';
import type { GuardView } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { istParts } from '../time/ist.js';
import {
  anyLimit,
  evaluateGuard,
  figuresText,
  guardHoldReason,
  initialGuardState,
  resumeGuard,
  resumeRefusal,
  type GuardFigures,
  type GuardLimits,
  type GuardState,
} from '../engine/guard.js';
import { guardView, trailingLosses } from '../engine/guard-watch.js';
import type { ResumeRequests } from '../engine/guard-resume.js';
import type { StateFile } from '../engine/persistence.js';
import type { EngineEvent } from '../engine/events.js';

// The session guard over the whole account when one process trades several instruments. The
// same rules (guard.ts) on the figures summed over every instrument: the day's P&L (realised +
// open at LTP), the round trips, the losses in a row across instruments in closing order, flat
// only when every instrument is. A loss-limit breach flattens every instrument; any other limit
// holds every instrument's entries. Each instrument keeps its own guard for what is per
// instrument (MAX_TRADES_PER_INSTRUMENT). The account's state is saved per IST day in its own
// file, as each engine saves its own.

/** What the account guard needs of one instrument's engine. */
export interface AccountMember {
  readonly key: string;
  /** This instrument's day figures now (its own guard's figures). */
  figures(): GuardFigures;
  /** Today's closed round trips, in closing order. */
  trades(): readonly { closedAt: number; net: number }[];
  /** An entry may be at the broker, or a position is open: a round trip not yet in `figures().trades`. */
  tradeInProgress(): boolean;
  /** Sell what is held at market (the engine's guard flatten, which also retries). */
  flatten(): void;
  /** The account's hold changed: the engine re-evaluates why its entries are held. */
  holdChanged(): void;
  log: Logger;
  /** The engine's observers (alerts, journal): the first member announces account halts. */
  emit(event: EngineEvent): void;
}

export interface AccountGuardOptions {
  limits: GuardLimits;
  clock: Clock;
  stateFile: StateFile<GuardState>;
  resumeRequests: ResumeRequests | null;
  /** Where the desk shows it (the table's total row). */
  publish(view: GuardView): void;
}

export class AccountGuard {
  private readonly members: AccountMember[] = [];
  private state: GuardState;
  private halts = 0;
  private lastView = '';
  private looking = false;

  constructor(private readonly opts: AccountGuardOptions) {
    const today = istParts(opts.clock.now()).day;
    const saved = opts.stateFile.load();
    this.state = saved && saved.day === today ? saved : initialGuardState(today);
  }

  get limits(): GuardLimits {
    return this.opts.limits;
  }

  join(member: AccountMember): void {
    this.members.push(member);
  }

  /** The account's figures now: every instrument's, summed. */
  figures(): GuardFigures {
    let realised = 0;
    let open = 0;
    let trades = 0;
    let flat = true;
    const closed: { closedAt: number; net: number }[] = [];
    for (const m of this.members) {
      const f = m.figures();
      realised += f.realised;
      open += f.open;
      trades += f.trades;
      flat &&= f.flat;
      closed.push(...m.trades());
    }
    closed.sort((a, b) => a.closedAt - b.closedAt);
    const cents = (x: number): number => Math.round(x * 100) / 100;
    return { realised: cents(realised), open: cents(open), dayPnl: cents(realised + open), trades, lossStreak: trailingLosses(closed, this.state.streakFrom), flat };
  }

  /** Look at the account after any instrument's figures moved (a commit, a price). */
  look(): void {
    // A member's flatten or hold change may commit and look again: one look at a time.
    if (this.looking) return;
    this.looking = true;
    try {
      const now = this.opts.clock.now();
      const today = istParts(now).day;
      if (this.state.day !== today) {
        const before = this.state;
        this.state = initialGuardState(today);
        this.save();
        if (before.state !== 'ACTIVE') this.tell('info', `account: new IST day ${today}: ACTIVE (${before.day} ended ${before.state})`);
        this.holdChanged();
      }
      const f = this.figures();
      if (!anyLimit(this.opts.limits) && this.state.state === 'ACTIVE') {
        this.publish(f);
        return;
      }
      const d = evaluateGuard(this.state, f, this.opts.limits, now);
      if (d.changed || d.next.peak !== this.state.peak) {
        this.state = d.next;
        this.save();
      }
      if (d.changed && d.message) {
        this.announce(d.next.state, `account ${d.message}`, now);
        this.holdChanged();
      }
      this.publish(f);
      if (d.flatten) for (const m of this.members) if (!m.figures().flat) m.flatten();
    } finally {
      this.looking = false;
    }
  }

  /** Why the account holds entries now, or null. */
  heldReason(): string | null {
    const reason = guardHoldReason(this.state, this.opts.limits, this.opts.clock.now());
    return reason ? `account ${reason}` : null;
  }

  /**
   * Why the account holds an entry of the instrument `key` now, or null: its guard, or the day's
   * trade limit with the other instruments' trades in progress counted. Without them, every flat
   * instrument could enter on the same bar at the limit − 1 and exceed it by all but one.
   */
  entryHeldReason(key: string): string | null {
    const held = this.heldReason();
    if (held) return held;
    const max = this.opts.limits.maxTradesPerDay;
    if (max <= 0 || this.state.waived.includes('max_trades')) return null;
    const closed = this.figures().trades;
    const inProgress = this.members.filter((m) => m.key !== key && m.tradeInProgress()).length;
    if (closed + inProgress < max) return null;
    return `account trade limit: ${closed} closed + ${inProgress} in progress of ${max} today (MAX_TRADES_PER_DAY)`;
  }

  /** A `guard resume` for the account: checked against the summed figures, then applied. */
  takeResume(): void {
    const request = this.opts.resumeRequests?.take() ?? null;
    if (!request) return;
    if (request.day !== this.state.day) {
      this.tell('warn', `account resume request for ${request.day} ignored: today is ${this.state.day}`);
      return;
    }
    const f = this.figures();
    const refusal = resumeRefusal(this.state, f, this.opts.limits);
    if (refusal) {
      this.tell('warn', `account resume (${request.by}) refused: ${refusal}`);
      return;
    }
    const was = `${this.state.state} (${this.state.reason ?? 'no reason'})`;
    const now = this.opts.clock.now();
    this.state = resumeGuard(this.state, f, now);
    this.save();
    this.announce('ACTIVE', `account ACTIVE: resumed by the trader (${request.by}), was ${was} | ${figuresText(f)}`, now);
    this.holdChanged();
    this.publish(f);
  }

  private holdChanged(): void {
    for (const m of this.members) m.holdChanged();
  }

  private save(): void {
    this.opts.stateFile.save(this.state);
  }

  private tell(level: 'info' | 'warn', text: string): void {
    for (const m of this.members) m.log[level]('GUARD', text);
  }

  private announce(state: GuardState['state'], message: string, at: number): void {
    if (state === 'HALTED') this.halts++;
    this.tell(state === 'HALTED' ? 'warn' : 'info', message);
    // One alert for the account, not one per instrument.
    this.members[0]?.emit({ type: 'notable', at, kind: state === 'ACTIVE' ? 'resume' : 'halt', message: `guard ${message}` });
  }

  private publish(f: GuardFigures): void {
    const view = guardView(this.state, f, this.opts.limits, this.halts);
    const key = JSON.stringify(view);
    if (key === this.lastView) return;
    this.lastView = key;
    this.opts.publish(view);
  }
}
