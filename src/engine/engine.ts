import { setMaxListeners } from 'node:events';
import { AUTH_MESSAGE, describeError, isBrokerError } from '../broker/errors.js';
import { segmentOf } from '../broker/segment.js';
import { fallbackLotSize, fallbackTickSize } from '../broker/instruments.js';
import { tickGrid } from '../broker/ticks.js';
import type { Broker } from '../broker/types.js';
import type { Logger } from '../log/logger.js';
import type { AppStore } from '../store/store.js';
import type { ShutdownPhase } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import type { EngineCommands } from './commands.js';
import { notePrice, type EngineContext, type EngineSettings, type PhaseReporter } from './context.js';
import { daySummary } from './day-summary.js';
import { enter } from './entry.js';
import type { FeedMode, MarketFeed } from '../broker/feed.js';
import { FeedLink } from './feed-link.js';
import { rememberOrderBook } from './order-book-snapshot.js';
import { PushWatch } from './push-watch.js';
import { fanOut, type EngineEvent, type EngineObserver } from './events.js';
import { NO_LIMITS, type GuardFigures } from './guard.js';
import type { ResumeRequests } from './guard-resume.js';
import { GuardWatch, guardFigures } from './guard-watch.js';
import { instrumentBroker, type BrokerHealthFlags } from './instrumented-broker.js';
import { OrderNews } from './order-news.js';
import { OrderManager } from './order-manager.js';

export { GUARD_FLATTEN_RETRY_MS } from './order-manager.js';
import { noticeStopPrice } from './chase-start.js';
import { StopTrailer } from './stop-trailer.js';
import { partialDue } from './partial-target.js';
import { chaseDueAt, chasedOrders } from './stop-chase.js';
import { describeStops, freezeQuantityProblem, optionWritingProblem, trailSettingsProblem } from './exchange-rules.js';
import { isOpen } from './order-machine.js';
import { MarketDayWatcher } from './market-day.js';
import { targetPrice } from './protection.js';
import { publishState, stateSummary } from './publish.js';
import { entryHoldReason } from './risk-gate.js';
import { recover } from './recovery.js';
import { SerialLock } from './lock.js';
import { loadHistory, resolveInstrument, StartupError } from './start-up.js';
import { LoopWake, runEvery } from './loop-runner.js';
import { TradingCalendar } from '../time/schedule.js';
import { formatIstDateTime, istParts } from '../time/ist.js';
import { describePhase, heldQuantity, initialEngineState, nextTradeSide, openOrders, positionSide, type EngineState } from './state.js';
import { reachedInFavour } from './side.js';
import type { StateFile } from './persistence.js';
import { SavedState } from './saved-state.js';

/** How long the chase loop sleeps while nothing is chased (a starting chase wakes it at once). */
const CHASE_IDLE_MS = 60_000;

export interface EngineDeps {
  broker: Broker;
  clock: Clock;
  store: AppStore;
  log: Logger;
  settings: EngineSettings;
  stateFile: StateFile<EngineState>;
  /** Initial market-on-target setting (ENABLE_MARKET_ON_TARGET). */
  marketOnTarget: boolean;
  /** Live runs fail closed on an unknown symbol; paper may fall back. */
  failClosedOnUnknownSymbol: boolean;
  /** Those who record or announce what the engine does (journal, alerts). */
  observers?: readonly EngineObserver[];
  /** The push feed (ticks, order updates); none means polling only (FEED=poll). */
  feed?: MarketFeed;
  /** FEED: auto (push when it is live, else poll), push, poll. Default auto with a feed, poll without. */
  feedMode?: FeedMode;
  /** The OCO poll's interval while the feed is trusted with order updates (FEED_SAFETY_POLL_SECONDS). */
  safetyPollMs?: number;
  /** Where `random-scalp guard resume` leaves its request (see guard-resume.ts). */
  resumeRequests?: ResumeRequests;
  /** Several instruments: the guard over the whole account (src/desk/account-guard.ts). */
  account?: AccountLink;
  /**
   * Several instruments: polls and reconciliations fall on clock-aligned instants, so every
   * engine's read of the account's books is one shared read (src/desk/shared-reads.ts).
   */
  alignPolls?: boolean;
}

/** The engine's side of an account-level guard: told of every change, asked before every entry. */
export interface AccountLink {
  look(): void;
  /** Why the account holds an entry of this instrument (by its key) now, or null. */
  entryHeldReason(key: string): string | null;
}

/** While the feed is trusted, every safety poll reads the order book alone, and this often reads fills too. */
export const SAFETY_FULL_READ_MS = 20_000;
export const DEFAULT_SAFETY_POLL_MS = 5_000;

/** The next reconciliation after one that could not read the position book. */
export const RECONCILE_RETRY_MS = 2_000;

export class Engine implements EngineCommands {
  private readonly ctx: EngineContext;
  // Every locked task ends with a commit: the state file never lags an idle engine.
  private readonly lock = new SerialLock(
    () => {
      try {
        this.commit();
      } catch (err) {
        this.ctx.log.error('STATE', `state not saved after a task: ${describeError(err)}`);
      }
    },
    (task, err) => this.ctx.log.error('ENGINE', `${task} failed: ${describeError(err)}`),
  );
  private readonly calendar: TradingCalendar;
  private readonly marketDay: MarketDayWatcher;
  private readonly brokerFlags: BrokerHealthFlags;
  private readonly loops = new AbortController();
  private urgentController = new AbortController();
  /** Aborted (and renewed) when the OCO poll must stop waiting: the feed just lost our trust. */
  private readonly ocoWake = new LoopWake();
  /** Aborted when a chase starts while the chase loop sleeps idle: it looks at once. */
  private readonly chaseWake = new LoopWake();
  /** The exit rules (trailing stop, break-even, time stop) and the wake of their loop. */
  private readonly trailer: StopTrailer;
  private readonly exitRulesWake = new LoopWake();
  /** Cuts the reconciliation loop's sleep short when a reconciliation failed: it retries soon. */
  private readonly reconcileWake = new LoopWake();
  private readonly push: PushWatch;
  private readonly feedLink: FeedLink;
  /** What is done with our orders once a position exists (order-manager.ts). */
  private readonly orders: OrderManager;
  private running: Promise<void>[] = [];
  private recovered = false;
  private shuttingDown: Promise<number> | null = null;
  private readonly guard: GuardWatch;
  /**
   * The state as last saved, to skip writes that would change nothing; a change of the session
   * guard's marks, the bar count or the switches alone does not move `positionVersion`.
   */
  private readonly lastCommitted = new SavedState(['guard', 'barCount', 'lastSignalBar', 'paused', 'squaredOffDay', 'marketOnTarget']);
  /**
   * Goes up with every saved change of our orders or the position: a read made outside the lock
   * stands only if it did not move. Not with the session guard's marks, the bar count or the
   * switches (they change with every price and bar on a desk, and say nothing about what a read
   * of the books found): otherwise a desk's polls re-read under the lock and lose their shared reads.
   */
  private positionVersion = 0;
  private resolveStopped: (code: number) => void = () => {};
  /** Resolves with the exit code once a shutdown (however it was asked for) has finished. */
  readonly stopped: Promise<number> = new Promise((resolve) => {
    this.resolveStopped = resolve;
  });

  constructor(private readonly deps: EngineDeps) {
    // Every loop and every grace timer sleeps on this signal at once: more than Node's 10 is normal.
    setMaxListeners(100, this.loops.signal);
    const instrumented = instrumentBroker(deps.broker, deps.clock, deps.store, () => this.updateEntriesHeld());
    this.brokerFlags = instrumented.flags;
    this.calendar = new TradingCalendar(deps.settings.schedule);
    this.guard = new GuardWatch(deps.settings.guard ?? NO_LIMITS, deps.resumeRequests ?? null);
    const day = istParts(deps.clock.now()).day;
    const self = this;
    this.push = new PushWatch(deps.clock, deps.feed ? (deps.feedMode ?? 'auto') : 'poll', deps.settings.ocoPollMs);
    const engineObserver: EngineObserver = (event) => this.feedLink.observe(event);
    const emit = fanOut([engineObserver, ...(deps.observers ?? [])], (index, err) =>
      deps.log.error('ENGINE', `${index === 0 ? 'feed link' : `observer ${index}`} failed (${describeError(err)}): trading goes on without it`),
    );
    this.ctx = {
      broker: instrumented,
      clock: deps.clock,
      log: announcingCritical(deps.log, deps.clock, emit),
      emit,
      store: deps.store,
      settings: deps.settings,
      grid: tickGrid(fallbackTickSize(deps.settings.exchange)),
      lotSize: fallbackLotSize(deps.settings.symbol) ?? 1,
      segment: segmentOf(deps.settings.symbol, deps.settings.exchange),
      freezeQty: null,
      marketRefused: false,
      state: initialEngineState(day, deps.marketOnTarget),
      ltp: null,
      ltpAt: null,
      get urgent() {
        return self.urgentController.signal;
      },
      commit: () => this.commit(),
      entryHold: () => this.entryHold('sending'),
      orderNews: new OrderNews(deps.clock),
      noticeOrderBook: (rows) => {
        rememberOrderBook(this.ctx, rows);
        this.feedLink.noticeOrderBook(rows);
      },
    };
    this.trailer = new StopTrailer(this.ctx);
    this.orders = new OrderManager(this.ctx, this.lock, this.report, this.push, this.trailer, {
      summary: () => this.summary(),
      updateEntriesHeld: () => this.updateEntriesHeld(),
      shuttingDown: () => this.shuttingDown !== null,
      interruptWaits: () => this.urgentController.abort(),
      renewUrgent: () => {
        this.urgentController = new AbortController();
      },
      stateVersion: () => this.positionVersion,
      reconcileRetryDue: () => this.reconcileWake.wake(),
    });
    this.feedLink = new FeedLink(this.ctx, this.lock, this.push, this.loops.signal, {
      onPrice: (ltp) => this.onPrice(ltp),
      afterOrderNews: () => this.orders.ocoPass('none'),
      pollLegs: () => this.orders.ocoPass('full'),
      reconcile: () => this.orders.reconcileUntilSettled(),
      trustChanged: () => this.feedTrustChanged(),
    });
    this.marketDay = new MarketDayWatcher({
      broker: instrumented, exchange: deps.settings.exchange, calendar: this.calendar, clock: deps.clock, log: deps.log, store: deps.store,
      onChange: () => this.updateEntriesHeld(),
    });
    this.publishFeed();
  }

  private publishFeed(): void {
    this.deps.store.getState().feedChanged(this.push.view());
  }

  /** Less trust: the OCO poll stops waiting out its long safety interval and polls at full rate now. */
  private feedTrustChanged(): void {
    if (!this.push.ordersTrusted()) {
      this.ocoWake.wake();
    }
    this.publishFeed();
  }

  get state(): EngineState {
    return this.ctx.state;
  }

  /**
   * Save and publish the state, only when it changed: the polls commit after every read, and an
   * fsync'd write plus a redraw each time the broker says "still working" is work for nothing.
   */
  private commit(): void {
    // The guard looks at every change (a trade closed, a fill) before it is saved.
    const look = this.recovered ? this.guard.look(this.ctx) : null;
    const change = this.lastCommitted.changes(this.ctx.state);
    if (change.any) {
      this.lastCommitted.remember(this.ctx.state);
      if (change.beyondOverlooked) this.positionVersion += 1;
      this.deps.stateFile.save(this.ctx.state);
      publishState(this.deps.store, this.ctx.state, this.ctx.settings.stops.chaseTries);
    }
    if (this.recovered) this.deps.account?.look();
    if (this.chaseWake.idle && chasedOrders(this.ctx).length > 0) this.chaseWake.wake();
    // A position opened (the time stop counts from now) or a stop placed (the trail may move it).
    if (this.exitRulesWake.idle && (this.trailer.timeStopDueIn() !== null || this.trailer.moveDueIn() !== null)) this.exitRulesWake.wake();
    this.updateEntriesHeld();
    if (look?.flatten) this.orders.guardFlatten();
  }

  private summary(): void {
    this.ctx.log.info('STATE', stateSummary(this.ctx.state, this.ctx.grid));
  }

  private report: PhaseReporter = (phase, detail) => {
    this.deps.store.getState().shutdownPhaseChanged(phase, detail, this.ctx.clock.now());
    if (phase !== 'idle') this.ctx.log.info('ESCALATE', `${phase.replace(/_/g, ' ')}: ${detail}`);
  };

  /**
   * Why a new entry is held now, or null: the risk gate's one hold list. `for`: a bar's signal
   * (this instrument must be flat), the entry being sent now (which is itself the entry in
   * flight), or the dashboard's "entries held" line (which shows why entries wait, not that a
   * position is open).
   */
  private entryHold(purpose: 'signal' | 'sending' | 'display'): string | null {
    const { ctx } = this;
    const s = ctx.state;
    return entryHoldReason({
      shuttingDown: () => this.shuttingDown !== null,
      recovered: () => this.recovered,
      sessionExpired: () => this.brokerFlags.sessionExpired,
      reachable: () => this.brokerFlags.reachable,
      positionUnknown: () => this.orders.lastReconcile === 'unavailable',
      positionDiffers: () => this.orders.lastReconcile === 'deferred',
      marketClosed: () => this.marketDay.heldReason(ctx.clock.now()),
      sessionGuard: () => this.guard.heldReason(ctx),
      accountGuard: () => this.deps.account?.entryHeldReason(this.key) ?? null,
      paused: () => s.paused,
      squaredOff: () => s.squaredOffDay === istParts(ctx.clock.now()).day,
      notFlat: () => {
        if (purpose === 'display') return null;
        if (purpose === 'signal') return s.phase !== 'flat' ? `already ${describePhase(s)}` : null;
        return heldQuantity(s) !== 0 || openOrders(s).some((o) => o.role !== 'entry') ? `already holding ${heldQuantity(s)}` : null;
      },
    });
  }

  /** SYMBOL@EXCHANGE: this instrument's name on a desk. */
  private get key(): string {
    return `${this.ctx.settings.symbol}@${this.ctx.settings.exchange}`;
  }

  private updateEntriesHeld(): void {
    const reason = this.entryHold('display');
    if (this.deps.store.getState().entriesHeld !== reason) this.deps.store.getState().entriesHeldChanged(reason);
  }

  // ---- start-up ---------------------------------------------------------------------------

  /** Check the broker and the instrument, recover saved state, then start the loops. */
  async start(): Promise<void> {
    const { ctx } = this;
    const { settings } = ctx;
    let health;
    try {
      health = await ctx.broker.health();
    } catch (err) {
      if (isBrokerError(err, 'auth')) throw new StartupError(2, `cannot use the broker: ${AUTH_MESSAGE}`);
      throw new StartupError(2, `cannot reach the broker (${ctx.broker.label}): ${describeError(err)}`);
    }
    this.deps.store.getState().analyzerDetected(health.analyzer);
    ctx.log.info(
      'START',
      `broker ${ctx.broker.label} (${health.broker})${health.analyzer ? ' — ANALYZER MODE: orders are simulated by OpenAlgo, not sent to the exchange' : ''}`,
    );
    await resolveInstrument(ctx, this.deps.failClosedOnUnknownSymbol === true);
    const tooLarge = freezeQuantityProblem(settings.lots, ctx.lotSize, ctx.freezeQty, `${settings.symbol}@${settings.exchange}`);
    if (tooLarge) throw new StartupError(1, tooLarge);
    const writing = optionWritingProblem(settings.direction, settings.allowOptionWriting, ctx.segment, `${settings.symbol}@${settings.exchange}`);
    if (writing) throw new StartupError(1, writing);
    const trail = trailSettingsProblem(settings.exits, settings.lots);
    if (trail) throw new StartupError(1, trail);
    await this.marketDay.ensure(istParts(ctx.clock.now()).day);
    this.deps.store.getState().instrumentResolved({ lotSize: ctx.lotSize, tickSize: ctx.grid.tick });
    await loadHistory(ctx);

    const saved = this.deps.stateFile.load();
    const today = istParts(ctx.clock.now()).day;
    if (saved) {
      ctx.state = saved;
      ctx.state.marketOnTarget = this.deps.marketOnTarget || saved.marketOnTarget;
      this.rollDay(today);
    }
    this.commit();
    await this.lock.run(() => recover(ctx, this.report));
    this.recovered = true;
    this.commit();
    if (this.guard.takeResume(ctx)) this.commit();
    this.summary();
    ctx.log.info('START', `trading ${settings.symbol}@${settings.exchange} ${settings.lots} × ${ctx.lotSize}, tick ${ctx.grid.tick}; now ${formatIstDateTime(ctx.clock.now())}`);
    ctx.log.info('START', describeStops(ctx));
    await this.feedLink.seedOrderBook();
    if (this.deps.feed) this.feedLink.start(this.deps.feed);
    this.running = [this.quoteLoop(), this.barLoop(), this.ocoLoop(), this.reconcileLoop(), this.squareOffLoop(), this.chaseLoop(), this.exitRulesLoop()];
  }

  private rollDay(today: string): void {
    const s = this.ctx.state;
    if (s.pnl.day === today) return;
    if (s.pnl.day !== '') this.ctx.log.info('DAY', `new IST day ${today}: day P&L reset (yesterday ₹${s.pnl.realised.toFixed(2)}, ${s.pnl.trades} trades)`);
    s.pnl = { day: today, realised: 0, trades: 0, wins: 0, losses: 0 };
    s.trades = [];
    s.barCount = 0;
    this.commit();
  }

  // ---- loops ------------------------------------------------------------------------------

  /** Run `body` every `ms` until the engine stops (src/engine/loop-runner.ts). */
  private every(name: string, ms: number | (() => number), body: () => Promise<void>, wake?: () => AbortSignal, aligned = false): Promise<void> {
    return runEvery({ clock: this.ctx.clock, log: this.ctx.log, stop: this.loops.signal, alignPolls: this.deps.alignPolls === true }, name, ms, body, wake, aligned);
  }

  private quoteLoop(): Promise<void> {
    return this.every('quote poll', this.ctx.settings.quotePollMs, async () => {
      const { ctx } = this;
      if (this.guard.takeResume(ctx)) this.commit();
      const now = ctx.clock.now();
      void this.marketDay.ensure(istParts(now).day);
      this.deps.store.getState().clockTicked(
        now,
        this.calendar.session(now, ctx.state.squaredOffDay === istParts(now).day),
        this.calendar.nextBarClose(now),
      );
      this.feedLink.review();
      // Ticks stand in for quotes while they flow; a quiet instrument is still quoted.
      if (this.push.ticksFlowing()) return;
      try {
        const q = await ctx.broker.quote(ctx.settings.symbol, ctx.settings.exchange);
        this.onPrice(q.ltp, q.prevClose);
      } catch {
        return; // health shows it; protection does not depend on quotes
      }
    });
  }

  /** A new last traded price, however it arrived (a quote poll or a pushed tick): the one price path. */
  onPrice(ltp: number, prevClose: number | null = null): void {
    notePrice(this.ctx, ltp);
    this.deps.store.getState().quoteReceived(ltp, prevClose, this.ctx.clock.now());
    // The session guard's mark-to-market check runs on every price, not on a timer.
    if (this.recovered) {
      const look = this.guard.look(this.ctx);
      if (look.changed) this.commit();
      else {
        if (look.flatten) this.orders.guardFlatten();
        this.deps.account?.look();
      }
    }
    this.checkMarketOnTarget();
    // A stop seen triggered: saved, and the commit wakes the chase loop.
    if (noticeStopPrice(this.ctx, ltp)) this.commit();
    // The best price moves the trail (its loop sends the modify, rate-limited, the latest price
    // winning), or the partial target's level is reached: the loop is woken whether idle or
    // asleep for a later time stop.
    if (this.trailer.notePrice(ltp) || partialDue(this.ctx)) this.exitRulesWake.wake();
  }

  /**
   * The exit rules (stop-trailer.ts): a stop move when the best price wants one and the last
   * move is TRAIL_MIN_INTERVAL_MS old, and the time stop, each under the lock. Idle (until a
   * price or a commit wakes it) while neither is due.
   */
  private exitRulesLoop(): Promise<void> {
    const nextIn = (): number => {
      const due = [this.trailer.moveDueIn(), this.trailer.timeStopDueIn(), partialDue(this.ctx) ? 0 : null].filter((x): x is number => x !== null);
      return this.exitRulesWake.nextIn(due, CHASE_IDLE_MS);
    };
    return this.every('exit rules', nextIn, async () => {
      if (this.shuttingDown || !this.recovered) return;
      await this.lock.run(() => this.orders.exitRulesPass());
    }, () => this.exitRulesWake.signal);
  }

  /**
   * The chase of protective limits that rest unfilled (stop-chase.ts): each due step runs under
   * the lock; a stop still unfilled after every move is cancelled and the position sold at market.
   */
  private chaseLoop(): Promise<void> {
    const nextIn = (): number => {
      const now = this.ctx.clock.now();
      const due = chasedOrders(this.ctx).map((o) => chaseDueAt(this.ctx, o) - now);
      // Nothing chased: sleep until a commit that starts a chase wakes the loop (a fast-forwarded
      // day would otherwise wake it twice a second for nothing).
      return this.chaseWake.nextIn(due, CHASE_IDLE_MS);
    };
    return this.every('stop chase', nextIn, async () => {
      if (this.shuttingDown || !chasedOrders(this.ctx).some((o) => this.ctx.clock.now() >= chaseDueAt(this.ctx, o))) return;
      await this.lock.run(() => this.orders.chasePass());
    }, () => this.chaseWake.signal);
  }

  private checkMarketOnTarget(): void {
    const { ctx } = this;
    const s = ctx.state;
    if (!s.marketOnTarget || this.lock.busy || ctx.ltp === null) return;
    if (s.phase !== 'protected' && s.phase !== 'unprotected') return;
    const target = targetPrice(ctx);
    const side = positionSide(s);
    if (target === null || !reachedInFavour(side, ctx.ltp, target)) return;
    this.orders.marketOnTargetExit(target);
  }

  private barLoop(): Promise<void> {
    return this.every(
      'bar clock',
      () => Math.max(1, this.calendar.nextBarClose(this.ctx.clock.now()) - this.ctx.clock.now()),
      async () => this.onBarClose(this.ctx.clock.now()),
    );
  }

  /** A bar closed at `at`: every Nth close in session queues an entry (DIRECTION's side) for the next bar open (now). */
  async onBarClose(at: number): Promise<void> {
    const { ctx } = this;
    const s = ctx.state;
    this.rollDay(istParts(at).day);
    await this.marketDay.ensure(istParts(at).day);
    if (!this.calendar.entryAllowedAt(at)) return;
    if (s.lastSignalBar !== null && at <= s.lastSignalBar) return;
    s.barCount += 1;
    const signal = s.barCount % ctx.settings.tradeEveryNBars === 0;
    if (signal) s.lastSignalBar = at;
    this.commit();
    if (!signal) return;
    const held = this.entryHold('signal');
    if (held) {
      ctx.log.info('SIGNAL', `bar close ${formatIstDateTime(at)}: entry skipped (${held})`);
      return;
    }
    ctx.log.info('SIGNAL', `bar close ${formatIstDateTime(at)}: ${nextTradeSide(s, ctx.settings.direction)} entry queued for the bar open`);
    const signalLtp = ctx.ltp;
    await this.lock.run(async () => {
      if (this.entryHold('signal')) return;
      await enter(ctx, signalLtp);
      this.summary();
    });
  }

  private ocoLoop(): Promise<void> {
    const { settings } = this.ctx;
    const safetyMs = this.deps.safetyPollMs ?? DEFAULT_SAFETY_POLL_MS;
    return this.every(
      'OCO poll',
      () => (this.push.ordersTrusted() ? Math.max(settings.ocoPollMs, safetyMs) : settings.ocoPollMs),
      async () => {
        this.feedLink.review();
        const s = this.ctx.state;
        if (s.phase === 'flat' || s.phase === 'entering' || this.shuttingDown) return;
        // Trusted push: the order book alone says whether anything moved, and fills are read
        // now and then anyway. Otherwise every poll reads the fills.
        const now = this.ctx.clock.now();
        const depth = !this.push.ordersTrusted() || this.due(now, this.orders.lastFullLegRead, SAFETY_FULL_READ_MS) ? 'full' : 'light';
        // Read outside the lock, apply under it: a pushed fill never waits behind the poll's HTTP.
        await this.orders.pollLegs(depth);
      },
      () => this.ocoWake.signal,
      true,
    );
  }

  private reconcileLoop(): Promise<void> {
    // After a failed position-book read, look again soon rather than a whole interval later:
    // the position book is the only way to see a position closed (or opened) from outside.
    // Whoever ran the failed read (this loop, the OCO poll, the trader's r) wakes this loop,
    // which then looks every RECONCILE_RETRY_MS until a read agrees. Otherwise it sleeps until
    // the next one is due (a fast-forwarded day woke it every 2 s for nothing).
    const { reconcileMs } = this.ctx.settings;
    const retryMs = Math.min(RECONCILE_RETRY_MS, reconcileMs);
    const nextIn = (): number => {
      if (this.orders.reconcileRetrying) return retryMs;
      // Aligned polls sleep to the next boundary of the interval (the loop runner's job).
      if (this.deps.alignPolls) return reconcileMs;
      return Math.max(retryMs, this.orders.lastReconcileAt + reconcileMs - this.ctx.clock.now());
    };
    return this.every('reconciliation', nextIn, async () => {
      if (this.shuttingDown) return;
      const now = this.ctx.clock.now();
      const last = this.orders.lastReconcileAt;
      // Woken by a failure just now: the retry waits its RECONCILE_RETRY_MS.
      if (this.due(now, last, reconcileMs) || (this.orders.reconcileRetrying && this.due(now, last, retryMs))) await this.orders.reconcileWithPreRead();
    }, () => this.reconcileWake.signal, true);
  }

  /**
   * Is a periodic read due? `every` ms since the last; with aligned polls, once per clock-aligned
   * period instead, so every instrument's engine reads at the same instant and shares the read.
   */
  private due(now: number, last: number, every: number): boolean {
    if (this.deps.alignPolls) return Math.floor(now / every) > Math.floor(last / every);
    return now - last >= every;
  }

  private squareOffLoop(): Promise<void> {
    const nextSquareOff = (): number => {
      const now = this.ctx.clock.now();
      const today = this.calendar.squareOffAt(now);
      if (today === null) return 3_600_000; // off: look again in an hour
      // Started (or restarted after a crash) past today's square-off without having done it:
      // do it now, or a position recovered from before would be held overnight.
      if (today <= now && this.ctx.state.squaredOffDay !== istParts(now).day && this.calendar.isTradingDay(now)) return 1_000;
      return today > now ? today - now : today + 86_400_000 - now;
    };
    return this.every('square-off clock', nextSquareOff, async () => {
      const now = this.ctx.clock.now();
      const at = this.calendar.squareOffAt(now);
      if (at === null || now < at || !this.calendar.isTradingDay(now)) return;
      await this.squareOff();
    });
  }

  /** Square-off: no entries after it; cancel legs first, then sell at market and confirm. */
  async squareOff(): Promise<void> {
    const { ctx } = this;
    ctx.state.squaredOffDay = istParts(ctx.clock.now()).day;
    this.commit();
    ctx.log.info('SQUARE_OFF', `square-off time: no new entries today${heldQuantity(ctx.state) > 0 ? '; closing the position' : ''}`);
    await this.orders.squareOff();
    ctx.emit({ type: 'notable', at: ctx.clock.now(), kind: 'day_summary', message: daySummary(ctx.state) });
  }

  /** A crash, for tests and the crash suite: every loop stops at once, no broker call is made. */
  abandon(): void {
    this.loops.abort();
    this.urgentController.abort();
    void this.deps.feed?.stop();
  }

  // ---- the account (several instruments) --------------------------------------------------

  /** This instrument's day figures for the account guard. */
  dayFigures(): GuardFigures {
    return guardFigures(this.ctx.state, this.ctx.settings.costs, this.ctx.segment, this.guard.mark(this.ctx), this.ctx.clock.now());
  }

  /** An entry of ours may be at the broker, or a position is open: a trade in progress for the account's trade limit. */
  tradeInProgress(): boolean {
    const s = this.ctx.state;
    return heldQuantity(s) !== 0 || s.orders.some((o) => o.role === 'entry' && o.sent === true && isOpen(o.phase));
  }

  /** The account guard says sell: the guard's own flatten (retried while it still says so). */
  flattenForAccount(): void {
    if (this.recovered) this.orders.guardFlatten();
  }

  /** The account's hold changed: say why entries are held now. */
  refreshEntriesHeld(): void {
    this.updateEntriesHeld();
  }

  /** Observers (alerts, journal) hear an event of the account's. */
  announce(event: EngineEvent): void {
    this.ctx.emit(event);
  }

  // ---- commands ---------------------------------------------------------------------------

  flatten(): void {
    this.orders.flattenAtMarket('flatten');
  }

  toggleMarketOnTarget(): void {
    const s = this.ctx.state;
    s.marketOnTarget = !s.marketOnTarget;
    this.commit();
    this.ctx.log.info('MOT', `market-on-target ${s.marketOnTarget ? 'ON' : 'OFF'}`);
  }

  reconcileNow(): void {
    this.ctx.log.info('RECONCILE', 'reconcile requested');
    this.lock.spawn('reconciliation', () => this.orders.reconcileUntilSettled());
  }

  togglePause(): void {
    const s = this.ctx.state;
    s.paused = !s.paused;
    this.commit();
    this.ctx.log.info('PAUSE', s.paused ? 'new entries paused (protection keeps running)' : 'new entries resumed');
  }

  quit(): void {
    if (this.shuttingDown) {
      const open = openOrders(this.ctx.state).map((o) => `${o.role} ${o.orderId ?? '?'} ${o.phase}`);
      const phase = this.deps.store.getState().shutdown.phase;
      this.ctx.log.warn(
        'ESCALATE',
        `already shutting down (${phase.replace(/_/g, ' ')}); held ${heldQuantity(this.ctx.state)}; in flight: ${open.join(', ') || 'nothing'} — not abandoning the position`,
      );
      return;
    }
    void this.shutdown();
  }

  /** The graceful exit. Resolves with the exit code: 0 flat, 3 still holding a position. */
  shutdown(): Promise<number> {
    if (!this.shuttingDown) {
      this.shuttingDown = this.runShutdown();
      void this.shuttingDown.then((code) => this.resolveStopped(code));
    }
    return this.shuttingDown;
  }

  private async runShutdown(): Promise<number> {
    this.report('stopping_entries', 'no new entries');
    this.updateEntriesHeld();
    this.urgentController.abort();
    const code = await this.orders.gracefulExit(this.recovered);
    this.summary();
    this.loops.abort();
    await Promise.allSettled(this.running);
    await this.deps.feed?.stop();
    return code;
  }
}

/** The engine's logger: a CRITICAL line is also an event for the journal and alerts. */
function announcingCritical(log: Logger, clock: Clock, emit: EngineObserver): Logger {
  return {
    ...log,
    critical: (tag, text) => {
      log.critical(tag, text);
      emit({ type: 'notable', at: clock.now(), kind: 'critical', message: text });
    },
  };
}

export type { ShutdownPhase };
