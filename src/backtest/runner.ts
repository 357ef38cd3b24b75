// A backtest day: the real Engine (strategy, order machine, OCO, stop chase, guard, square-off,
// session windows) started on a virtual clock against the paper broker, whose market follows the
// day's bars (bar-path.ts) instead of its random walk. Nothing here decides a trade: the runner
// only moves time and prices, then reads what the engine did from its events.
//
// Each day is a fresh start, as a trader starting the bot in the morning: a new paper account,
// a new engine, the guard's day from zero. The engine is started a minute before the first bar,
// and stopped gracefully a minute after the last one ends, or after square-off when that comes
// first (a position still held then, with square-off off or past the data, is sold at the last
// price and closes as "shutdown").

import { PaperBroker } from '../broker/paper/paper-broker.js';
import { PaperMarket } from '../broker/paper/market.js';
import { PaperFeed } from '../broker/paper/paper-feed.js';
import type { FeedMode } from '../broker/feed.js';
import type { Instrument } from '../broker/types.js';
import type { EngineSettings } from '../engine/context.js';
import { Engine } from '../engine/engine.js';
import { StartupError } from '../engine/start-up.js';
import type { EngineEvent } from '../engine/events.js';
import type { StateFile } from '../engine/persistence.js';
import type { EngineState } from '../engine/state.js';
import type { Logger } from '../log/logger.js';
import { createAppStore, type AppStore } from '../store/store.js';
import type { LogLevel, TradeRecord } from '../store/types.js';
import { formatIstTime, IST_OFFSET_MS } from '../time/ist.js';
import { extremesOrder, OPEN_LEAD_MS, pointOffsets, type PathMode } from './bar-path.js';
import type { Bar } from './bars.js';
import { VirtualClock } from './virtual-clock.js';

/** How long before the first bar's open the engine starts, and after the last bar's end it stops. */
export const START_LEAD_MS = 60_000;
export const END_TAIL_MS = 60_000;
/** A start or a graceful stop longer than this on the virtual clock is a failure, not a hang. */
const START_LIMIT_MS = 120_000;
const STOP_LIMIT_MS = 120_000;
/**
 * Orders that ended longer ago than this leave the paper broker's books (a day's hundreds of
 * settled orders read every second would cost more than the strategy). The engine has settled
 * them minutes before; a test shows the same day gives the same round trips without it.
 */
export const BOOK_RETENTION_MS = 300_000;

export interface DayInput {
  day: string;
  /** The day's bars, in time order. */
  bars: readonly Bar[];
  /** The data's bar length. */
  intervalMs: number;
  instrument: Instrument;
  settings: EngineSettings;
  path: PathMode;
  /** ENABLE_MARKET_ON_TARGET. */
  marketOnTarget: boolean;
  /** Keep every engine event (the journal's rows); off in a sweep, which only needs round trips. */
  keepEvents?: boolean;
  /** Keep the engine's log lines (tests). */
  keepLog?: boolean;
  /** The paper broker's book retention (default BOOK_RETENTION_MS; null: the whole day's books). */
  bookRetentionMs?: number | null;
  /**
   * FEED: auto or push runs the engine on the paper push feed (ticks and order updates as the
   * path prints, as live on OpenAlgo's WebSocket), with FEED_SAFETY_POLL_SECONDS; poll polls only.
   * Default poll.
   */
  feed?: { mode: FeedMode; safetyPollMs: number };
}

export interface DayResult {
  day: string;
  bars: number;
  trades: TradeRecord[];
  /** The engine's events in order (only with keepEvents). */
  events: EngineEvent[];
  /** Guard halts and CRITICAL lines, as the engine announced them. */
  notes: { at: number; kind: string; message: string }[];
  log: string[];
  /** Exit code of the engine's graceful stop (0 flat; 3 still holding). */
  exitCode: number;
  /** Clock wake-ups (the profile of where a day's time goes). */
  wakes: number;
}

/** The state file of a backtest: nothing survives the day, and nothing is written. */
class NoStateFile implements StateFile<EngineState> {
  readonly path = ':backtest:';
  load(): EngineState | null {
    return null;
  }
  save(): void {}
}

function backtestLogger(clock: VirtualClock, keep: boolean, lines: string[]): Logger {
  const log = (level: LogLevel, tag: string, text: string): void => {
    if (keep) lines.push(`${formatIstTime(clock.now())} ${level} [${tag}] ${text}`);
  };
  return {
    log,
    info: (tag, text) => log('INFO', tag, text),
    warn: (tag, text) => log('WARN', tag, text),
    error: (tag, text) => log('ERROR', tag, text),
    critical: (tag, text) => log('CRITICAL', tag, text),
    debug: () => {},
    close: async () => {},
  };
}

/** Run the engine through one day of bars. */
export async function runDay(input: DayInput): Promise<DayResult> {
  const { bars, intervalMs, instrument } = input;
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (first === undefined || last === undefined) throw new RangeError(`runDay ${input.day}: no bars`);
  const clock = new VirtualClock(first.t - START_LEAD_MS);
  const market = new PaperMarket({
    clock,
    seed: 1,
    instrument,
    startPrice: first.o,
    // The walk never steps (its prices come from the bars), prints at the bar's price (no spread),
    // and may go as low as one tick.
    stepMs: 86_400_000,
    spreadTicks: 0,
    gapRate: 0,
    floorTicks: 1,
  });
  market.freeze(true);
  const retention = input.bookRetentionMs === undefined ? BOOK_RETENTION_MS : input.bookRetentionMs;
  const broker = new PaperBroker({ clock, market, faults: {}, seed: 1, instruments: [instrument], ...(retention !== null ? { bookRetentionMs: retention } : {}) });
  const store = backtestStore();
  const lines: string[] = [];
  const trades: TradeRecord[] = [];
  const events: EngineEvent[] = [];
  const notes: DayResult['notes'] = [];
  const feed = input.feed && input.feed.mode !== 'poll' ? new PaperFeed({ clock, broker, seed: 1 }) : null;
  const engine = new Engine({
    ...(feed && input.feed ? { feed, feedMode: input.feed.mode, safetyPollMs: input.feed.safetyPollMs } : {}),
    broker,
    clock,
    store,
    log: backtestLogger(clock, input.keepLog ?? false, lines),
    settings: input.settings,
    stateFile: new NoStateFile(),
    marketOnTarget: input.marketOnTarget,
    failClosedOnUnknownSymbol: true,
    observers: [
      (e) => {
        if (input.keepEvents) events.push(e);
        if (e.type === 'trade_closed') trades.push(e.trade);
        else if (e.type === 'notable' && (e.kind === 'halt' || e.kind === 'critical')) notes.push({ at: e.at, kind: e.kind, message: e.message });
      },
    ],
  });

  await until(clock, engine.start(), START_LIMIT_MS, `${input.day}: the engine did not start`);

  const [q1, q2, q3] = pointOffsets(intervalMs);
  const { symbol, exchange } = instrument;
  /** A steady move to `to`: every price in between trades, stopping at each resting order's level. */
  const walk = (to: number): void => {
    for (let guard = 0; guard < 64; guard++) {
      const from = market.ltpPrice();
      if (from === to) return;
      const up = to > from;
      let next = to;
      for (const level of broker.restingLevels(symbol, exchange)) {
        if (up ? level > from && level < next : level < from && level > next) next = level;
      }
      market.setPrice(next);
      if (next === to) return;
    }
    market.setPrice(to);
  };

  // Nothing can happen after square-off (no entries follow it that day): the bar it falls in is
  // replayed (its open is the square-off price), then the day ends a minute later.
  const { schedule } = input.settings;
  const dayStart = Date.parse(`${input.day}T00:00:00Z`) - IST_OFFSET_MS;
  const end = Math.min(last.t + intervalMs, schedule.squareOffEnabled ? dayStart + schedule.squareOffMinute * 60_000 : Number.POSITIVE_INFINITY);
  let prevClose: number | null = null;
  let replayed = 0;
  for (const bar of bars) {
    if (bar.t > end) break;
    replayed++;
    if (prevClose !== null) {
      await clock.advanceTo(bar.t - OPEN_LEAD_MS);
      if (market.ltpPrice() !== market.grid.round(bar.o)) market.gapTo(bar.o);
    }
    await clock.advanceTo(bar.t + q1);
    const [x1, x2] = extremesOrder(bar, input.path, broker.netQuantity(symbol, exchange, input.settings.product));
    walk(market.grid.round(x1));
    await clock.advanceTo(bar.t + q2);
    walk(market.grid.round(x2));
    await clock.advanceTo(bar.t + q3);
    walk(market.grid.round(bar.c));
    prevClose = bar.c;
  }
  await clock.advanceTo(end + END_TAIL_MS);
  const exitCode = await until(clock, engine.shutdown(), STOP_LIMIT_MS, `${input.day}: the engine did not stop`);
  await broker.close();
  return { day: input.day, bars: replayed, trades, events, notes, log: lines, exitCode, wakes: clock.wakes };
}

/** Advance the clock until `task` settles; its failure is the caller's. */
async function until<T>(clock: VirtualClock, task: Promise<T>, limitMs: number, what: string): Promise<T> {
  let settled = false;
  const watched = task.finally(() => {
    settled = true;
  });
  watched.catch(() => {});
  const end = clock.now() + limitMs;
  while (!settled && clock.now() < end) await clock.advance(100);
  if (!settled) throw new Error(`${what} within ${limitMs / 1000} s of its clock`);
  return watched;
}

export { StartupError };

/**
 * The engine's store for a backtest: nobody draws it, so the projections made for the dashboard
 * on every price, clock tick and broker call are dropped (a third of a day's time went there).
 * What the engine itself reads back (why entries are held, the shutdown phase) is kept.
 */
function backtestStore(): AppStore {
  const store = createAppStore();
  const ignore = (): void => {};
  store.setState({ quoteReceived: ignore, clockTicked: ignore, brokerCallSucceeded: ignore, brokerCallFailed: ignore, engineStateChanged: ignore, guardChanged: ignore, feedChanged: ignore });
  return store;
}

