import type { TradeRecord } from '../store/types.js';
import type { EngineContext, PhaseReporter } from './context.js';
import type { SerialLock } from './lock.js';
import type { PushWatch } from './push-watch.js';
import type { StopTrailer } from './stop-trailer.js';
import type { StatusRead } from './order-sync.js';
import { cancelAndSettle } from './order-sync.js';
import { exitAtMarket } from './market-exit.js';
import { CONFIRM_POLL_MS, CONFIRM_POLLS } from './confirm-fill.js';
import { applyLegReads, checkLegs, fetchLegs, readLegs, settleLegs } from './oco.js';
import { readPosition, type PositionSnapshot } from './position-read.js';
import { partialDue, takePartial } from './partial-target.js';
import { chaseDueAt, chasedOrders, chaseStep } from './stop-chase.js';
import { statusOfPhase, type TrackedOrder } from './order-machine.js';
import { realiseIfFlat } from './position-close.js';
import { MAX_PROTECT_ATTEMPTS } from './protection.js';
import { reconcile, type ReconcileOutcome } from './reconcile.js';
import { formatIstDateTime, istParts } from '../time/ist.js';
import { heldQuantity, openOrders, ordersSignature, positionSide } from './state.js';
import { sideLabel } from './side.js';
import { inPosition, movePosition } from './position-machine.js';

// The order manager: what the engine does with its orders once a position exists — the OCO
// reaction (after a poll or a push), the chase of unfilled protective limits, the exit rules'
// moves, stale market exits, reconciliation, the flattens, the square-off and the graceful
// exit. Every method here runs under the engine's lock (or spawns onto it); the engine's loops
// (engine.ts) decide when.

/** A guard flatten that did not get flat is tried again no sooner than this. */
export const GUARD_FLATTEN_RETRY_MS = 5_000;
/** How long the graceful exit keeps reconciling after its market orders, and how often. */
export const KEEP_ALIVE_MS = 30_000;
export const KEEP_ALIVE_STEP_MS = 2_000;

/** What the order manager needs of the engine around it. */
export interface OrderManagerHooks {
  /** Log the one-line state summary. */
  summary(): void;
  /** The dashboard's "entries held" line follows a reconciliation. */
  updateEntriesHeld(): void;
  shuttingDown(): boolean;
  /** A flatten was asked for: long waits (an entry's backoff) end at once. */
  interruptWaits(): void;
  /** The flatten's own task starts: its waits get a fresh signal. */
  renewUrgent(): void;
  /** Goes up with every saved change of our orders or the position (not with the guard's marks or the bar count). */
  stateVersion(): number;
  /** A reconciliation could not read or could not agree: the scheduled one retries soon. */
  reconcileRetryDue(): void;
}

export class OrderManager {
  /** When the legs' fills were last read in full (the safety poll reads them now and then). */
  lastFullLegRead = 0;
  /** The last reconciliation's outcome and time (the risk gate holds entries on 'unavailable' and 'deferred'). */
  lastReconcile: ReconcileOutcome = 'in_sync';
  lastReconcileAt = 0;
  /** The last reconciliation could not read the position or could not agree with it: try again soon. */
  get reconcileRetrying(): boolean {
    return this.lastReconcile === 'unavailable' || this.lastReconcile === 'deferred';
  }
  private flattening = false;
  private guardFlattenAt = -Infinity;

  constructor(
    private readonly ctx: EngineContext,
    private readonly lock: SerialLock,
    private readonly report: PhaseReporter,
    private readonly push: PushWatch,
    private readonly trailer: StopTrailer,
    private readonly hooks: OrderManagerHooks,
  ) {}

  /** The exit rules' turn (stop-trailer.ts, partial-target.ts), under the lock: the time stop, the partial target, a trail move. */
  async exitRulesPass(): Promise<void> {
    const { ctx } = this;
    if (this.trailer.timeStopDueIn() === 0) {
      ctx.log.info('TIME', `position open ${ctx.settings.exits?.timeStopMinutes ?? 0} min (TIME_STOP_MINUTES): closing ${heldQuantity(ctx.state)} at market`);
      await this.exitAndSettle('time');
      return;
    }
    const seen = ordersSignature(ctx.state);
    // The rest's stop goes to break-even on the loop's next turn, within TRAIL_MIN_INTERVAL_MS like any move.
    if (partialDue(ctx)) {
      const booked = await takePartial(ctx);
      // Cutting the legs modified the stop (with the trigger the engine believes): that counts as a move.
      this.trailer.noteMoved();
      if (booked) this.hooks.summary();
    } else if (await this.trailer.step()) this.hooks.summary();
    // A refused move or cut is settled by reading the order, which may find a leg filled:
    // the OCO acts on that now (cancel the sibling), not at the next poll.
    if (ordersSignature(ctx.state) !== seen) await this.ocoPass('none');
  }

  /** Market-on-target: the price reached the target, the rest is closed at market (spawned by the price path). */
  marketOnTargetExit(target: number): void {
    const { ctx } = this;
    const side = positionSide(ctx.state);
    this.lock.spawn('market-on-target exit', async () => {
      if (!inPosition(ctx.state.phase) || ctx.state.phase === 'exiting' || heldQuantity(ctx.state) <= 0) return;
      ctx.log.info('MOT', `LTP ${ctx.grid.format(ctx.ltp ?? 0)} ${side === 'long' ? '≥' : '≤'} target ${ctx.grid.format(target)}: cancelling legs, ${side === 'long' ? 'selling' : 'buying back'} the remainder at market`);
      await this.exitAndSettle('market_on_target');
    });
  }

  /** The square-off's exit, under the lock: cancel legs first, then sell at market and confirm. */
  async squareOff(): Promise<void> {
    const { ctx } = this;
    await this.lock.run(async () => {
      if (heldQuantity(ctx.state) > 0 || openOrders(ctx.state).length > 0) {
        await this.exitAndSettle('square_off');
      }
    });
  }

  /** The graceful exit's work, under the lock. Resolves with the exit code: 0 flat, 3 still holding. */
  async gracefulExit(recovered: boolean): Promise<number> {
    const { ctx } = this;
    return this.lock.run(async () => {
      this.hooks.renewUrgent();
      if (!recovered) {
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
  }

  /**
   * The OCO reaction, run under the lock: read the legs (a poll: 'full' or 'light'; 'none' when a
   * pushed update was just applied), or apply what a poll read outside the lock (`reads`; null
   * when it found nothing new), then act on what is known — the same path either way.
   */
  async ocoPass(read: 'full' | 'light' | 'none', reads?: Map<string, StatusRead> | null): Promise<void> {
    const { ctx } = this;
    if (ctx.state.phase === 'flat' || ctx.state.phase === 'entering') return;
    if (this.squareOffUnfinished()) {
      // The square-off's market exit failed (not placed, or not filled and cancelled): legs
      // must not be re-armed into the night; keep selling until flat.
      ctx.log.warn('SQUARE_OFF', `still holding ${heldQuantity(ctx.state)} after square-off: selling at market again`);
      await this.exitAndSettle('square_off');
      return;
    }
    const before = ctx.state.phase;
    if (read !== 'none') {
      if (read === 'full') this.lastFullLegRead = ctx.clock.now();
      const changed = reads === undefined ? await readLegs(ctx, read) : reads === null ? [] : await applyLegReads(ctx, reads);
      for (const order of changed) {
        // A poll found news: the feed, if we trust it, must have sent it too.
        if (order.orderId !== null) this.push.expectPolledChange(order.orderId, statusOfPhase(order.phase), order.filled);
      }
    }
    const outcome = await settleLegs(ctx);
    const stale = outcome === 'exiting' ? this.staleExit() : null;
    if (outcome === 'unprotected' && ctx.state.protectFailures >= MAX_PROTECT_ATTEMPTS) {
      ctx.log.critical('CRITICAL', `still UNPROTECTED after ${MAX_PROTECT_ATTEMPTS} attempts: flattening at market`);
      await this.exitAndSettle('flatten');
    } else if (stale) {
      // The market exit left working has not filled (a part-fill whose rest never trades, a
      // hang): cancel it, keeping what filled, and sell what is still held again.
      const reason = (stale.reason as TradeRecord['reason'] | undefined) ?? 'flatten';
      ctx.log.warn('ESCALATE', `market exit ${stale.orderId ?? '?'} still not filled after ${Math.round((ctx.clock.now() - stale.placedAt) / 1000)} s: selling what is held again`);
      await this.exitAndSettle(reason);
    } else if (outcome === 'flat' || outcome === 'wrong_side' || ctx.state.phase !== before) {
      this.hooks.summary();
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
  staleExit(): TrackedOrder | null {
    const limit = 2 * CONFIRM_POLL_MS * CONFIRM_POLLS;
    return openOrders(this.ctx.state, ['exit']).find((o) => o.orderId !== null && this.ctx.clock.now() - o.placedAt >= limit) ?? null;
  }

  /** Square-off ran today, yet a position is still held and no market exit is working for it. */
  squareOffUnfinished(): boolean {
    const s = this.ctx.state;
    return (
      s.squaredOffDay === istParts(this.ctx.clock.now()).day &&
      heldQuantity(s) > 0 &&
      !openOrders(s).some((o) => o.role === 'exit')
    );
  }

  /** The scheduled reconciliation: its first position read is made outside the lock. */
  reconcileWithPreRead(): Promise<void> {
    return this.readThenApply(() => readPosition(this.ctx), (first) => this.reconcileUntilSettled(first));
  }

  /** The OCO poll: the legs are read outside the lock and applied under it. */
  pollLegs(depth: 'full' | 'light'): Promise<void> {
    return this.readThenApply(() => fetchLegs(this.ctx, depth), (reads) => this.ocoPass(depth, reads));
  }

  /**
   * Read outside the lock (a pushed fill must not wait behind the HTTP), apply under it. The read
   * stands only if the state's version did not move while it was in flight or waited for the
   * lock; otherwise `apply` gets undefined and reads again under the lock. A version, not a look
   * at the orders: a buy-back placed, filled and realised meanwhile leaves the orders looking as
   * before (none, flat), and the old position read would buy back a second time (r46); a task
   * that held the lock (a partial sale being confirmed) did things the read is older than (r47).
   */
  private async readThenApply<T>(read: () => Promise<T>, apply: (fresh: T | undefined) => Promise<void>): Promise<void> {
    const seen = this.hooks.stateVersion();
    const value = await read();
    await this.lock.run(async () => {
      this.ctx.commit(); // anything changed but not saved yet counts as a change
      await apply(this.hooks.stateVersion() === seen ? value : undefined);
    });
  }

  /**
   * Reconcile, and again while it corrects something (at most three passes): a correction made
   * on one snapshot of the broker (an outside close) can race a fill (a leg of ours), and the
   * next pass sees the result at once instead of a reconcile interval later. `first`: a position
   * read made before the lock, for the first pass (null: it failed).
   */
  async reconcileUntilSettled(first?: PositionSnapshot | null): Promise<void> {
    for (let pass = 0; pass < 3; pass++) {
      const outcome = await reconcile(this.ctx, this.report, exitAtMarket, pass === 0 ? first : undefined);
      this.lastReconcile = outcome;
      this.lastReconcileAt = this.ctx.clock.now();
      this.hooks.updateEntriesHeld();
      if (this.reconcileRetrying) this.hooks.reconcileRetryDue();
      if (outcome !== 'corrected') return;
      this.hooks.summary();
    }
  }

  /** Close what is held at market (legs cancelled first), then realise it or say why not. */
  private async exitAndSettle(reason: TradeRecord['reason']): Promise<void> {
    await exitAtMarket(this.ctx, reason, this.report);
    await this.afterExit(reason);
  }

  async afterExit(reason: Parameters<typeof realiseIfFlat>[1]): Promise<void> {
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
      this.ctx.commit();
    }
    this.hooks.summary();
  }

  async chasePass(): Promise<void> {
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
      await this.exitAndSettle('stop');
      return;
    }
    if (settle) await this.ocoPass('none');
  }

  /** The guard says sell (loss limit, or halted while holding): once at a time, spaced on failure. */
  guardFlatten(): void {
    const now = this.ctx.clock.now();
    if (this.flattening || this.hooks.shuttingDown() || now - this.guardFlattenAt < GUARD_FLATTEN_RETRY_MS) return;
    // A market exit already working is followed (and escalated) by the OCO poll.
    if (openOrders(this.ctx.state, ['exit']).length > 0) return;
    this.guardFlattenAt = now;
    this.flattenAtMarket('loss_limit');
  }

  /** The one flatten: the trader's (which pauses entries) or the guard's (which has halted them). */
  flattenAtMarket(reason: 'flatten' | 'loss_limit'): void {
    const { ctx } = this;
    const byTrader = reason === 'flatten';
    if (this.hooks.shuttingDown()) {
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
      this.ctx.commit();
      ctx.log.info('FLATTEN', 'flatten requested: new entries paused');
    } else {
      ctx.log.warn('FLATTEN', 'session guard: selling what is held at market');
    }
    this.hooks.interruptWaits();
    this.lock.spawn(byTrader ? 'flatten' : 'guard flatten', async () => {
      try {
        this.hooks.renewUrgent();
        if (heldQuantity(ctx.state) > 0 || openOrders(ctx.state).length > 0) {
          await this.exitAndSettle(reason);
        }
        ctx.log.info('FLATTEN', `${heldQuantity(ctx.state) !== 0 ? 'NOT flat' : 'flat'}; ${byTrader ? 'entries paused until you press p' : 'guard HALTED for the day'}`);
      } finally {
        this.flattening = false;
      }
    });
  }

}
