import { isOurInstrument } from '../broker/instrument-match.js';
import type { FeedHealth, FeedListener, MarketFeed } from '../broker/feed.js';
import type { OrderReport } from '../broker/types.js';
import type { EngineContext } from './context.js';
import type { EngineEvent } from './events.js';
import type { SerialLock } from './lock.js';
import { isOpen, newOrder, type TrackedOrder } from './order-machine.js';
import { applyOrderReport } from './order-events.js';
import { cancelAndSettle } from './order-sync.js';
import { sameOrder } from './place-order.js';
import { isTerminal } from '../broker/order-status.js';
import type { PushWatch } from './push-watch.js';
import { activeLeg, openOrders, rememberOrderId } from './state.js';

// The push feed, seen from the engine: ticks go to the one price path, order updates to the one
// order path (applied under the engine's lock, or at once when the task holding it waits on that
// very order, then acted on exactly like a poll's findings),
// and the feed's health decides how hard polling has to work.

/** How long an unknown order on our symbol may be one of ours whose placement is still answering. */
export const UNKNOWN_ORDER_GRACE_MS = 1_000;

export interface FeedLinkHooks {
  /** The one price path. */
  onPrice(ltp: number): void;
  /** Act on order news already applied (the OCO reaction); runs under the lock. */
  afterOrderNews(): Promise<void>;
  /** Poll the legs now ('full') and act; runs under the lock. */
  pollLegs(): Promise<void>;
  /** Reconcile against the position book now; runs under the lock. */
  reconcile(why: string): Promise<void>;
  /** Trust in the feed changed: polling cadence and the header follow. */
  trustChanged(): void;
}

export class FeedLink {
  /** Pushes for orders on our symbol we do not know yet, by id: our placement may still be answering. */
  private readonly unknown = new Map<string, OrderReport>();
  /** Order ids on our symbol already judged as not ours. */
  private readonly outside = new Set<string>();
  private bookSeeded = false;
  /** When the price first crossed a working leg without an update for it, by leg order id + filled. */
  private readonly crossings = new Map<string, number>();
  private started = false;
  /** The feed has been live with order updates once in this run. */
  private everLive = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly lock: SerialLock,
    private readonly push: PushWatch,
    private readonly stopSignal: AbortSignal,
    private readonly hooks: FeedLinkHooks,
  ) {}

  start(feed: MarketFeed): void {
    if (this.started) return;
    this.started = true;
    const { symbol, exchange } = this.ctx.settings;
    const listener: FeedListener = {
      tick: (sym, ex, ltp) => this.onTick(sym, ex, ltp),
      orderUpdate: (report) => this.onOrderUpdate(report),
      health: (h) => this.onHealth(h),
      resync: () => this.onResync(),
      note: (level, text) => this.ctx.log[level]('FEED', text),
    };
    this.ctx.log.info('FEED', `${feed.label}: connecting (${this.push.mode === 'push' ? 'FEED=push' : 'FEED=auto: polling until it is live'})`);
    feed.start(listener, [{ symbol, exchange }]);
  }

  /** An engine event: a placement makes a push due, and releases pushes that came before its answer. */
  observe(event: EngineEvent): void {
    if (event.type !== 'order_placed') return;
    this.push.expectPlacement(event.orderId);
    const early = this.unknown.get(event.orderId);
    if (early) {
      this.unknown.delete(event.orderId);
      this.lock.spawn('pushed order update', () => this.applyPushed(early));
    }
  }

  /**
   * What the order book holds at start-up is history (reconciliation at start has dealt with
   * it): remember it, so only orders that appear later count as news. Optional: without it the
   * first read during trading serves.
   */
  async seedOrderBook(): Promise<void> {
    try {
      this.noticeOrderBook(await this.ctx.broker.orderBook({ fills: false }));
    } catch {
      // the first order book read while trading seeds it instead
    }
  }

  /** Every order book read: an order on our symbol that is neither ours nor seen before is someone else's. */
  noticeOrderBook(rows: readonly OrderReport[]): void {
    const fresh: OrderReport[] = [];
    for (const r of rows) {
      if (!this.onOurSymbol(r) || this.isOurs(r.orderId) || this.outside.has(r.orderId)) continue;
      this.outside.add(r.orderId);
      // The first book read shows what was there before this run started: reconciliation at
      // start-up has dealt with those.
      if (this.bookSeeded) fresh.push(r);
    }
    this.bookSeeded = true;
    if (fresh.length > 0) this.outsideOrders(fresh, 'order book');
  }

  // ---- from the feed ------------------------------------------------------------------------

  private onTick(symbol: string, exchange: string, ltp: number): void {
    if (!isOurInstrument(this.ctx.settings, { symbol, exchange })) return;
    this.push.tick();
    this.hooks.onPrice(ltp);
    this.checkCrossings(ltp);
    this.review();
  }

  private onOrderUpdate(report: OrderReport): void {
    if (!this.push.firstSight(report)) {
      this.ctx.log.debug('FEED', `duplicate update ${report.orderId} ${report.status} ${report.filledQuantity}: ignored`);
      return;
    }
    const order = this.findOrder(report.orderId);
    if (order) {
      this.clearCrossing(report.orderId);
      if (this.ctx.orderNews.awaited(order)) {
        // The task holding the lock is waiting on this very order (or watches it beside the one
        // it waits on): apply now and wake it (it acts on the order next); the OCO reaction
        // follows under the lock, as for any news.
        if (!applyOrderReport(this.ctx, order, report, 'push').changed) return;
        this.ctx.orderNews.wake(order);
        this.lock.spawn('pushed order update', () => this.hooks.afterOrderNews());
        return;
      }
      this.lock.spawn('pushed order update', () => this.applyPushed(report));
      return;
    }
    if (this.ctx.state.knownOrderIds.includes(report.orderId) || !this.onOurSymbol(report) || this.outside.has(report.orderId)) return;
    // An order of ours whose placement has not answered yet looks exactly like this: wait a
    // moment when one is in flight, else it is someone else's at once.
    const inFlight = this.ctx.state.orders.some((o) => o.orderId === null && isOpen(o.phase));
    if (!inFlight) {
      this.outside.add(report.orderId);
      this.outsideOrders([report], 'push');
      return;
    }
    this.unknown.set(report.orderId, report);
    void this.ctx.clock.sleep(UNKNOWN_ORDER_GRACE_MS, this.stopSignal).then(
      () => {
        const r = this.unknown.get(report.orderId);
        if (!r) return;
        this.unknown.delete(report.orderId);
        // Under the lock, so after the placement in flight has answered: if it turned out to
        // be this order (adopted after a timeout), the report is applied, not dropped.
        this.lock.spawn('pushed update of an unknown order', async () => {
          if (this.isOurs(r.orderId)) return this.applyPushed(r);
          if (this.outside.has(r.orderId)) return;
          this.outside.add(r.orderId);
          await this.reconcileOutside([r], 'push');
        });
      },
      () => {},
    );
  }

  private onHealth(h: FeedHealth): void {
    const before = this.push.view();
    this.push.setHealth(h);
    const after = this.push.view();
    if (before.state !== after.state || before.reason !== after.reason) {
      const why = h.reason ? `: ${h.reason}` : '';
      if (h.state === 'live') this.ctx.log.info('FEED', `live${h.orders ? ', order updates subscribed' : ''}${h.ticks ? ', ticks subscribed' : ''}${h.rttMs !== null ? `, ping ${h.rttMs} ms` : ''}`);
      else if (h.state === 'down') this.ctx.log.warn('FEED', `down${why}; polling at full rate`);
      else this.ctx.log.info('FEED', `${h.state}${why}`);
      if (h.state === 'down' && before.state === 'live') this.ctx.emit({ type: 'notable', at: this.ctx.clock.now(), kind: 'feed_down', message: `push feed down${why}` });
      if (h.state === 'live' && before.state !== 'live' && before.state !== 'off') this.ctx.emit({ type: 'notable', at: this.ctx.clock.now(), kind: 'feed_up', message: 'push feed live again' });
    }
    if (h.state === 'live' && h.orders && !this.everLive) {
      this.everLive = true;
      // Orders placed before the first subscription answered (recovery re-arms legs before the
      // feed connects) had their news before anyone listened, and a feed replays nothing: read
      // them once now, or a leg rejected meanwhile waits for the safety poll.
      if (openOrders(this.ctx.state).length > 0) this.lock.spawn('first read after the feed went live', () => this.hooks.pollLegs());
    }
    if (before.ordersTrusted !== after.ordersTrusted || before.rttMs !== after.rttMs || before.state !== after.state) this.hooks.trustChanged();
  }

  private onResync(): void {
    this.push.reconnected();
    this.ctx.log.info('FEED', 'subscribed again: re-reading the order book, trade book and position book (a feed replays nothing)');
    this.lock.spawn('re-read after the feed reconnected', async () => {
      await this.hooks.pollLegs();
      await this.hooks.reconcile('feed reconnected');
    });
  }

  // ---- under the lock -----------------------------------------------------------------------

  private async applyPushed(report: OrderReport): Promise<void> {
    const order = this.findOrder(report.orderId);
    if (!order) return;
    const { changed } = applyOrderReport(this.ctx, order, report, 'push');
    if (changed) await this.hooks.afterOrderNews();
    else this.ctx.commit(); // nothing to act on, but a report still touches the order (its miss count)
  }

  private outsideOrders(rows: OrderReport[], seenBy: 'push' | 'order book'): void {
    this.lock.spawn(`outside order (${seenBy})`, () => this.reconcileOutside(rows, seenBy));
  }

  private async reconcileOutside(rows: OrderReport[], seenBy: 'push' | 'order book'): Promise<void> {
    // One of ours after all: an order recovery wrote off as "never reached the broker" (the
    // broker hid it for longer than the lookups waited) and re-placed. It is a duplicate leg at
    // the broker: track it and cancel it, or it would sell what the re-placed leg already covers.
    for (const row of rows) {
      const lost = this.ctx.state.orders.find((o) => o.phase === 'cancelled' && o.reason === 'never reached the broker' && sameOrder(o.request, row));
      if (!lost || isTerminal(row.status)) continue;
      const dup = newOrder(lost.role, lost.request, this.ctx.clock.now());
      dup.orderId = row.orderId;
      dup.retired = true;
      this.ctx.state.orders.push(dup);
      rememberOrderId(this.ctx.state, row.orderId);
      applyOrderReport(this.ctx, dup, row, 'reconcile');
      this.ctx.log.warn('RECOVERY', `order ${row.orderId} is the ${lost.role} written off after the restart, reached the broker late: cancelling the duplicate`);
      await cancelAndSettle(this.ctx, dup, 'duplicate of a leg re-placed after a restart');
      this.ctx.commit();
    }
    const what = rows.map((r) => `${r.action} ${r.quantity} ${r.status} (${r.orderId})`).join(', ');
    this.ctx.log.warn('RECONCILE', `order on ${this.ctx.settings.symbol} that is not ours, seen by ${seenBy}: ${what}; reconciling now`);
    await this.hooks.reconcile('outside order');
  }

  // ---- the net under the feed ---------------------------------------------------------------

  /**
   * A pushed price through a working leg with no update for it: the fill may be one the feed
   * lost. After one OCO interval without news, poll at once (and a change the poll finds
   * marks the feed unreliable).
   */
  private checkCrossings(ltp: number): void {
    if (!this.push.ordersTrusted()) {
      this.crossings.clear();
      return;
    }
    const now = this.ctx.clock.now();
    const open = new Set<string>();
    for (const leg of [activeLeg(this.ctx.state, 'target'), activeLeg(this.ctx.state, 'stop')]) {
      if (!leg || leg.orderId === null || !isOpen(leg.phase)) continue;
      const key = `${leg.orderId}|${leg.filled}`;
      open.add(key);
      // Once touched, a leg stays suspect even if the price moves back: it may have filled on
      // that touch, and only an update for it (or the poll below) settles that.
      if (crossed(leg, ltp) && !this.crossings.has(key)) this.crossings.set(key, now);
    }
    let poll = false;
    for (const [key, since] of this.crossings) {
      if (!open.has(key)) this.crossings.delete(key);
      else if (now - since >= this.ctx.settings.ocoPollMs) {
        this.crossings.delete(key);
        poll = true;
        this.ctx.log.debug('FEED', `LTP went through ${key.split('|')[0]} ${now - since} ms ago with no update for it: polling now`);
      }
    }
    if (poll) this.lock.spawn('poll after a price crossing', () => this.hooks.pollLegs());
  }

  private clearCrossing(orderId: string): void {
    for (const key of this.crossings.keys()) if (key.startsWith(`${orderId}|`)) this.crossings.delete(key);
  }

  /** Settle what the feed owes: called on every tick and every loop turn. */
  review(): void {
    const r = this.push.review();
    if (!r) return;
    if (r.change === 'unreliable') this.ctx.log.warn('FEED', `order updates unreliable (${r.reason}): polling at full rate until the feed proves itself again`);
    else this.ctx.log.info('FEED', `order updates reliable again (${r.reason} was a while ago): safety polling`);
    this.hooks.trustChanged();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private findOrder(orderId: string): TrackedOrder | undefined {
    return this.ctx.state.orders.find((o) => o.orderId === orderId);
  }

  private isOurs(orderId: string): boolean {
    return this.findOrder(orderId) !== undefined || this.ctx.state.knownOrderIds.includes(orderId);
  }

  private onOurSymbol(r: OrderReport): boolean {
    return isOurInstrument(this.ctx.settings, r);
  }
}

/** The price reached a leg's level: a target's limit (a sale's from below, a purchase's from above), a stop's trigger. */
function crossed(leg: TrackedOrder, ltp: number): boolean {
  const sells = leg.request.action === 'SELL';
  if (leg.role === 'target') return leg.request.price !== undefined && (sells ? ltp >= leg.request.price : ltp <= leg.request.price);
  return leg.request.triggerPrice !== undefined && (sells ? ltp <= leg.request.triggerPrice : ltp >= leg.request.triggerPrice);
}
