// One whole trading day, generated: a seeded paper market walk, paper-broker faults (as rates
// and as one-shot injections at given times), trader commands at given times, and crashes with
// restarts. The day runs through the real Engine on a FakeClock, and the runner checks the
// broker's truth (its ledger, not the engine's view) after every 250 ms of fake time.
//
// A crash is a real crash, not a polite stop: engine.abandon(), and the crashed engine's broker
// calls and state writes are cut off (a call already at the broker still lands, its answer is
// lost), so an in-flight task of the dead engine can never act after a new engine took over.
// The new engine shares the state file, broker and clock; it is started like startOnFakeTime
// does, but inside the day's own step loop so the checks keep running while it recovers.
//
// The invariants (numbers as in the code below; each bound is one OCO poll + 1 s or two polls,
// stretched only by what a configured fault makes legitimately slower, and never counting time
// the bot was down):
// Every invariant is stated in the side's terms (DIRECTION long, short or alternate; the side
// of the moment is the engine's, from its state or, while it is down, its file):
//   1. never beyond flat on the wrong side at the broker (net SHORT for a long, net LONG for a
//      short) for longer than one poll + 1 s;
//   2. never more open exit quantity (one leg's, plus any market exit) than held;
//   3. never two entry orders placed for one signal;
//   4. every position has both legs at the broker (or a market exit working), or the log
//      says it is UNPROTECTED / being flattened, within two polls;
//   5. flat, with nothing working, after square-off;
//   6. realised P&L = the trade book's P&L (our fills, and outside fills the engine booked)
//      less 2 × brokerage + slippage per round trip, ±0.01 per trade;
//   7. a second reconciliation right after a first changes nothing (trader action
//      "doubleReconcile", at generated moments);
//   8. every state write parses and round-trips, and an idle engine's state is what was saved;
//   9. no SL-M is ever sent for an option (the exchange refuses it); on a future a stop goes out
//      as SL only after an SL-M was refused in that position;
//  10. not stuck: no position phase while the broker is flat with nothing working.
//  11. session guard: no entry (an order that adds exposure) is sent while the guard holds
//      entries (REDUCING or HALTED), nor by any process after one was seen HALTED that day;
//  12. session guard, loss limit L: no entry is sent once the realised P&L is at or below −L
//      (one position at a time, so the limit is crossed inside one position), hence the day
//      ends at worst −L − (the loss of that one last position): final realised ≥ −L + the sum
//      of the trades closed since the last entry. That position's loss is what its own stop
//      allows (stop distance × quantity, plus costs, plus what the fill slipped past the trigger
//      in a gap) or less, since the guard's mark-to-market exit only ever comes earlier.
//
//  13. a triggered stop ends flat: a stop-limit the price went through (open at the broker,
//      unfilled) while a position is held is filled, or the position sold, within the chase's
//      bound (STOP_CHASE_TRIES + 1 looks STOP_CHASE_MS apart, then one market exit);
// A desk day (`desk`: 2–3 instruments on one paper broker, wired as src/desk/assemble.ts wires
// them: shared book reads, one feed connection, aligned polls, the account guard on `guard`'s
// limits with MAX_TRADES_PER_DAY the total, each engine's own guard on MAX_TRADES_PER_INSTRUMENT)
// checks every invariant above per instrument (its engine against the broker's books for its
// symbol; 12 against the account's summed day as each entry is sent), and the account's:
//   A. no entry while the account guard holds entries, nor by any instrument after the account
//      was seen HALTED that day;
//   B. the account HALTED on its loss limit: every instrument flat with nothing working within
//      the time a guard flatten takes (as 10's bound, plus the flatten's retry);
//   C. positions entered ≤ MAX_TRADES_PER_DAY + (instruments − 1) in total (REDUCING lets the
//      others' open trades finish) and ≤ MAX_TRADES_PER_INSTRUMENT per instrument;
//   D. no order, cancel or modify of one instrument's engine is for another instrument's symbol.
// A crash is the whole process's: every engine dies and the desk starts again.

import { istParts } from '../../src/time/ist.js';
import type { FaultConfig } from '../../src/broker/paper/faults.js';
import type { FaultMatch, OnceFault } from '../../src/broker/paper/fault-plan.js';
import type { Ledger, PaperOrder } from '../../src/broker/paper/ledger.js';
import { PaperMarket } from '../../src/broker/paper/market.js';
import { PaperBroker } from '../../src/broker/paper/paper-broker.js';
import { PaperFeed } from '../../src/broker/paper/paper-feed.js';
import { deriveSeed, textStream } from '../../src/broker/paper/rng.js';
import type { Broker, Instrument, OrderRequest } from '../../src/broker/types.js';
import { segmentOf } from '../../src/broker/segment.js';
import type { ExecutedOrder } from '../../src/engine/charges.js';
import { chargesOf } from '../../src/engine/pnl.js';
import { accountMember } from '../../src/desk/assemble.js';
import { AccountGuard } from '../../src/desk/account-guard.js';
import { FeedHub } from '../../src/desk/feed-hub.js';
import { SharedReads } from '../../src/desk/shared-reads.js';
import { FakeClock } from '../../src/time/clock.js';
import type { EngineSettings } from '../../src/engine/context.js';
import { NO_LIMITS, type GuardLimits, type GuardState } from '../../src/engine/guard.js';
import { Engine, GUARD_FLATTEN_RETRY_MS } from '../../src/engine/engine.js';
import { StartupError } from '../../src/engine/start-up.js';
import { CONFIRM_POLL_MS, CONFIRM_POLLS } from '../../src/engine/confirm-fill.js';
import type { SerialLock } from '../../src/engine/lock.js';
import { MemoryStateFile, type StateFile } from '../../src/engine/persistence.js';
import { parseEngineState, type EngineState } from '../../src/engine/state.js';
import { createLogger } from '../../src/log/logger.js';
import { createAppStore } from '../../src/store/store.js';
import { FUTURE, INSTRUMENT, ist, settings as baseSettings } from '../engine/harness.js';
import { closeAction, openAction, sideSign, type Direction, type Side } from '../../src/engine/side.js';
import { NO_EXIT_RULES, type ExitRules } from '../../src/engine/trail-plan.js';

// ---- the scenario ----------------------------------------------------------------------------

export type TraderAction = 'flatten' | 'togglePause' | 'toggleMarketOnTarget' | 'reconcileNow' | 'doubleReconcile';

export interface OnceInjection {
  /** Fake ms after the day starts. */
  atMs: number;
  fault: OnceFault;
  match: FaultMatch;
}

export interface CrashPoint {
  /** Crash at this fake time (ms after the day starts)… */
  atMs?: number;
  /** …or inside the Nth state write of the day (1-based), before or after it lands. */
  atSave?: number;
  saveLands?: boolean;
  /** How long the bot stays down before it is started again. */
  downMs: number;
}

export interface DayScenario {
  marketSeed: number;
  brokerSeed: number;
  market: { volatilityTicks: number; gapRate: number; gapTicks: number };
  /** Length of the entry window (09:20 + this); square-off is at its end. */
  sessionMinutes: number;
  intervalSeconds: number;
  settings: {
    lots: number;
    tradeEveryNBars: number;
    profitTarget: number;
    stopLoss: number;
    /** ₹ per executed order (BROKERAGE's flat form; the name is the saved days'). */
    brokeragePerLeg: number;
    slippagePerTrade: number;
    ignoreEntryDelta: boolean;
    maxOrderRetries: number;
    ocoPollMs: number;
    reconcileMs: number;
    quotePollMs: number;
  };
  /** Session guard limits (absent: all off, as in the days saved before the guard existed). */
  guard?: GuardLimits | undefined;
  marketOnTarget: boolean;
  clientTimeoutMs: number;
  faults: Partial<FaultConfig>;
  once: OnceInjection[];
  /** `instrument`: which of a desk's instruments the trader acts on (index, modulo their count; default the first). */
  actions: { atMs: number; action: TraderAction; instrument?: number }[];
  crashes: CrashPoint[];
  /** Run on the paper push feed (FEED=auto); absent or false: polling only. */
  feed?: boolean;
  /** Feed trouble at given times: a drop for `ms`, or order updates going silent / coming back. */
  feedEvents?: FeedEvent[];
  /**
   * Several instruments in one process (DESK_INSTRUMENTS, as many as `lots` has entries, each
   * with its lots); `guard` is then the account guard's limits (MAX_TRADES_PER_DAY the total)
   * and `maxTradesPerInstrument` each engine's own (0 = off).
   */
  desk?: { lots: number[]; maxTradesPerInstrument: number };
  /** A one-instrument day on a future (SL-M allowed) instead of the option. */
  future?: boolean;
  /** DIRECTION (absent: long, as every day saved before sides existed); short on the option writes it (ALLOW_OPTION_WRITING). */
  direction?: Direction;
  /** The exit rules (TRAIL_*, BREAKEVEN_AFTER_RUPEES, TIME_STOP_MINUTES); absent: all off. */
  exits?: Partial<ExitRules>;
}

export interface FeedEvent {
  atMs: number;
  kind: 'drop' | 'silence' | 'speak';
  /** drop: how long the connection stays down. */
  ms?: number;
}

export const DAY_START = ist('2026-11-24T09:19:30');
const SESSION_START_MINUTE = 9 * 60 + 20;
/** How long after square-off the day keeps running before the final checks. */
export const AFTER_SQUARE_OFF_MS = 90_000;
const STEP_MS = 250;

/** A day's exit rules for an engine of `lots`: a partial target needs more lots than it books (the start refuses it otherwise), so a one-lot engine trades without it. */
function exitRulesFor(exits: Partial<ExitRules>, lots: number): ExitRules {
  const rules = { ...NO_EXIT_RULES, ...exits };
  return (rules.partialLots ?? 0) >= lots ? { ...rules, partialLots: 0, partialRupees: 0 } : rules;
}

export function engineSettingsOf(sc: DayScenario): EngineSettings {
  const s = sc.settings;
  const end = SESSION_START_MINUTE + sc.sessionMinutes;
  return baseSettings({
    symbol: sc.future ? FUTURE.symbol : INSTRUMENT.symbol,
    lots: s.lots,
    tradeEveryNBars: s.tradeEveryNBars,
    profitTarget: s.profitTarget,
    stopLoss: s.stopLoss,
    // The saved days' `brokeragePerLeg` is BROKERAGE's flat form: ₹ per executed order.
    costs: { brokerage: { kind: 'flat', rupees: s.brokeragePerLeg }, slippagePerTrade: s.slippagePerTrade },
    ignoreEntryDelta: s.ignoreEntryDelta,
    maxOrderRetries: s.maxOrderRetries,
    ocoPollMs: s.ocoPollMs,
    reconcileMs: s.reconcileMs,
    quotePollMs: s.quotePollMs,
    guard: sc.guard ?? NO_LIMITS,
    ...(sc.direction ? { direction: sc.direction, allowOptionWriting: true } : {}),
    ...(sc.exits ? { exits: exitRulesFor(sc.exits, s.lots) } : {}),
    schedule: {
      interval: { kind: 'seconds', ms: sc.intervalSeconds * 1000 },
      windows: [{ start: SESSION_START_MINUTE, end }],
      squareOffEnabled: true,
      squareOffMinute: end,
      tradeWeekends: false,
    },
  });
}


// ---- the broker's truth ------------------------------------------------------------------------

/** The paper broker's books, read without going through its (fault-injecting, call-counting) API. */
function ledgerOf(broker: PaperBroker): Ledger {
  return (broker as unknown as { ledger: Ledger }).ledger;
}

function openAt(o: PaperOrder): boolean {
  return o.status === 'working' || o.status === 'trigger_pending';
}

/**
 * The broker's books for one instrument in the position side's terms: `net` > 0 holds the side
 * (long: net long; short: net short), < 0 is beyond flat on the wrong side. "sell" is the side's
 * closing action (a BUY for a short), "buy" its opening one.
 */
export interface BrokerTruth {
  net: number;
  /** Open (unfilled) closing quantity by kind. */
  sellLimit: number;
  sellStop: number;
  sellMarket: number;
  /** Open opening quantity (an entry, or a cover of the wrong side, still working). */
  buyOpen: number;
  open: PaperOrder[];
}

/**
 * The broker's books for one instrument (the day's first by default). `exitIds`: the engine's
 * exit orders (flatten, square-off, …): where MARKET is refused they go out as marketable LIMITs,
 * and they count as a sale at market, not as a target.
 */
export function brokerTruth(broker: PaperBroker, instrument: Instrument = INSTRUMENT, exitIds: ReadonlySet<string> = new Set(), side: Side = 'long'): BrokerTruth {
  const net = sideSign(side) * broker.netQuantity(instrument.symbol, instrument.exchange, 'MIS'); // also brings the markets up to now
  const t: BrokerTruth = { net, sellLimit: 0, sellStop: 0, sellMarket: 0, buyOpen: 0, open: [] };
  for (const o of ledgerOf(broker).orders.values()) {
    if (!openAt(o) || o.symbol !== instrument.symbol || o.exchange !== instrument.exchange) continue;
    t.open.push(o);
    const rest = o.quantity - o.filled;
    if (o.action === openAction(side)) t.buyOpen += rest;
    else if (o.priceType === 'MARKET' || exitIds.has(o.id)) t.sellMarket += rest;
    else if (o.priceType === 'LIMIT') t.sellLimit += rest;
    else t.sellStop += rest;
  }
  return t;
}

/** Every order's fills at the broker, together: its side, filled quantity and average price. */
export function fillsByOrder(broker: PaperBroker): Map<string, ExecutedOrder> {
  const grid = broker.market.grid;
  const sums = new Map<string, { side: 'BUY' | 'SELL'; quantity: number; ticks: number }>();
  for (const f of ledgerOf(broker).trades) {
    const o = sums.get(f.orderId) ?? { side: f.action, quantity: 0, ticks: 0 };
    o.quantity += f.quantity;
    o.ticks += f.quantity * f.price;
    sums.set(f.orderId, o);
  }
  const out = new Map<string, ExecutedOrder>();
  for (const [id, o] of sums) out.set(id, { side: o.side, quantity: o.quantity, price: Number(((o.ticks / o.quantity) * grid.tick).toFixed(grid.decimals + 2)) });
  return out;
}

/** Gross P&L of the fills at the broker (all, or those `include` keeps), in rupees. */
export function brokerGross(broker: PaperBroker, include: (orderId: string) => boolean = () => true): { gross: number; fills: number } {
  const grid = broker.market.grid;
  let ticks = 0;
  const trades = ledgerOf(broker).trades.filter((t) => include(t.orderId));
  for (const t of trades) ticks += (t.action === 'SELL' ? 1 : -1) * t.quantity * t.price;
  return { gross: Math.round(ticks * grid.tick * 100) / 100, fills: trades.length };
}

/** The gross of the parts of outside orders the engine booked (`outsideTaken`): each part at its order's average price. */
function outsideTakenGross(broker: PaperBroker, taken: Record<string, number>, include: (orderId: string) => boolean): { gross: number; fills: number } {
  const grid = broker.market.grid;
  let ticks = 0;
  let fills = 0;
  for (const [orderId, qty] of Object.entries(taken)) {
    if (!include(orderId)) continue;
    const trades = ledgerOf(broker).trades.filter((t) => t.orderId === orderId);
    const filled = trades.reduce((sum, t) => sum + t.quantity, 0);
    if (filled === 0) continue;
    const value = trades.reduce((sum, t) => sum + t.quantity * t.price, 0);
    ticks += (trades[0]!.action === 'SELL' ? 1 : -1) * (qty * value) / filled;
    fills += trades.length;
  }
  return { gross: Math.round(ticks * grid.tick * 100) / 100, fills };
}

// ---- one bot process ---------------------------------------------------------------------------

/** One process: one engine per instrument (one, or a desk of several), one feed connection. */
interface Proc {
  feed: PaperFeed | null;
  id: number;
  dead: boolean;
  /** Every engine started. */
  started: boolean;
  startedAt: number | null;
  engines: Engine[];
  account: AccountGuard | null;
  startError: unknown;
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

/** The broker as one process sees it: once the process is dead, nothing goes out and nothing comes back. */
function processBroker(broker: PaperBroker, proc: () => Proc): Broker {
  const gate =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const p = proc();
      if (p.dead) return never();
      return fn(...args).then(
        (v) => (p.dead ? never<R>() : v),
        (e: unknown) => (p.dead ? never<R>() : Promise.reject(e)),
      );
    };
  return {
    label: broker.label,
    placeOrder: gate(broker.placeOrder.bind(broker)),
    orderStatus: gate(broker.orderStatus.bind(broker)),
    cancelOrder: gate(broker.cancelOrder.bind(broker)),
    modifyOrder: gate(broker.modifyOrder.bind(broker)),
    orderBook: gate(broker.orderBook.bind(broker)),
    tradeBook: gate(broker.tradeBook.bind(broker)),
    positionBook: gate(broker.positionBook.bind(broker)),
    quote: gate(broker.quote.bind(broker)),
    multiQuote: gate(broker.multiQuote.bind(broker)),
    searchInstrument: gate(broker.searchInstrument.bind(broker)),
    health: gate(broker.health.bind(broker)),
  };
}

/** One engine's broker, watched: every placement is told first, every cancel and modify names its order. */
function watchedBroker(b: Broker, dead: () => boolean, onPlace: (req: OrderRequest) => void, onOrderCall: (call: string, orderId: string) => void): Broker {
  return {
    ...b,
    placeOrder: (req) => {
      if (!dead()) onPlace(req);
      return b.placeOrder(req);
    },
    cancelOrder: (id) => {
      if (!dead()) onOrderCall('cancel', id);
      return b.cancelOrder(id);
    },
    modifyOrder: (id, req) => {
      if (!dead()) onOrderCall('modify', id);
      return b.modifyOrder(id, req);
    },
  };
}

// ---- the run -----------------------------------------------------------------------------------

export interface DayReport {
  violations: string[];
  /** The log of every process, "[p1 09:20:01.250] INFO [ENTRY] …". */
  log: string[];
  trades: number;
  /** Of those, round trips on the short side. */
  shortTrades: number;
  /** Round trips the exit rules closed (trail, break-even, time), and stop moves sent. */
  ruleExits: number;
  stopMoves: number;
  /** Partial targets booked. */
  partials: number;
  realised: number;
  brokerGross: number;
  entries: number;
  crashes: number;
  saves: number;
  doubleReconciles: number;
  /** The session guard halted the day (seen in a running engine, or the account's on a desk). */
  guardHalted: boolean;
  /** A desk's account guard HALTED on its loss limit. */
  accountLossHalted: boolean;
  /** Positions entered (entries that filled), per instrument. */
  positions: number[];
}

/** Deep equality of JSON values, key order ignored, undefined fields treated as absent. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue(ra[k], rb[k]));
}

/** JSON with sorted keys and undefined fields dropped: equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function hhmmss(ms: number): string {
  return new Date(ms + 330 * 60_000).toISOString().slice(11, 23);
}


/** One instrument of the day: its market, its engine's settings and state file, its invariants' memory. */
interface Traded {
  i: number;
  instrument: Instrument;
  key: string;
  market: PaperMarket;
  settings: EngineSettings;
  file: MemoryStateFile<EngineState>;
  savedText: string | null;
  /** Entry placements the broker accepted, by the signal (bar close) they were for. */
  entriesBySignal: Map<number, number>;
  /** When this instrument's engine was first seen HALTED (11). */
  haltedSeenAt: number | null;
  inv: { shortSince: number | null; overSince: number | null; unprotSince: number | null; entryWaited: boolean; stuckSince: number | null; fileDiffers: boolean; notFlatSince: number | null; unsold: boolean; triggeredSince: number | null };
}

/** The instruments of a desk day: the one-instrument day's, then others on the same terms. */
export const DESK_INSTRUMENTS: readonly Instrument[] = [INSTRUMENT, { ...INSTRUMENT, symbol: 'NIFTY25000PE' }, { ...INSTRUMENT, symbol: 'NIFTY25100CE' }];

export async function runDay(sc: DayScenario): Promise<DayReport> {
  const clock = new FakeClock(DAY_START);
  const several = sc.desk !== undefined && sc.desk.lots.length > 1;
  const instruments = several ? DESK_INSTRUMENTS.slice(0, sc.desk?.lots.length ?? 1) : [sc.future ? FUTURE : INSTRUMENT];
  const markets = instruments.map(
    (instrument, i) =>
      new PaperMarket({
        clock,
        // The first walks as a one-instrument day's does; each other on a seed of its own.
        seed: i === 0 ? sc.marketSeed : deriveSeed(sc.marketSeed, textStream(`${instrument.symbol}@${instrument.exchange}`)),
        instrument,
        startPrice: 100,
        volatilityTicks: sc.market.volatilityTicks,
        gapRate: sc.market.gapRate,
        gapTicks: sc.market.gapTicks,
      }),
  );
  for (const m of markets) m.freeze(false);
  const broker = several
    ? new PaperBroker({ clock, markets, faults: sc.faults, clientTimeoutMs: sc.clientTimeoutMs, seed: sc.brokerSeed })
    : new PaperBroker({ clock, market: markets[0] as PaperMarket, faults: sc.faults, clientTimeoutMs: sc.clientTimeoutMs, seed: sc.brokerSeed });
  const cfg = engineSettingsOf(sc);
  const poll = cfg.ocoPollMs;
  const squareOffAt = ist('2026-11-24T00:00:00') + cfg.schedule.squareOffMinute * 60_000;
  const endAt = squareOffAt + AFTER_SQUARE_OFF_MS;
  // A desk: each engine applies MAX_TRADES_PER_INSTRUMENT itself, the account guard the day's
  // limits on the sums (MAX_TRADES_PER_DAY the total), as src/desk/instrument-wiring.ts does.
  const accountLimits: GuardLimits = sc.guard ?? NO_LIMITS;
  const traded: Traded[] = instruments.map((instrument, i) => ({
    i,
    instrument,
    key: `${instrument.symbol}@${instrument.exchange}`,
    market: markets[i] as PaperMarket,
    settings: several
      ? {
          ...cfg,
          symbol: instrument.symbol,
          exchange: instrument.exchange,
          lots: sc.desk?.lots[i] ?? 1,
          guard: { ...NO_LIMITS, maxTradesPerDay: sc.desk?.maxTradesPerInstrument ?? 0 },
          ...(sc.exits ? { exits: exitRulesFor(sc.exits, sc.desk?.lots[i] ?? 1) } : {}),
        }
      : cfg,
    file: new MemoryStateFile<EngineState>(),
    savedText: null,
    entriesBySignal: new Map(),
    haltedSeenAt: null,
    inv: { shortSince: null, overSince: null, unprotSince: null, entryWaited: false, stuckSince: null, fileDiffers: false, notFlatSince: null, unsold: false, triggeredSince: null },
  }));
  const first = traded[0] as Traded;
  const accountFile = new MemoryStateFile<GuardState>();
  const ledger = ledgerOf(broker);
  const symbolOfOrder = (orderId: string): string | undefined => ledger.orders.get(orderId)?.symbol;

  const violations: string[] = [];
  const fail = (what: string): void => {
    if (violations.length < 20) violations.push(`${hhmmss(clock.now())} ${what}`);
  };
  /** Every process's log; `inst` is the instrument whose engine wrote the line (null: the day's own notes). */
  const log: { at: number; proc: number; inst: number | null; line: string }[] = [];
  let saves = 0;
  let crashes = 0;
  const crashTimes: number[] = [];
  let doubleReconciles = 0;
  const placements: { proc: number; inst: number; role: string; signal: number | null; req: OrderRequest; seq: number }[] = [];
  /** When the account guard was first seen HALTED, and HALTED on the loss limit (A, B). */
  let accountHaltedAt: number | null = null;
  let accountLossHaltAt: number | null = null;
  /** When the last entry was sent (12). */
  let lastEntryAt: number | null = null;

  let procSeq = 0;
  let current = null as Proc | null;
  const cur = (): Proc | null => current;
  const pendingRestarts: number[] = [];
  const saveCrashes = sc.crashes.filter((c) => c.atSave !== undefined);
  const timeCrashes = sc.crashes.filter((c) => c.atMs !== undefined).map((c) => ({ ...c, at: DAY_START + (c.atMs ?? 0) }));

  // A crash is the whole process's: every engine of the desk dies at once.
  const crash = (downMs: number): void => {
    const p = current;
    if (!p || p.dead) return;
    p.dead = true;
    for (const e of p.engines) e.abandon();
    crashes++;
    crashTimes.push(clock.now());
    log.push({ at: clock.now(), proc: p.id, inst: null, line: `*** CRASH (down ${downMs} ms)` });
    pendingRestarts.push(clock.now() + downMs);
  };

  const accountState = (a: AccountGuard): GuardState => (a as unknown as { state: GuardState }).state;

  const spawn = (): void => {
    const proc: Proc = { feed: sc.feed ? new PaperFeed({ clock, broker, seed: sc.brokerSeed + procSeq }) : null, id: ++procSeq, dead: false, started: false, startedAt: null, engines: [], account: null, startError: null };
    const self = (): Proc => proc;
    const gated = processBroker(broker, self);
    // A desk shares its reads, its one feed connection and the account's guard (src/desk/assemble.ts).
    const shared = several ? new SharedReads(gated, clock, undefined, instruments.map(({ symbol, exchange }) => ({ symbol, exchange }))) : null;
    const hub = several && proc.feed && shared ? new FeedHub(proc.feed, instruments.map(({ symbol, exchange }) => ({ symbol, exchange })), () => shared.orderNews()) : null;
    const account = several ? new AccountGuard({ limits: accountLimits, clock, stateFile: accountFile, resumeRequests: null, publish: () => {} }) : null;
    proc.account = account;
    for (const tr of traded) {
      const stateFile: StateFile<EngineState> = {
        path: ':memory:',
        load: () => tr.file.load(),
        save: (state) => {
          if (proc.dead) return;
          saves++;
          const crashHere = clock.now() < endAt ? saveCrashes.find((c) => c.atSave === saves) : undefined;
          if (crashHere && !crashHere.saveLands) {
            crash(crashHere.downMs);
            return;
          }
          tr.file.save(state);
          tr.savedText = JSON.stringify(tr.file.saved);
          // The file must always parse, and must say what the engine holds at that moment.
          const parsed = parseEngineState(JSON.parse(JSON.stringify(tr.file.saved)));
          if (parsed === null) fail(`[invariant 8 state file] ${tr.key} state write #${saves} does not parse: ${JSON.stringify(tr.file.saved).slice(0, 300)}`);
          else if (!sameValue(parsed, tr.file.saved)) fail(`[invariant 8 state file] ${tr.key} state write #${saves} differs from the engine's state after parsing:\n   wrote  ${canonical(state)}\n   parsed ${canonical(parsed)}`);
          if (crashHere) crash(crashHere.downMs);
        },
      };
      const store = createAppStore();
      const sink = {
        write(line: string): boolean {
          log.push({ at: clock.now(), proc: proc.id, inst: tr.i, line: line.trimEnd() });
          // The order and position tables are the reviewed contract: a move outside them is a bug.
          if (/\[STATE\] .*not an allowed transition/.test(line)) fail(`[invariant transition tables] ${line.trimEnd()}`);
          return true;
        },
      } as unknown as NodeJS.WritableStream;
      let engine = null as Engine | null;
      const onPlace = (req: OrderRequest): void => {
        const e = engine as Engine;
        // D. An engine's orders are for its own instrument only.
        if (req.symbol !== tr.instrument.symbol || req.exchange !== tr.instrument.exchange) {
          fail(`[invariant D own instrument only] ${tr.key}'s engine placed ${req.action} ${req.quantity} ${req.symbol}@${req.exchange}`);
        }
        const order = e.state.orders.find((o) => o.request === req);
        const role = order?.role ?? '?';
        if (role === 'entry') {
          // G. The risk gate sees every send, with nothing awaited between its answer and the
          // send: no entry goes out while the trader has paused, nor after the day's square-off.
          if (e.state.paused) fail(`[invariant G gate] ${tr.key} entry ${req.action} ${req.quantity} sent while paused`);
          if (e.state.squaredOffDay !== null && e.state.squaredOffDay === istParts(clock.now()).day) fail(`[invariant G gate] ${tr.key} entry ${req.action} ${req.quantity} sent after the day's square-off`);
          // 11. No entry while the guard holds entries, nor after a HALTED was seen today.
          const g = e.state.guard;
          const cooldownOver = g.reason === 'cooldown' && g.cooldownUntil !== null && clock.now() >= g.cooldownUntil;
          if (g.state !== 'ACTIVE' && !cooldownOver) fail(`[invariant 11 guard holds entries] ${tr.key} entry ${req.action} ${req.quantity} sent while the guard is ${g.state} (${g.reason})`);
          if (tr.haltedSeenAt !== null) fail(`[invariant 11 guard holds entries] ${tr.key} entry ${req.action} ${req.quantity} sent after the guard was HALTED at ${hhmmss(tr.haltedSeenAt)}`);
          const limit = accountLimits.maxDailyLoss;
          if (account) {
            // A. …nor while the account's guard holds entries, nor after it was seen HALTED today.
            const a = accountState(account);
            const over = a.reason === 'cooldown' && a.cooldownUntil !== null && clock.now() >= a.cooldownUntil;
            if (a.state !== 'ACTIVE' && !over) fail(`[invariant A account holds entries] ${tr.key} entry ${req.action} ${req.quantity} sent while the account guard is ${a.state} (${a.reason})`);
            if (accountHaltedAt !== null) fail(`[invariant A account holds entries] ${tr.key} entry ${req.action} ${req.quantity} sent after the account guard was HALTED at ${hhmmss(accountHaltedAt)}`);
            // 12. …nor once the account's day (realised + open, summed) reached the loss limit.
            const f = account.figures();
            if (limit > 0 && f.dayPnl <= -limit + 1e-9) fail(`[invariant 12 loss limit] ${tr.key} entry ${req.action} ${req.quantity} sent with the account's day at ₹${f.dayPnl.toFixed(2)} (loss limit −₹${limit})`);
          } else {
            // 12. …nor once the day's realised P&L reached the loss limit.
            const realisedNow = e.state.pnl.realised;
            if (limit > 0 && realisedNow <= -limit + 1e-9) fail(`[invariant 12 loss limit] entry ${req.action} ${req.quantity} sent with the day at ₹${realisedNow.toFixed(2)} (loss limit −₹${limit})`);
          }
          lastEntryAt = clock.now();
        }
        placements.push({ proc: proc.id, inst: tr.i, role, signal: e.state.lastSignalBar, req, seq: broker.placedOrders.length + 1 });
      };
      const onOrderCall = (call: string, orderId: string): void => {
        const symbol = symbolOfOrder(orderId);
        if (symbol !== undefined && symbol !== tr.instrument.symbol) fail(`[invariant D own instrument only] ${tr.key}'s engine sent a ${call} for ${orderId}, an order for ${symbol}`);
      };
      const feed = hub ? hub.forInstrument(tr.instrument.symbol, tr.instrument.exchange) : proc.feed;
      const engineLog = createLogger({ store, clock, secrets: [], stdout: sink, minLevel: 'DEBUG', ...(several ? { instrument: tr.key } : {}) });
      engine = new Engine({
        ...(feed ? { feed, feedMode: 'auto' as const, safetyPollMs: 5_000 } : {}),
        broker: watchedBroker(shared ? shared.view() : gated, () => proc.dead, onPlace, onOrderCall),
        clock,
        store,
        log: engineLog,
        settings: tr.settings,
        stateFile,
        marketOnTarget: sc.marketOnTarget,
        failClosedOnUnknownSymbol: true,
        ...(several ? { alignPolls: true } : {}),
        ...(account ? { account } : {}),
      });
      if (account) account.join(accountMember(tr.key, engine, engineLog));
      proc.engines.push(engine);
    }
    current = proc;
    const started = proc.engines.map((e) => e.start());
    Promise.all(started).then(
      () => {
        if (proc.dead) return;
        proc.started = true;
        proc.startedAt = clock.now();
      },
      (err: unknown) => {
        if (proc.dead) return;
        proc.startError = err;
        proc.dead = true;
        for (const e of proc.engines) e.abandon();
        if (err instanceof StartupError && err.exitCode === 2) {
          // The CLI would exit 2; a supervisor starts it again.
          log.push({ at: clock.now(), proc: proc.id, inst: null, line: `*** start failed (${err.message}); restarting in 1 s` });
          pendingRestarts.push(clock.now() + 1000);
        } else {
          fail(`[invariant engine start] engine start failed: ${err instanceof Error ? err.stack : String(err)}`);
        }
      },
    );
  };

  const live = (): Proc | null => {
    const c = cur();
    return c && !c.dead && c.started ? c : null;
  };
  const lockOf = (e: Engine): SerialLock => (e as unknown as { lock: SerialLock }).lock;

  // ---- invariants, checked after every step ----
  // Faults that stretch how long a correction takes. A correction is a handful of broker calls,
  // each slowed by the latency. An order call that times out, or fails with a 5xx, has an
  // unknown outcome: the order book is looked up three times over 2.5 s (after the client's
  // timeout) before anything is re-sent — idempotency first, by design. A 429, or an order the
  // broker does not show yet, costs a retry or a few re-reads. The bounds stretch by that much
  // per attempt, for each of the two legs (they are placed one after the other).
  const f = broker.faultConfig;
  const onceKinds = new Set(sc.once.map((o) => o.fault));
  const timeouts = f.acceptThenTimeout > 0 || f.timeoutNotPlaced > 0 || onceKinds.has('acceptThenTimeout') || onceKinds.has('timeoutNotPlaced');
  const serverErrors = f.serverError > 0 || onceKinds.has('serverError');
  const slowReads = f.rateLimited > 0 || f.notFoundAfterPlaceMs > 0 || onceKinds.has('rateLimited') || onceKinds.has('notFoundAfterPlaceMs');
  const perOrderCall = (timeouts ? sc.clientTimeoutMs : 0) + (timeouts || serverErrors ? 3_400 : 0) + (slowReads ? 2_000 : 0);
  const onceLatency = Math.max(0, ...sc.once.filter((o) => o.fault === 'latencyMs').map((o) => o.match.ms ?? 200));
  const slack = 8 * f.latencyMs + onceLatency + (perOrderCall > 0 ? 2 * (1 + sc.settings.maxOrderRetries) * perOrderCall + 3_000 : 0);
  const hangSlack = Math.max(f.marketHangMs, ...sc.once.filter((o) => o.fault === 'marketHangMs').map((o) => o.match.ms ?? (f.marketHangMs || 3000)));
  const logSince = (tr: Traded, since: number, re: RegExp): boolean => log.some((l) => l.at >= since && l.inst === tr.i && re.test(l.line));
  /** What a desk's invariant failure names: the instrument, when there are several. */
  const who = (tr: Traded): string => (several ? `${tr.key} ` : '');

  /** The broker's ids of this instrument's exit orders (any price type). */
  const exitOrderIds = (tr: Traded): Set<string> =>
    new Set(placements.filter((pl) => pl.inst === tr.i && pl.role === 'exit').flatMap((pl) => broker.placedOrders[pl.seq - 1]?.orderId ?? []));

  /** The side the instrument's engine holds (or last held), from the engine or, while it is down, its file. */
  const sideOf = (tr: Traded, p: Proc | null): Side => (p?.engines[tr.i]?.state ?? tr.file.load())?.side ?? 'long';

  const checkInstrument = (tr: Traded, p: Proc | null): void => {
    const side = sideOf(tr, p);
    const t = brokerTruth(broker, tr.instrument, exitOrderIds(tr), side);
    const [held_, wrong] = side === 'long' ? ['LONG', 'SHORT'] : ['SHORT', 'LONG'];
    const now = clock.now();
    const engine = p?.engines[tr.i] ?? null;
    const inv = tr.inv;
    if (engine && engine.state.guard.state === 'HALTED') tr.haltedSeenAt ??= now;
    // Time the bot was not running (crashed, starting) does not count against it.
    const graceFrom = p?.startedAt ?? now;
    const since = (s: number | null): number => (s === null ? 0 : now - Math.max(s, graceFrom));

    // 1. Never beyond flat on the wrong side (net short for a long, net long for a short) for
    // longer than one OCO poll + 1 s.
    if (t.net < 0) {
      inv.shortSince ??= now;
      const limit = poll + 1000 + slack + hangSlack;
      if (p && since(inv.shortSince) > limit) {
        fail(`[invariant 1 never the wrong side] ${who(tr)}${side}, but net ${wrong} ${-t.net} at the broker for ${since(inv.shortSince)} ms (limit ${limit})`);
        inv.shortSince = now;
      }
    } else inv.shortSince = null;

    // 2. Never more open exit quantity than held for longer than one poll + 1 s. The two legs
    // are alternatives (one cancels the other), a market exit comes on top of whichever is open.
    const held = Math.max(0, t.net);
    const exitQty = Math.max(t.sellLimit, t.sellStop) + t.sellMarket;
    if (exitQty > held) {
      inv.overSince ??= now;
      // An outside close (the trader's terminal) leaves our legs working over a flat account
      // until the engine hears of it: by push (the outside order), or from the next polled
      // order book, then a reconciliation (retried every 2 s when it cannot decide). Not at the
      // next scheduled reconciliation: that could be RECONCILE_SECONDS away.
      const outside = f.externalClose > 0 || sc.once.some((o) => o.fault === 'externalClose');
      // On push, a lost update leaves it to the safety poll (5 s).
      const netPoll = sc.feed ? Math.max(poll, 5_000) : poll;
      const limit = poll + 1000 + slack + (outside ? 2 * netPoll + 2 * 2_000 : 0);
      if (p && since(inv.overSince) > limit) {
        fail(`[invariant 2 exits within held] ${who(tr)}open exit quantity ${exitQty} (limit ${t.sellLimit}, stop ${t.sellStop}, market ${t.sellMarket}) > held ${held} for ${since(inv.overSince)} ms (limit ${limit})`);
        inv.overSince = now;
      }
    } else inv.overSince = null;

    // 4. Every position is protected by both legs (or being sold at market), or the log
    // says it is not (UNPROTECTED, flatten, escalation) within two polls.
    const covered = t.net <= 0 || t.sellMarket > 0 || (t.sellLimit >= t.net && t.sellStop >= t.net);
    if (!covered) {
      inv.unprotSince ??= now;
      // While the entry is still working the engine waits for the rest of it (5 confirm
      // attempts, 4.5 s) before it protects what filled: that is the entry's design.
      // …and so does an entry filled at the broker whose fill the engine cannot read yet (its status reads fail).
      if (t.buyOpen > 0 || logSince(tr, inv.unprotSince, /\[ORDER\] status of entry .* failed/)) inv.entryWaited = true;
      const entryWait = inv.entryWaited ? 4_500 + hangSlack : 0;
      const limit = 2 * poll + 1000 + slack + entryWait;
      const start = Math.max(inv.unprotSince, graceFrom);
      if (p && now - start > limit && !logSince(tr, start, /UNPROTECTED|\[FLATTEN\]|\[ESCALATE\]|\[CRITICAL\]|\[EXIT\]/)) {
        fail(`[invariant 4 protected] ${who(tr)}${held_} ${t.net} at the broker without both legs (limit ${t.sellLimit}, stop ${t.sellStop}) for ${now - start} ms and nothing in the log`);
        inv.unprotSince = now;
      }
    } else {
      inv.unprotSince = null;
      inv.entryWaited = false;
    }

    // 13. A triggered stop ends flat. A stop-limit is 'working' at the paper broker once its
    // trigger was crossed (before that 'trigger_pending'); unfilled there, a gap left its limit
    // behind. Seen by the next price or poll, chased, and sold at market after the last try.
    const triggered = t.net > 0 && t.open.some((o) => o.action === closeAction(side) && o.priceType === 'SL' && o.status === 'working');
    if (triggered) {
      inv.triggeredSince ??= now;
      const { chaseMs, chaseTries } = tr.settings.stops;
      const seen = Math.max(poll, sc.settings.quotePollMs);
      const limit = seen + (chaseTries + 1) * chaseMs + CONFIRM_POLL_MS * CONFIRM_POLLS + 1000 + slack + hangSlack;
      if (p && since(inv.triggeredSince) > limit) {
        fail(`[invariant 13 triggered stop ends flat] ${who(tr)}${held_} ${t.net} with a triggered stop unfilled at the broker for ${since(inv.triggeredSince)} ms (limit ${limit})`);
        inv.triggeredSince = now;
      }
    } else inv.triggeredSince = null;

    // 8b. Whenever the engine is idle, the state file says exactly what the engine holds.
    if (engine && !lockOf(engine).busy && tr.savedText !== null && tr.savedText !== JSON.stringify(engine.state)) {
      if (!inv.fileDiffers) fail(`[invariant 8 state file] ${who(tr)}idle engine's state differs from the state file:\n   file   ${tr.savedText}\n   engine ${JSON.stringify(engine.state)}`);
      inv.fileDiffers = true;
    } else inv.fileDiffers = false;

    // 10. Not stuck: the engine does not stay in a position phase while the broker is flat with
    // nothing working for longer than it takes to notice (a reconciliation, or a placement
    // whose outcome is being settled).
    const stuckLimit = sc.settings.reconcileMs + poll + 1000 + slack + hangSlack + 5_000;
    if (engine && engine.state.phase !== 'flat' && t.net === 0 && t.open.length === 0) {
      inv.stuckSince ??= now;
      if (since(inv.stuckSince) > stuckLimit) {
        fail(`[invariant 10 not stuck] ${who(tr)}engine ${engine.state.phase} while the broker is flat with nothing working, for ${since(inv.stuckSince)} ms (limit ${stuckLimit})`);
        inv.stuckSince = now;
      }
    } else inv.stuckSince = null;

    // B. The account HALTED on the loss limit: every instrument flat with nothing working
    // within the time a guard flatten takes (its retry, then what a reconciliation takes).
    // Held past one poll after the halt: a market sell for it must have gone out by then.
    if (accountLossHaltAt !== null && (t.net !== 0 || t.open.length > 0)) {
      inv.notFlatSince ??= Math.max(now, accountLossHaltAt);
      const haltAt = accountLossHaltAt;
      const sellLimit = poll + 1000 + slack + hangSlack;
      // At market: a MARKET sell, or the marketable LIMIT exit sent where MARKET is refused.
      const exitSeqs = new Set(placements.filter((pl) => pl.inst === tr.i && pl.role === 'exit').map((pl) => pl.seq));
      const selling = t.net <= 0 || broker.placedOrders.some((o) => o.at >= haltAt && o.request.symbol === tr.instrument.symbol && o.request.action === closeAction(side) && (o.request.priceType === 'MARKET' || exitSeqs.has(o.seq)));
      if (p && !selling && !inv.unsold && since(inv.notFlatSince) > sellLimit) {
        fail(`[invariant B account halt flattens all] ${tr.key} ${held_} ${t.net} ${since(inv.notFlatSince)} ms after the account HALTED on its loss limit at ${hhmmss(haltAt)}, and no market sell sent for it (limit ${sellLimit})`);
        inv.unsold = true;
      }
      const limit = stuckLimit + GUARD_FLATTEN_RETRY_MS;
      if (p && since(inv.notFlatSince) > limit) {
        fail(`[invariant B account halt flattens all] ${tr.key} not flat ${since(inv.notFlatSince)} ms after the account HALTED on its loss limit at ${hhmmss(accountLossHaltAt)} (net ${t.net}, working ${t.open.map((o) => `${o.id} ${o.action} ${o.priceType}`).join(', ') || 'nothing'}; limit ${limit})`);
        inv.notFlatSince = now;
      }
    } else inv.notFlatSince = null;

    // 3. Never two entries for one signal.
    for (const [signal, n] of tr.entriesBySignal) {
      if (n > 1) {
        fail(`[invariant 3 one entry per signal] ${who(tr)}${n} entry orders placed for the signal of ${hhmmss(signal)}`);
        tr.entriesBySignal.set(signal, -1_000);
      }
    }
  };

  const check = (): void => {
    const p = live();
    if (p?.account) {
      const a = accountState(p.account);
      if (a.state === 'HALTED') accountHaltedAt ??= clock.now();
      // When the account halted, by its own record: the check runs every 50 ms, and the halt's
      // market sells go out in the same instant as the halt, before the check sees it.
      if (a.state === 'HALTED' && a.reason === 'loss_limit') accountLossHaltAt ??= a.since ?? clock.now();
    }
    for (const tr of traded) checkInstrument(tr, p);
  };

  const countEntries = (): void => {
    for (const tr of traded) tr.entriesBySignal.clear();
    for (const pl of placements) {
      if (pl.role !== 'entry') continue;
      const rec = broker.placedOrders[pl.seq - 1];
      if (!rec || rec.outcome !== 'placed') continue;
      const key = pl.signal ?? -1;
      const m = (traded[pl.inst] as Traded).entriesBySignal;
      m.set(key, (m.get(key) ?? 0) + 1);
    }
  };

  /** Order calls the broker received for one instrument: placements, and cancels of its orders. */
  const orderCallsFor = (tr: Traded): number =>
    broker.placedOrders.filter((o) => o.request.symbol === tr.instrument.symbol).length + broker.cancelRequests.filter((c) => (symbolOfOrder(c.orderId) ?? tr.instrument.symbol) === tr.instrument.symbol).length;

  // 7. A second reconciliation right after a first changes nothing (on a desk: one instrument's).
  const doubleReconcile = async (tr: Traded): Promise<void> => {
    const p = live();
    if (!p) return;
    const engine = p.engines[tr.i] as Engine;
    const saved = { ...broker.faultConfig };
    broker.setFaults(ZERO_FAULTS);
    for (const m of markets) m.freeze(true);
    try {
      const lock = lockOf(engine);
      const idle = async (max: number): Promise<boolean> => {
        const ok = await clock.advanceUntil(() => !lock.busy || p.dead, max, 50);
        check();
        return ok && !p.dead;
      };
      if (!(await idle(60_000))) return;
      // The claim is about a settled broker: wait until it shows every order it has (a new order
      // can be "not found" for a moment, and each read of it counts a miss in the state).
      await clock.advanceUntil(() => [...ledger.orders.values()].every((o) => o.visibleAt <= clock.now()), 10_000, 50);
      if (!(await idle(60_000))) return;
      const mark = log.length;
      engine.reconcileNow();
      if (!(await idle(60_000))) return;
      const before = JSON.stringify(engine.state);
      const sent = orderCallsFor(tr);
      const mark2 = log.length;
      engine.reconcileNow();
      await clock.advance(0);
      if (!(await idle(60_000))) return;
      // A fault injected once earlier may still fire here (a failed position book): no claim then.
      if (log.slice(mark).some((l) => l.inst === tr.i && /unavailable/.test(l.line))) return;
      // Nor when the exit rules took their turn in between (a break-even move due since the stop
      // was placed, run once the first reconciliation let go of the lock): not the reconciliation's doing.
      if (log.slice(mark2).some((l) => l.inst === tr.i && /\[(TRAIL|BREAKEVEN|TIME|PARTIAL)\]/.test(l.line))) return;
      doubleReconciles++;
      const after = JSON.stringify(engine.state);
      const sentAfter = orderCallsFor(tr);
      if (after !== before || sentAfter !== sent) {
        fail(
          `[invariant 7 reconcile twice changes nothing] ${who(tr)}second reconciliation changed things: ${sentAfter - sent} broker order calls; state ${after === before ? 'same' : `before ${before}\n   after  ${after}`}\n   log: ${log.slice(mark2).filter((l) => l.inst === tr.i).map((l) => l.line).join('\n        ')}`,
        );
      }
    } finally {
      for (const m of markets) m.freeze(false);
      broker.setFaults(saved);
    }
  };

  // ---- the day ----
  const once = [...sc.once].sort((a, b) => a.atMs - b.atMs);
  const feedEvents = [...(sc.feedEvents ?? [])].sort((a, b) => a.atMs - b.atMs);
  const actions = [...sc.actions].sort((a, b) => a.atMs - b.atMs);
  spawn();
  // The day ends at endAt, or later if the bot is down then (a crash just before): it is
  // started again and given time to recover before the end-of-day checks.
  const dayOver = (): boolean => {
    if (clock.now() < endAt) return false;
    const p = live();
    if (!p) return clock.now() >= endAt + 90_000;
    return (p.startedAt ?? 0) <= endAt - 20_000 || clock.now() - (p.startedAt ?? 0) >= 20_000;
  };
  while (!dayOver()) {
    const now = clock.now();
    while (once.length > 0 && DAY_START + (once[0]?.atMs ?? 0) <= now) {
      const o = once.shift() as OnceInjection;
      broker.injectOnce(o.fault, o.match);
    }
    while (feedEvents.length > 0 && DAY_START + (feedEvents[0]?.atMs ?? 0) <= now) {
      const e = feedEvents.shift() as FeedEvent;
      log.push({ at: now, proc: cur()?.id ?? 0, inst: null, line: `*** feed: ${e.kind}${e.ms !== undefined ? ` ${e.ms} ms` : ''}` });
      if (e.kind === 'drop') live()?.feed?.drop('dropped by the day', e.ms ?? 5_000);
      else broker.setFaults({ feedSilentOrders: e.kind === 'silence' });
    }
    while (timeCrashes.length > 0 && (timeCrashes[0]?.at ?? 0) <= now && now < endAt) {
      crash((timeCrashes.shift() as { downMs: number }).downMs);
    }
    while (pendingRestarts.length > 0 && (pendingRestarts[0] ?? 0) <= now) {
      pendingRestarts.shift();
      const c = cur();
      if (!c || c.dead) spawn();
    }
    while (actions.length > 0 && DAY_START + (actions[0]?.atMs ?? 0) <= now) {
      const a = actions.shift() as { action: TraderAction; instrument?: number };
      const p = live();
      if (!p) continue;
      const tr = traded[(a.instrument ?? 0) % traded.length] as Traded;
      log.push({ at: now, proc: p.id, inst: tr.i, line: `*** trader: ${a.action}${several ? ` ${tr.key}` : ''}` });
      if (a.action === 'doubleReconcile') await doubleReconcile(tr);
      else (p.engines[tr.i] as Engine)[a.action]();
    }
    await clock.advance(STEP_MS);
    countEntries();
    check();
  }

  // ---- end of day ----
  const p = live();
  if (!p) fail(`[invariant 5 flat after square-off] no engine running at the end of the day${cur()?.startError ? `: ${String(cur()?.startError)}` : ''}`);
  const entrySeqs = (tr: Traded): number[] => placements.filter((pl) => pl.role === 'entry' && pl.inst === tr.i).map((pl) => pl.seq);
  /** Positions entered: entry orders of ours that filled, by instrument (C). */
  const positions = traded.map((tr) =>
    entrySeqs(tr).filter((seq) => {
      const rec = broker.placedOrders[seq - 1];
      const o = rec?.orderId ? ledger.orders.get(rec.orderId) : undefined;
      return rec !== undefined && o !== undefined && o.filled > 0;
    }).length,
  );
  let trades = 0;
  let shortTrades = 0;
  let ruleExits = 0;
  let partials = 0;
  let realised = 0;
  for (const tr of traded) {
    // 9. Stops the exchange takes. On an option (STOP_ORDER_TYPE=auto) no SL-M is ever sent:
    // NSE refuses it. On a future a stop goes out as SL (which may not fill in a gap) only after
    // the broker refused an SL-M in the same position. (Within a position the engine cannot tell
    // a refusal of SL-M from a refusal of a trigger the price had just passed in a fast market,
    // so it may degrade that position's stops; it must not carry that into later positions.)
    const seqs = entrySeqs(tr);
    const ours = broker.placedOrders.filter((o) => o.request.symbol === tr.instrument.symbol);
    const option = segmentOf(tr.instrument.symbol, tr.instrument.exchange) === 'option';
    const slm = ours.find((o) => o.request.priceType === 'SL-M');
    if (option && slm) fail(`[invariant 9 no SL-M on options] ${who(tr)}an SL-M stop was sent for the option ${tr.instrument.symbol} at ${hhmmss(slm.at)}`);
    for (const o of option ? [] : ours) {
      if (o.request.priceType !== 'SL' || o.outcome !== 'placed') continue;
      const since = Math.max(0, ...seqs.filter((q) => q < o.seq));
      const refused = ours.some(
        (r) =>
          r.seq > since &&
          r.seq < o.seq &&
          r.request.action === o.request.action &&
          r.request.priceType === 'SL-M' &&
          (r.outcome === 'rejected' || (r.orderId !== null && ledger.orders.get(r.orderId)?.status === 'rejected')),
      );
      if (!refused) {
        fail(`[invariant 9 SL only after SL-M refused] ${who(tr)}stop ${o.orderId} went out as SL at ${hhmmss(o.at)} though no SL-M was refused in that position`);
        break;
      }
    }

    // T. The exit rules (trailing stop, break-even): a stop's trigger only ever tightens (up for
    // a sale, down for a purchase), and one process moves one stop's trigger at most once per
    // TRAIL_MIN_INTERVAL_MS. (More than one stop working shows in invariant 2: two stops for
    // what is held are twice the exit quantity.)
    const minMoveMs = tr.settings.exits?.minIntervalMs ?? 250;
    for (const placed of ours.filter((o) => (o.request.priceType === 'SL' || o.request.priceType === 'SL-M') && o.orderId !== null)) {
      let trigger = placed.request.triggerPrice;
      let lastMove = Number.NEGATIVE_INFINITY;
      const sells = placed.request.action === 'SELL';
      for (const m of broker.modifyRequests) {
        const moved = m.request.triggerPrice;
        if (m.orderId !== placed.orderId || m.outcome !== 'modified' || moved === undefined || trigger === undefined || moved === trigger) continue;
        if (sells ? moved < trigger : moved > trigger) {
          fail(`[invariant T stop never loosens] ${who(tr)}stop ${placed.orderId} (${placed.request.action}) moved ${trigger} → ${moved} at ${hhmmss(m.at)}`);
        }
        // (A crash in the instant of a move counts: the new process does not know when the old one moved.)
        if (m.at - lastMove < minMoveMs && !crashTimes.some((c) => c >= lastMove && c <= m.at)) {
          fail(`[invariant T modifies within the limit] ${who(tr)}stop ${placed.orderId} moved twice within ${m.at - lastMove} ms (TRAIL_MIN_INTERVAL_MS ${minMoveMs}) at ${hhmmss(m.at)}`);
        }
        trigger = moved;
        lastMove = m.at;
      }
    }

    const t = brokerTruth(broker, tr.instrument);
    // 5. Flat, with nothing working, after square-off.
    if (t.net !== 0) fail(`[invariant 5 flat after square-off] ${who(tr)}not flat after square-off: net ${t.net}`);
    if (t.open.length > 0) fail(`[invariant 5 flat after square-off] ${who(tr)}orders still working after square-off: ${t.open.map((o) => `${o.id} ${o.action} ${o.priceType} ${o.quantity - o.filled}`).join(', ')}`);
    // 6. Realised P&L = what the trade book implies, less each round trip's costs; and every
    // round trip's charges are the charges model's figure for its fills at the broker.
    const mine = (orderId: string): boolean => symbolOfOrder(orderId) === tr.instrument.symbol;
    const g = brokerGross(broker, mine);
    const state = p?.engines[tr.i]?.state ?? tr.file.load();
    const n = state?.pnl.trades ?? 0;
    const r = state?.pnl.realised ?? 0;
    trades += n;
    shortTrades += state?.trades.filter((x) => x.side === 'short').length ?? 0;
    ruleExits += state?.trades.filter((x) => x.reason === 'trail' || x.reason === 'breakeven' || x.reason === 'time').length ?? 0;
    partials += log.filter((l) => l.inst === tr.i && l.line.includes('[PARTIAL] booked')).length;
    realised += r;
    // An outside trade (the trader's terminal) is priced from the trade book; when the engine
    // could not read it at that moment it falls back to an estimate and says so in the log. Its
    // P&L cannot then be exact: the check is for days where every price was read.
    const estimated = log.some((l) => l.inst === tr.i && /trade book unavailable/.test(l.line));
    if (t.net === 0 && state && !estimated) {
      // Outside trades (the trader's terminal) count as far as the engine booked them: it prices
      // each from the trade book and remembers the rows it used. Two outside trades that cancel
      // out before the engine looks (the trader closes our long, a leg of ours sells short, the
      // trader closes that too) never show in any net position it reads: they are the trader's
      // own round trip, not the strategy's.
      const known = new Set(state.knownOrderIds);
      const counted = (orderId: string): boolean => mine(orderId) && (!orderId.startsWith('EXT-') || known.has(orderId));
      const g2 = brokerGross(broker, counted);
      // An outside order booked in part (our leg closed the rest of the position, and the trader
      // bought back their own overshoot) counts for the part booked, at that order's average.
      const part = outsideTakenGross(broker, state.outsideTaken ?? {}, (id) => mine(id) && !known.has(id));
      g2.gross = Math.round((g2.gross + part.gross) * 100) / 100;
      g2.fills += part.fills;
      const booked = state.trades.reduce((sum, x) => sum + Math.round(x.costs * 100), 0) / 100;
      const expected = Math.round((g2.gross - booked) * 100) / 100;
      if (Math.abs(expected - r) > 0.01 * Math.max(1, n) + 1e-9) {
        fail(`[invariant 6 P&L from the trade book] ${who(tr)}realised P&L ₹${r.toFixed(2)} over ${n} trades, but the trade book implies ₹${expected.toFixed(2)} (gross ₹${g2.gross.toFixed(2)} from ${g2.fills} of ${g.fills} fills, costs ₹${booked.toFixed(2)} booked)`);
      }
      const costs = { brokerage: { kind: 'flat' as const, rupees: sc.settings.brokeragePerLeg }, slippagePerTrade: sc.settings.slippagePerTrade };
      const segment = segmentOf(tr.instrument.symbol, tr.instrument.exchange, tr.instrument.instrumentType);
      const atBroker = fillsByOrder(broker);
      for (const [k, x] of state.trades.entries()) {
        const where = `${who(tr)}round trip ${k + 1} (closed ${hhmmss(x.closedAt)})`;
        // Its orders are the broker's: each order's quantity and average price as the broker filled it.
        const differs = (x.orders ?? []).find((o) => {
          const b = o.orderId === null ? undefined : atBroker.get(o.orderId);
          return b !== undefined && (b.quantity !== o.quantity || b.side !== o.side || Math.abs(b.price - o.price) > 1e-6);
        });
        if (differs) {
          const b = atBroker.get(differs.orderId ?? '');
          fail(`[invariant 6 charges of the fills] ${where} booked order ${differs.orderId} as ${differs.side} ${differs.quantity} @ ${differs.price}; the broker filled ${b?.side} ${b?.quantity} @ ${b?.price}`);
          break;
        }
        // And its charges are the model's figure for those orders (each order once), its costs those plus slippage.
        const model = chargesOf(x.orders ?? [], costs, segment, x.closedAt);
        const want = (Math.round(model.total * 100) + Math.round(costs.slippagePerTrade * 100)) / 100;
        if (!x.orders || !x.charges || JSON.stringify(x.charges) !== JSON.stringify(model) || x.costs !== want) {
          fail(`[invariant 6 charges of the fills] ${where} booked charges ₹${x.charges?.total.toFixed(2) ?? '—'}, costs ₹${x.costs.toFixed(2)}; the model on its ${x.orders?.length ?? 0} executed orders says ₹${model.total.toFixed(2)}, costs ₹${want.toFixed(2)}`);
          break;
        }
      }
    }
    // C. Per instrument: at most MAX_TRADES_PER_INSTRUMENT positions (one at a time, so its
    // engine's guard holds entries once that many closed).
    const perInstrument = sc.desk?.maxTradesPerInstrument ?? 0;
    if (several && perInstrument > 0 && (positions[tr.i] ?? 0) > perInstrument) {
      fail(`[invariant C trade limits] ${tr.key} entered ${positions[tr.i]} positions (MAX_TRADES_PER_INSTRUMENT ${perInstrument})`);
    }
  }
  // C. In total: at most MAX_TRADES_PER_DAY positions, plus those the other instruments still
  // held when the last allowed one closed (REDUCING lets an open trade finish): N − 1.
  const total = positions.reduce((a, b) => a + b, 0);
  if (several && accountLimits.maxTradesPerDay > 0 && total > accountLimits.maxTradesPerDay + traded.length - 1) {
    fail(`[invariant C trade limits] the account entered ${total} positions (${positions.join(' + ')}; MAX_TRADES_PER_DAY ${accountLimits.maxTradesPerDay}, ${traded.length} instruments)`);
  }
  // 12. The loss limit: no trade entered once the realised P&L reached −L (one instrument; a
  // desk's entries are checked against the account's day as they are sent).
  const lossLimit = sc.guard?.maxDailyLoss ?? 0;
  const firstState = p?.engines[0]?.state ?? first.file.load();
  if (!several && lossLimit > 0 && firstState && lastEntryAt !== null) {
    const since = lastEntryAt;
    const lastPosition = firstState.trades.filter((tr) => tr.closedAt >= since).reduce((sum, tr) => sum + tr.net, 0);
    if (realised < -lossLimit + lastPosition - 0.01 * Math.max(1, trades)) {
      fail(`[invariant 12 loss limit] day ended at ₹${realised.toFixed(2)}: past −₹${lossLimit} by more than the last position's loss (₹${lastPosition.toFixed(2)})`);
    }
  }
  if (p) {
    for (const e of p.engines) e.abandon();
    p.dead = true;
  }
  await clock.advance(0);
  const fills = ledger.trades.map((tr) => {
    const grid = (markets.find((m) => m.instrument.symbol === symbolOfOrder(tr.orderId)) ?? first.market).grid;
    return `[fill ${hhmmss(tr.at)}] ${tr.orderId}${several ? ` ${symbolOfOrder(tr.orderId) ?? '?'}` : ''} ${tr.action} ${tr.quantity} @ ${grid.format(grid.fromTicks(tr.price))}`;
  });
  return {
    violations,
    log: [...log.map((l) => `[p${l.proc} ${hhmmss(l.at)}] ${l.line}`), ...fills],
    trades,
    shortTrades,
    ruleExits,
    partials,
    stopMoves: broker.modifyRequests.filter((m) => m.outcome === 'modified' && m.request.triggerPrice !== undefined && broker.placedOrders.some((o) => o.orderId === m.orderId && o.request.triggerPrice !== m.request.triggerPrice)).length,
    realised,
    brokerGross: brokerGross(broker).gross,
    entries: placements.filter((pl) => pl.role === 'entry').length,
    crashes,
    saves,
    doubleReconciles,
    guardHalted: accountHaltedAt !== null || traded.some((tr) => tr.haltedSeenAt !== null),
    accountLossHalted: accountLossHaltAt !== null,
    positions,
  };
}

export const ZERO_FAULTS: Partial<FaultConfig> = {
  partialFill: 0,
  acceptThenTimeout: 0,
  timeoutNotPlaced: 0,
  notFoundAfterPlaceMs: 0,
  slmRefused: false,
  rejectAfterAccept: 0,
  serverError: 0,
  rateLimited: 0,
  latencyMs: 0,
  externalClose: 0,
  marketHangMs: 0,
  gapLeavesLimitUnfilled: false,
  stopGap: 0,
  marketRefused: false,
  feedDrop: 0,
  feedSilentOrders: false,
  feedLoseUpdate: 0,
  feedDuplicate: 0,
  feedDelayMs: 0,
};
