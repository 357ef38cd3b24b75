import { setMaxListeners } from 'node:events';
import { AUTH_MESSAGE, describeError, isBrokerError } from '../broker/errors.js';
import { segmentOf } from '../broker/segment.js';
import { fallbackLotSize, fallbackTickSize } from '../broker/instruments.js';
import { tickGrid } from '../broker/ticks.js';
import type { Broker, BrokerOrderStatus } from '../broker/types.js';
import type { Logger } from '../log/logger.js';
import type { AppStore } from '../store/store.js';
import type { ShutdownPhase, TradeRecord } from '../store/types.js';
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
import { exitAtMarket } from './market-exit.js';
import { CONFIRM_POLL_MS, CONFIRM_POLLS } from './confirm-fill.js';
import { applyLegReads, checkLegs, fetchLegs, readLegs, settleLegs } from './oco.js';
import type { StatusRead } from './order-sync.js';
import { readPosition, type PositionSnapshot } from './position-read.js';
import { OrderNews } from './order-news.js';
import { noticeStopPrice } from './chase-start.js';
import { StopTrailer } from './stop-trailer.js';
import { partialDue, takePartial } from './partial-target.js';
import { chaseDueAt, chasedOrders, chaseStep } from './stop-chase.js';
import { cancelAndSettle } from './order-sync.js';
import { describeStops, freezeQuantityProblem, optionWritingProblem, trailSettingsProblem } from './exchange-rules.js';
import { isOpen, type TrackedOrder } from './order-machine.js';
import { MarketDayWatcher } from './market-day.js';
import { realiseIfFlat } from './position-close.js';
import { MAX_PROTECT_ATTEMPTS, targetPrice } from './protection.js';
import { publishState, stateSummary } from './publish.js';
import { reconcile, type ReconcileOutcome } from './reconcile.js';
import { entryHoldReason } from './risk-gate.js';
import { recover } from './recovery.js';
import { SerialLock } from './lock.js';
import { loadHistory, resolveInstrument, StartupError } from './start-up.js';
import { runEvery } from './loop-runner.js';
import { TradingCalendar } from '../time/schedule.js';
import { formatIstDateTime, istParts } from '../time/ist.js';
import { describePhase, heldQuantity, initialEngineState, nextTradeSide, openOrders, ordersSignature, positionSide, type EngineState } from './state.js';
import { reachedInFavour, sideLabel } from './side.js';
import type { StateFile } from './persistence.js';
import { stateFingerprint } from './state-fingerprint.js';
import { inPosition, movePosition } from './position-machine.js';

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

/** How long the graceful exit keeps reconciling after its market orders, and how often. */
export const KEEP_ALIVE_MS = 30_000;
export const KEEP_ALIVE_STEP_MS = 2_000;
/** The next reconciliation after one that could not read the position book. */
export const RECONCILE_RETRY_MS = 2_000;
/** A guard flatten that did not get flat is tried again no sooner than this. */
export const GUARD_FLATTEN_RETRY_MS = 5_000;

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
  private ocoWake = new AbortController();
  /** Aborted when a chase starts while the chase loop sleeps idle: it looks at once. */
  private chaseWake = new AbortController();
  private chaseIdle = false;
  /** The exit rules (trailing stop, break-even, time stop) and the wake of their loop. */
  private readonly trailer: StopTrailer;
  private exitRulesWake = new AbortController();
  private exitRulesIdle = false;
  private readonly push: PushWatch;
  private readonly feedLink: FeedLink;
  private lastFullLegRead = 0;
  private running: Promise<void>[] = [];
  private recovered = false;
  private shuttingDown: Promise<number> | null = null;
  private flattening = false;
  private readonly guard: GuardWatch;
  private guardFlattenAt = -Infinity;
  /** The state as last saved, to skip writes that would change nothing. */
  private lastCommitted = '';
  private lastReconcile: ReconcileOutcome = 'in_sync';
  private lastReconcileAt = 0;
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
    this.feedLink = new FeedLink(this.ctx, this.lock, this.push, this.loops.signal, {
      onPrice: (ltp) => this.onPrice(ltp),
      afterOrderNews: () => this.ocoPass('none'),
      pollLegs: () => this.ocoPass('full'),
      reconcile: () => this.reconcileUntilSettled(),
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
      this.ocoWake.abort();
      this.ocoWake = new AbortController();
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
    const snapshot = stateFingerprint(this.ctx.state);
    if (snapshot !== this.lastCommitted) {
      this.lastCommitted = snapshot;
      this.deps.stateFile.save(this.ctx.state);
      publishState(this.deps.store, this.ctx.state, this.ctx.settings.stops.chaseTries);
    }
    if (this.recovered) this.deps.account?.look();
    if (this.chaseIdle && chasedOrders(this.ctx).length > 0) {
      this.chaseIdle = false;
      this.chaseWake.abort();
      this.chaseWake = new AbortController();
    }
    // A position opened (the time stop counts from now) or a stop placed (the trail may move it).
    if (this.exitRulesIdle && (this.trailer.timeStopDueIn() !== null || this.trailer.moveDueIn() !== null)) this.wakeExitRules();
    this.updateEntriesHeld();
    if (look?.flatten) this.guardFlatten();
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
      positionUnknown: () => this.lastReconcile === 'unavailable',
      positionDiffers: () => this.lastReconcile === 'deferred',
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
        if (look.flatten) this.guardFlatten();
        this.deps.account?.look();
      }
    }
    this.checkMarketOnTarget();
    // A stop seen triggered: saved, and the commit wakes the chase loop.
    if (noticeStopPrice(this.ctx, ltp)) this.commit();
    // The best price moves the trail (its loop sends the modify, rate-limited, the latest price
    // winning), or the partial target's level is reached: the loop is woken whether idle or
    // asleep for a later time stop.
    if (this.trailer.notePrice(ltp) || partialDue(this.ctx)) this.wakeExitRules();
  }

  private wakeExitRules(): void {
    this.exitRulesIdle = false;
    this.exitRulesWake.abort();
    this.exitRulesWake = new AbortController();
  }

  /**
   * The exit rules (stop-trailer.ts): a stop move when the best price wants one and the last
   * move is TRAIL_MIN_INTERVAL_MS old, and the time stop, each under the lock. Idle (until a
   * price or a commit wakes it) while neither is due.
   */
  private exitRulesLoop(): Promise<void> {
    const nextIn = (): number => {
      const due = [this.trailer.moveDueIn(), this.trailer.timeStopDueIn(), partialDue(this.ctx) ? 0 : null].filter((x): x is number => x !== null);
      this.exitRulesIdle = due.length === 0;
      return this.exitRulesIdle ? CHASE_IDLE_MS : Math.max(1, Math.min(...due));
    };
    return this.every('exit rules', nextIn, async () => {
      if (this.shuttingDown || !this.recovered) return;
      await this.lock.run(async () => {
        const { ctx } = this;
        if (this.trailer.timeStopDueIn() === 0) {
          ctx.log.info('TIME', `position open ${ctx.settings.exits?.timeStopMinutes ?? 0} min (TIME_STOP_MINUTES): closing ${heldQuantity(ctx.state)} at market`);
          await exitAtMarket(ctx, 'time', this.report);
          await this.afterExit('time');
          return;
        }
        const seen = ordersSignature(ctx.state);
        // The rest's stop goes to break-even on the loop's next turn, within TRAIL_MIN_INTERVAL_MS like any move.
        if (partialDue(ctx)) {
          const booked = await takePartial(ctx);
          // Cutting the legs modified the stop (with the trigger the engine believes): that counts as a move.
          this.trailer.noteMoved();
          if (booked) this.summary();
        } else if (await this.trailer.step()) this.summary();
        // A refused move or cut is settled by reading the order, which may find a leg filled:
        // the OCO acts on that now (cancel the sibling), not at the next poll.
        if (ordersSignature(ctx.state) !== seen) await this.ocoPass('none');
      });
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
      this.chaseIdle = due.length === 0;
      return this.chaseIdle ? CHASE_IDLE_MS : Math.max(1, Math.min(...due));
    };
    return this.every('stop chase', nextIn, async () => {
      if (this.shuttingDown || !chasedOrders(this.ctx).some((o) => this.ctx.clock.now() >= chaseDueAt(this.ctx, o))) return;
      await this.lock.run(() => this.chasePass());
    }, () => this.chaseWake.signal);
  }

  private async chasePass(): Promise<void> {
    const { ctx } = this;
    let settle = false;
    for (const order of chasedOrders(ctx)) {
      if (ctx.clock.now() < chaseDueAt(ctx, order)) continue;
      const outcome = await chaseStep(ctx, order);
      if (outcome !== 'exhausted') {
        settle = true;
        continue;
      }
      // An exit or buy-back that stays unfilled is re-sent by its own escalation (staleExit, coverWrongSide).
      if (order.role !== 'stop') continue;
      const { chaseTries, chaseMs } = ctx.settings.stops;
      ctx.log.critical('CRITICAL', `stop ${order.orderId} triggered and still unfilled after ${chaseTries} limit moves (${((ctx.clock.now() - (order.chase?.since ?? 0)) / 1000).toFixed(1)} s, every ${chaseMs} ms): cancelling it and selling at market`);
      await cancelAndSettle(ctx, order, 'stop chase exhausted');
      await exitAtMarket(ctx, 'stop', this.report);
      await this.afterExit('stop');
      return;
    }
    if (settle) await this.ocoPass('none');
  }

  private checkMarketOnTarget(): void {
    const { ctx } = this;
    const s = ctx.state;
    if (!s.marketOnTarget || this.lock.busy || ctx.ltp === null) return;
    if (s.phase !== 'protected' && s.phase !== 'unprotected') return;
    const target = targetPrice(ctx);
    const side = positionSide(s);
    if (target === null || !reachedInFavour(side, ctx.ltp, target)) return;
    this.lock.spawn('market-on-target exit', async () => {
      if (!inPosition(ctx.state.phase) || ctx.state.phase === 'exiting' || heldQuantity(ctx.state) <= 0) return;
      ctx.log.info('MOT', `LTP ${ctx.grid.format(ctx.ltp ?? 0)} ${side === 'long' ? '≥' : '≤'} target ${ctx.grid.format(target)}: cancelling legs, ${side === 'long' ? 'selling' : 'buying back'} the remainder at market`);
      await exitAtMarket(ctx, 'market_on_target', this.report);
      await this.afterExit('market_on_target');
    });
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
        const depth = !this.push.ordersTrusted() || this.due(now, this.lastFullLegRead, SAFETY_FULL_READ_MS) ? 'full' : 'light';
        // Read outside the lock, apply under it: a pushed fill never waits behind the poll's HTTP.
        const reads = await fetchLegs(this.ctx, depth);
        await this.lock.run(() => this.ocoPass(depth, reads));
      },
      () => this.ocoWake.signal,
      true,
    );
  }

  /**
   * The OCO reaction, run under the lock: read the legs (a poll: 'full' or 'light'; 'none' when a
   * pushed update was just applied), or apply what a poll read outside the lock (`reads`; null
   * when it found nothing new), then act on what is known — the same path either way.
   */
  private async ocoPass(read: 'full' | 'light' | 'none', reads?: Map<string, StatusRead> | null): Promise<void> {
    const { ctx } = this;
    if (ctx.state.phase === 'flat' || ctx.state.phase === 'entering') return;
    if (this.squareOffUnfinished()) {
      // The square-off's market exit failed (not placed, or not filled and cancelled): legs
      // must not be re-armed into the night; keep selling until flat.
      ctx.log.warn('SQUARE_OFF', `still holding ${heldQuantity(ctx.state)} after square-off: selling at market again`);
      await exitAtMarket(ctx, 'square_off', this.report);
      await this.afterExit('square_off');
      return;
    }
    const before = ctx.state.phase;
    if (read !== 'none') {
      if (read === 'full') this.lastFullLegRead = ctx.clock.now();
      const changed = reads === undefined ? await readLegs(ctx, read) : reads === null ? [] : await applyLegReads(ctx, reads);
      for (const order of changed) {
        // A poll found news: the feed, if we trust it, must have sent it too.
        if (order.orderId !== null) this.push.expectPolledChange(order.orderId, brokerStatusOf(order), order.filled);
      }
    }
    const outcome = await settleLegs(ctx);
    const stale = outcome === 'exiting' ? this.staleExit() : null;
    if (outcome === 'unprotected' && ctx.state.protectFailures >= MAX_PROTECT_ATTEMPTS) {
      ctx.log.critical('CRITICAL', `still UNPROTECTED after ${MAX_PROTECT_ATTEMPTS} attempts: flattening at market`);
      await exitAtMarket(ctx, 'flatten', this.report);
      await this.afterExit('flatten');
    } else if (stale) {
      // The market exit left working has not filled (a part-fill whose rest never trades, a
      // hang): cancel it, keeping what filled, and sell what is still held again.
      const reason = (stale.reason as TradeRecord['reason'] | undefined) ?? 'flatten';
      ctx.log.warn('ESCALATE', `market exit ${stale.orderId ?? '?'} still not filled after ${Math.round((ctx.clock.now() - stale.placedAt) / 1000)} s: selling what is held again`);
      await exitAtMarket(ctx, reason, this.report);
      await this.afterExit(reason);
    } else if (outcome === 'flat' || outcome === 'wrong_side' || ctx.state.phase !== before) {
      this.summary();
    }
    if (outcome === 'flat' || outcome === 'wrong_side') {
      // Our books say flat: ask the broker before trusting it. A position closed from outside
      // (the trader's terminal) leaves our legs working, and one of them filling then made
      // the account SHORT, which only the position book shows; without this it would wait
      // for the next scheduled reconciliation (and a new entry would buy into it).
      await this.reconcileUntilSettled();
    }
  }

  /** A market exit working for longer than two confirmation windows, if any. */
  private staleExit(): TrackedOrder | null {
    const limit = 2 * CONFIRM_POLL_MS * CONFIRM_POLLS;
    return openOrders(this.ctx.state, ['exit']).find((o) => o.orderId !== null && this.ctx.clock.now() - o.placedAt >= limit) ?? null;
  }

  /** Square-off ran today, yet a position is still held and no market exit is working for it. */
  private squareOffUnfinished(): boolean {
    const s = this.ctx.state;
    return (
      s.squaredOffDay === istParts(this.ctx.clock.now()).day &&
      heldQuantity(s) > 0 &&
      !openOrders(s).some((o) => o.role === 'exit')
    );
  }

  private reconcileLoop(): Promise<void> {
    // After a failed position-book read, look again soon rather than a whole interval later:
    // the position book is the only way to see a position closed (or opened) from outside.
    // Whoever ran the failed read (this loop, the OCO poll, the trader's r): the loop wakes every
    // RECONCILE_RETRY_MS and reconciles when one is due or the last one could not read.
    const { reconcileMs } = this.ctx.settings;
    return this.every('reconciliation', Math.min(RECONCILE_RETRY_MS, reconcileMs), async () => {
      if (this.shuttingDown) return;
      const due = this.due(this.ctx.clock.now(), this.lastReconcileAt, reconcileMs);
      if (due || this.lastReconcile === 'unavailable' || this.lastReconcile === 'deferred') await this.reconcileLocked();
    }, undefined, true);
  }

  /**
   * Is a periodic read due? `every` ms since the last; with aligned polls, once per clock-aligned
   * period instead, so every instrument's engine reads at the same instant and shares the read.
   */
  private due(now: number, last: number, every: number): boolean {
    if (this.deps.alignPolls) return Math.floor(now / every) > Math.floor(last / every);
    return now - last >= every;
  }

  private async reconcileLocked(): Promise<void> {
    // The position book is read outside the lock (a pushed fill must not wait behind it); the
    // read stands as the first one only if none of our orders moved while it was in flight.
    const seen = ordersSignature(this.ctx.state);
    const first = await readPosition(this.ctx);
    await this.lock.run(async () => {
      await this.reconcileUntilSettled(ordersSignature(this.ctx.state) === seen ? first : undefined);
    });
  }

  /**
   * Reconcile, and again while it corrects something (at most three passes): a correction made
   * on one snapshot of the broker (an outside close) can race a fill (a leg of ours), and the
   * next pass sees the result at once instead of a reconcile interval later. `first`: a position
   * read made before the lock, for the first pass (null: it failed).
   */
  private async reconcileUntilSettled(first?: PositionSnapshot | null): Promise<void> {
    for (let pass = 0; pass < 3; pass++) {
      const outcome = await reconcile(this.ctx, this.report, exitAtMarket, pass === 0 ? first : undefined);
      this.lastReconcile = outcome;
      this.lastReconcileAt = this.ctx.clock.now();
      this.updateEntriesHeld();
      if (outcome !== 'corrected') return;
      this.summary();
    }
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
    await this.lock.run(async () => {
      if (heldQuantity(ctx.state) > 0 || openOrders(ctx.state).length > 0) {
        await exitAtMarket(ctx, 'square_off', this.report);
        await this.afterExit('square_off');
      }
    });
    ctx.emit({ type: 'notable', at: ctx.clock.now(), kind: 'day_summary', message: daySummary(ctx.state) });
  }

  private async afterExit(reason: Parameters<typeof realiseIfFlat>[1]): Promise<void> {
    const { ctx } = this;
    if (await realiseIfFlat(ctx, reason)) {
      this.report('idle', '');
      // Flat by our books: ask the broker (a leg that filled after an outside close left it short).
      await this.reconcileUntilSettled();
    } else {
      // A market exit still working is followed by the OCO poll; otherwise protection re-arms.
      const exitOpen = openOrders(ctx.state, ['exit', 'cover']).length > 0;
      movePosition(ctx, exitOpen ? 'exiting' : 'unprotected');
      ctx.log.critical('CRITICAL', `exit (${reason}) not confirmed: ${heldQuantity(ctx.state)} still held${exitOpen ? ', market order still working' : ''}`);
      this.commit();
    }
    this.summary();
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
    if (this.recovered) this.guardFlatten();
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
    this.flattenAtMarket('flatten');
  }

  /** The guard says sell (loss limit, or halted while holding): once at a time, spaced on failure. */
  private guardFlatten(): void {
    const now = this.ctx.clock.now();
    if (this.flattening || this.shuttingDown || now - this.guardFlattenAt < GUARD_FLATTEN_RETRY_MS) return;
    // A market exit already working is followed (and escalated) by the OCO poll.
    if (openOrders(this.ctx.state, ['exit']).length > 0) return;
    this.guardFlattenAt = now;
    this.flattenAtMarket('loss_limit');
  }

  /** The one flatten: the trader's (which pauses entries) or the guard's (which has halted them). */
  private flattenAtMarket(reason: 'flatten' | 'loss_limit'): void {
    const { ctx } = this;
    const byTrader = reason === 'flatten';
    if (this.shuttingDown) {
      ctx.log.info('FLATTEN', 'already shutting down: the exit is in progress');
      return;
    }
    if (this.flattening) {
      ctx.log.info('FLATTEN', 'flatten already in progress');
      return;
    }
    this.flattening = true;
    if (byTrader) {
      ctx.state.paused = true;
      this.commit();
      ctx.log.info('FLATTEN', 'flatten requested: new entries paused');
    } else {
      ctx.log.warn('FLATTEN', 'session guard: selling what is held at market');
    }
    this.urgentController.abort();
    this.lock.spawn(byTrader ? 'flatten' : 'guard flatten', async () => {
      try {
        this.urgentController = new AbortController();
        if (heldQuantity(ctx.state) > 0 || openOrders(ctx.state).length > 0) {
          await exitAtMarket(ctx, reason, this.report);
          await this.afterExit(reason);
        }
        ctx.log.info('FLATTEN', `${heldQuantity(ctx.state) !== 0 ? 'NOT flat' : 'flat'}; ${byTrader ? 'entries paused until you press p' : 'guard HALTED for the day'}`);
      } finally {
        this.flattening = false;
      }
    });
  }

  toggleMarketOnTarget(): void {
    const s = this.ctx.state;
    s.marketOnTarget = !s.marketOnTarget;
    this.commit();
    this.ctx.log.info('MOT', `market-on-target ${s.marketOnTarget ? 'ON' : 'OFF'}`);
  }

  reconcileNow(): void {
    this.ctx.log.info('RECONCILE', 'reconcile requested');
    this.lock.spawn('reconciliation', () => this.reconcileUntilSettled());
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
    const { ctx } = this;
    this.report('stopping_entries', 'no new entries');
    this.updateEntriesHeld();
    this.urgentController.abort();
    const code = await this.lock.run(async () => {
      this.urgentController = new AbortController();
      if (!this.recovered) {
        // Never got as far as trading: nothing of ours can be at the broker beyond the saved state.
        return heldQuantity(ctx.state) > 0 ? 3 : 0;
      }
      if (heldQuantity(ctx.state) > 0 || openOrders(ctx.state).length > 0) {
        await exitAtMarket(ctx, 'shutdown', this.report);
        await realiseIfFlat(ctx, 'shutdown');
      }
      const deadline = ctx.clock.now() + KEEP_ALIVE_MS;
      while (ctx.clock.now() < deadline) {
        // The last market order may still fill late: keep reading it and the position book.
        await checkLegs(ctx);
        const outcome = await reconcile(ctx, this.report, exitAtMarket);
        if (outcome !== 'unavailable' && heldQuantity(ctx.state) === 0) break;
        this.report('keep_alive', `still ${heldQuantity(ctx.state)} held: reconciling until ${formatIstDateTime(deadline)}`);
        await ctx.clock.sleep(KEEP_ALIVE_STEP_MS);
      }
      await realiseIfFlat(ctx, 'shutdown');
      // Beyond flat on the wrong side is not flat either.
      if (heldQuantity(ctx.state) !== 0) {
        ctx.log.critical('CRITICAL', `shutdown: STILL ${sideLabel(positionSide(ctx.state))} ${heldQuantity(ctx.state)} after every attempt — close it in the broker's terminal`);
        this.report('critical', `still holding ${heldQuantity(ctx.state)}`);
        return 3;
      }
      this.report('flat', 'flat; stopping');
      return 0;
    });
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

/** The broker's word for what we now know of an order. */
function brokerStatusOf(order: TrackedOrder): BrokerOrderStatus {
  switch (order.phase) {
    case 'filled': return 'complete';
    case 'cancelled': return 'cancelled';
    case 'rejected': return 'rejected';
    case 'partially_filled': return 'partially_filled';
    default: return 'working';
  }
}

export type { ShutdownPhase };
