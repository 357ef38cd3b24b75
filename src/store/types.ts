// What the screens show. Only the engine writes trading state; screens read through selectors.

import type { FeedView } from '../broker/feed.js';
import type { PriceBar } from './bars.js';

export type Mode = 'paper' | 'live';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL';

/** Position lifecycle (see src/engine/position-machine.ts for the allowed transitions). */
export type PositionPhase = 'flat' | 'entering' | 'protected' | 'unprotected' | 'exiting';

/** Order lifecycle as the engine tracks it (see src/engine/order-machine.ts). */
export type OrderPhase =
  | 'pending_submit'
  | 'working'
  | 'partially_filled'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'unknown_outcome';

export type SessionState = 'weekend' | 'holiday' | 'before_session' | 'in_session' | 'between_windows' | 'after_session' | 'squared_off';

export type ShutdownPhase =
  | 'idle'
  | 'stopping_entries'
  | 'cancelling_legs'
  | 'market_sell'
  | 'confirming'
  | 'retry_market'
  | 'keep_alive'
  | 'flat'
  | 'critical';

export interface LegView {
  role: 'target' | 'stop';
  orderId: string | null;
  /** LIMIT for the target; SL on options (SL-M refused there), SL-M elsewhere, SL where SL-M was refused. */
  type: 'LIMIT' | 'SL-M' | 'SL' | 'MARKET';
  price: number | null;
  trigger: number | null;
  quantity: number;
  filled: number;
  phase: OrderPhase;
  /** Triggered and resting unfilled: its limit is being chased (moves sent of the most allowed). */
  chase?: { tries: number; max: number } | undefined;
  /** A stop the exit rules moved: which rule, the trigger it started from, the best price at the last move. */
  moved?: { origin: 'trail' | 'breakeven'; from: number; best: number; side: 'long' | 'short'; next?: number | undefined } | undefined;
}

export interface LogLine {
  seq: number;
  at: number;
  level: LogLevel;
  tag: string;
  text: string;
}

/** A round trip's charges as a contract note lists them, ₹ (each a whole number of paise). */
export interface ChargeBreakdown {
  brokerage: number;
  stt: number;
  exchange: number;
  sebi: number;
  stamp: number;
  ipft: number;
  gst: number;
  /** The sum of the lines above. */
  total: number;
}

/** One executed order of a round trip: all its fills, at their average price. */
export interface TradeOrder {
  orderId: string | null;
  side: 'BUY' | 'SELL';
  quantity: number;
  price: number;
}

export interface TradeRecord {
  /** The position's side; absent in records made before sides existed (long). */
  side?: 'long' | 'short';
  openedAt: number;
  closedAt: number;
  entry: number;
  exit: number;
  quantity: number;
  reason: 'target' | 'stop' | 'trail' | 'breakeven' | 'time' | 'partial' | 'market_on_target' | 'flatten' | 'square_off' | 'shutdown' | 'reconcile' | 'external' | 'loss_limit';
  gross: number;
  /** Charges (the breakdown's total) + the slippage estimate, ₹. */
  costs: number;
  /** gross − costs. */
  net: number;
  /** Brokerage and statutory charges of this round trip's fills; absent in state saved before charges were counted. */
  charges?: ChargeBreakdown;
  /** The executed orders the charges were worked on (each order once, its fills at their average price); null id = a change booked from outside the bot. */
  orders?: TradeOrder[];
  /** The broker's id of the entry order: one round trip per entry, across crashes and restarts. */
  entryOrderId?: string;
}

/** What the trade journal holds for the dashboard (the CLI reads it; screens never open the file). */
export interface JournalView {
  /** IST day of `today`. */
  day: string;
  /** Today's round trips from every session, oldest first. */
  today: (Omit<TradeRecord, 'reason' | 'entryOrderId'> & { reason: string })[];
  /** The IST week so far, Monday to today. */
  week: { from: string; trades: number; wins: number; losses: number; net: number };
}

/** The session guard as the screens show it (see src/engine/guard.ts). */
export interface GuardView {
  /** At least one limit is configured. */
  on: boolean;
  state: 'ACTIVE' | 'REDUCING' | 'HALTED';
  /** Why it is not ACTIVE, in words. */
  reason: string | null;
  since: number | null;
  dayPnl: number;
  realised: number;
  /** The open position at LTP, net of its costs. */
  open: number;
  trades: number;
  lossStreak: number;
  peak: number;
  cooldownUntil: number | null;
  limits: { maxDailyLoss: number; dailyProfitTarget: number; profitLock: number; maxTradesPerDay: number; maxConsecutiveLosses: number; cooldownMinutes: number };
  /** Bumped on every halt: the screen rings the bell once per bump. */
  halts: number;
}

export interface DashboardState {
  mode: Mode;
  /** The server runs in analyzer (sandbox) mode: orders are simulated even when "live". */
  analyzer: boolean;
  brokerLabel: string;
  symbol: string;
  exchange: string;
  product: string;
  lots: number;
  lotSize: number;
  tickSize: number;
  now: number;
  session: SessionState;
  nextBarAt: number | null;
  health: {
    lastOkAt: number | null;
    rttMs: number | null;
    error: string | null;
    reachable: boolean;
  };
  /** Why new entries are held, or null when entries are allowed. */
  entriesHeld: string | null;
  /** The exchange calendar's word on today: "HOLIDAY: … — no entries today", "SPECIAL SESSION 18:15–19:15", or null. */
  marketDayNote: string | null;
  /** The offset (server − machine, ms) the engine's clock runs on; shown when over a second. */
  clockOffsetMs: number;
  paused: boolean;
  marketOnTarget: boolean;
  position: {
    phase: PositionPhase;
    /** The position's side (or the last one's, while flat). */
    side: 'long' | 'short';
    /** Quantity the entry asked for. */
    requested: number;
    /** Quantity the entry got. */
    entryFilled: number;
    /** Quantity held now (entry filled minus exits filled). */
    held: number;
    /** Quantity exited so far from this position. */
    exited: number;
    avgEntry: number | null;
    openedAt: number | null;
  };
  legs: { target: LegView | null; stop: LegView | null };
  ltp: number | null;
  prevClose: number | null;
  /** Recent LTPs for the chart, bounded. */
  ltpHistory: number[];
  /** The strategy's bar length (INTERVAL) in ms; a day for daily bars. */
  barMs: number;
  /** Today's bars of `barMs`, built from the same prices as `ltp` (see bars.ts), bounded. */
  bars: PriceBar[];
  /** The stop's trigger over the day, a point each time it changed (null: no stop working), bounded: the chart draws its path. */
  stopPath: { at: number; price: number | null }[];
  pnl: {
    realised: number;
    trades: number;
    wins: number;
    losses: number;
    day: string;
  };
  tradesToday: TradeRecord[];
  /** From the trade journal; null when there is none (JOURNAL=false, or it could not be opened). */
  journal: JournalView | null;
  guard: GuardView;
  shutdown: { phase: ShutdownPhase; detail: string; since: number | null };
  /** Bumped on every CRITICAL event: the screen rings the bell once per bump. */
  criticalSeq: number;
  /** The last terminal alert (src/alerts): the screen writes its bell/notification once per seq. */
  terminalAlert: { seq: number; title: string; text: string; bell: boolean; desktop: 'osc9' | 'osc777' | null; tmux: boolean } | null;
  /** The push feed as the header shows it: push with its ping, or POLLING and why. */
  feed: FeedView | null;
  /** A problem the trader must act on (configuration, connection), with what to do. */
  banner: string | null;
  log: LogLine[];
  logSeq: number;
}
