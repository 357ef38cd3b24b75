import type { FeedHealth, FeedMode, FeedState, FeedView } from '../broker/feed.js';
import type { BrokerOrderStatus, OrderReport } from '../broker/types.js';
import type { Clock } from '../time/clock.js';

// Whether the push feed can be trusted with our orders right now, and what it owes us. Alive is
// what was proven in the last few seconds: a feed that is connected but stops delivering order
// updates ("silent") is found out by the expectations below, and then polling runs at full
// rate until the feed proves itself again.
//
// Expectations: after a placement, a push for that order is due within one OCO interval (a leg
// the broker rejects after accepting it must not wait for the safety poll); after
// a poll found a change, a push with that change is due within POLLED_CHANGE_GRACE_MS. An
// expectation that runs out marks order updates unreliable for at least RECOVER_MS, and until a
// push has arrived on time again.

/** The shortest wait for a new order's first push (the OCO interval is used when longer). */
export const MIN_PLACEMENT_GRACE_MS = 500;
export const POLLED_CHANGE_GRACE_MS = 2_000;
export const RECOVER_MS = 60_000;
/** Ticks older than this no longer stand in for the quote poll. */
export const TICK_STALE_MS = 3_000;

const TERMINAL: readonly BrokerOrderStatus[] = ['complete', 'cancelled', 'rejected'];

interface Expectation {
  at: number;
  graceMs: number;
  status: BrokerOrderStatus | null;
  filled: number;
  what: string;
}

export class PushWatch {
  private health: FeedHealth | null = null;
  private unreliable: { reason: string; since: number; provenSince: boolean } | null = null;
  private lastTickAt = Number.NEGATIVE_INFINITY;
  /** Dedupe keys (order id, status, filled) of pushes already taken, bounded. */
  private readonly seen = new Set<string>();
  /** The newest push per order id (status, filled, when). */
  private readonly lastPush = new Map<string, { status: BrokerOrderStatus; filled: number; at: number }>();
  private readonly expected = new Map<string, Expectation>();

  private readonly placementGraceMs: number;

  constructor(
    private readonly clock: Clock,
    readonly mode: FeedMode,
    /** How long a new order's first push may take (OCO_POLL_SECONDS). */
    placementGraceMs: number = MIN_PLACEMENT_GRACE_MS,
  ) {
    this.placementGraceMs = Math.max(MIN_PLACEMENT_GRACE_MS, placementGraceMs);
  }

  setHealth(health: FeedHealth): void {
    this.health = health;
  }

  get state(): FeedState {
    return this.health?.state ?? 'off';
  }

  /** Connected, subscribed to order updates, and not found wanting. */
  ordersTrusted(): boolean {
    return this.health?.state === 'live' && this.health.orders && this.unreliable === null;
  }

  /** Ticks are flowing for our symbol: quotes need not be polled. */
  ticksFlowing(): boolean {
    return this.health?.state === 'live' && this.health.ticks && this.clock.now() - this.lastTickAt < TICK_STALE_MS;
  }

  tick(): void {
    this.lastTickAt = this.clock.now();
  }

  /**
   * A pushed order update arrived: true the first time this (order id, status, filled) is seen,
   * false for a duplicate. Settles what was expected of the feed for that order.
   */
  firstSight(report: OrderReport): boolean {
    const key = `${report.orderId}|${report.status}|${report.filledQuantity}`;
    const now = this.clock.now();
    const prev = this.lastPush.get(report.orderId);
    if (!prev || report.filledQuantity >= prev.filled) this.lastPush.set(report.orderId, { status: report.status, filled: report.filledQuantity, at: now });
    const exp = this.expected.get(report.orderId);
    if (exp && satisfies(report.status, report.filledQuantity, exp)) {
      this.expected.delete(report.orderId);
      if (this.unreliable && now - exp.at <= exp.graceMs) this.unreliable.provenSince = true;
    }
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > 2_000) this.seen.delete(this.seen.values().next().value as string);
    if (this.lastPush.size > 500) this.lastPush.delete(this.lastPush.keys().next().value as string);
    return true;
  }

  /** We placed an order: its first push is due. */
  expectPlacement(orderId: string): void {
    if (!this.watching()) return;
    if (this.lastPush.has(orderId)) return; // it came before the REST answer did
    this.expected.set(orderId, { at: this.clock.now(), graceMs: this.placementGraceMs, status: null, filled: 0, what: `no update for new order ${orderId}` });
  }

  /** A poll found an order in a new state: the feed must have sent it (or send it very soon). */
  expectPolledChange(orderId: string, status: BrokerOrderStatus, filled: number): void {
    if (!this.watching()) return;
    const now = this.clock.now();
    const exp: Expectation = { at: now, graceMs: POLLED_CHANGE_GRACE_MS, status: TERMINAL.includes(status) ? status : null, filled, what: `a poll found order ${orderId} ${status} ${filled} filled that the feed never sent` };
    const prev = this.lastPush.get(orderId);
    if (prev && now - prev.at <= POLLED_CHANGE_GRACE_MS && satisfies(prev.status, prev.filled, exp)) return;
    this.expected.set(orderId, exp);
  }

  /**
   * Run on every tick and loop turn: an overdue expectation marks order updates unreliable
   * (returns 'unreliable' with the reason once), a proven feed is trusted again ('recovered').
   */
  review(): { change: 'unreliable' | 'recovered'; reason: string } | null {
    const now = this.clock.now();
    for (const [id, exp] of this.expected) {
      if (now - exp.at < exp.graceMs) continue;
      this.expected.delete(id);
      if (this.unreliable) continue;
      this.unreliable = { reason: exp.what, since: now, provenSince: false };
      return { change: 'unreliable', reason: exp.what };
    }
    if (this.unreliable && this.unreliable.provenSince && now - this.unreliable.since >= RECOVER_MS && this.health?.state === 'live') {
      const reason = this.unreliable.reason;
      this.unreliable = null;
      return { change: 'recovered', reason };
    }
    return null;
  }

  /** A fresh connection has not failed anyone yet; what it owed is re-read over REST anyway. */
  reconnected(): void {
    this.expected.clear();
  }

  view(): FeedView {
    return {
      mode: this.mode,
      state: this.state,
      reason: this.health?.reason ?? (this.mode === 'poll' ? 'FEED=poll' : null),
      rttMs: this.health?.rttMs ?? null,
      ordersTrusted: this.ordersTrusted(),
      unreliable: this.unreliable?.reason ?? null,
    };
  }

  private watching(): boolean {
    return this.health?.state === 'live' && this.health.orders;
  }
}

function satisfies(status: BrokerOrderStatus, filled: number, exp: Expectation): boolean {
  if (exp.status !== null) return status === exp.status;
  return filled >= exp.filled;
}
