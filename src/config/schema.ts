// The one source for every setting's name, type, defaults, range and help text. The CLI flags,
// `config show`, validation and the README's table are all generated from this list.

import { DEFAULT_ALERTS, type AlertLevels } from '../alerts/levels.js';
import type { LimitBuffer } from '../engine/protective-price.js';
import type { Brokerage } from '../engine/charges.js';
import { EXCHANGES } from './exchanges.js';

export type FieldKind =
  | 'string' | 'secret' | 'url' | 'int' | 'number' | 'bool'
  | 'time' | 'interval' | 'enum' | 'windows' | 'date' | 'path' | 'alerts' | 'symbols' | 'buffer' | 'brokerage';

export interface FieldSpec {
  kind: FieldKind;
  /** Default for a live run; undefined = no default (required where noted). */
  live?: string;
  /** Default for a paper run where a newcomer needs something else. */
  paper?: string;
  help: string;
  min?: number;
  max?: number;
  /** Allowed values for enums. */
  values?: readonly string[];
  /** The minimum itself is not allowed (distances must be > 0). */
  exclusiveMin?: boolean;
  /** An empty string is a valid value. */
  allowEmpty?: boolean;
}

/** Every setting, by its environment name (the original bot's names are kept). */
export const SCHEMA = {
  OPENALGO_API_KEY: { kind: 'secret', help: 'OpenAlgo API key (required for --live; never printed)' },
  OPENALGO_API_HOST: { kind: 'url', live: 'http://127.0.0.1:5000', help: 'OpenAlgo server base URL' },
  OPENALGO_WS_URL: { kind: 'url', live: 'ws://127.0.0.1:8765', help: 'OpenAlgo WebSocket feed URL' },
  SYMBOL: { kind: 'string', help: "trading symbol in OpenAlgo format (required for --live; paper default: this month's NIFTY 25000 call, e.g. NIFTY29DEC2625000CE)" },
  SYMBOLS: { kind: 'symbols', values: EXCHANGES, help: 'several instruments in one process: SYM[@EXCHANGE][:LOTS], comma-separated (EXCHANGE and LOTS default to the settings of those names); instead of SYMBOL' },
  EXCHANGE: { kind: 'enum', live: 'NFO', help: 'exchange of the symbol', values: EXCHANGES },
  PRODUCT: { kind: 'enum', live: 'MIS', help: 'order product', values: ['MIS', 'CNC', 'NRML'] },
  LOTS: { kind: 'int', live: '1', paper: '2', min: 1, max: 1000, help: 'lots per entry (quantity = LOTS × lot size)' },
  INTERVAL: { kind: 'interval', live: '5m', paper: '5s', help: 'bar length: Ns, Nm, Nh or D' },
  TRADE_EVERY_N_BARS: { kind: 'int', live: '1', min: 1, max: 10000, help: 'enter on every Nth bar close' },
  DIRECTION: { kind: 'enum', live: 'long', values: ['long', 'short', 'alternate'], help: 'the side each trade takes: long (buy, then sell), short (sell, then buy back) or alternate (flips after each round trip); short on options needs ALLOW_OPTION_WRITING' },
  ALLOW_OPTION_WRITING: { kind: 'bool', live: 'false', help: 'allow DIRECTION=short or alternate on options (writing: the broker blocks margin for it, and the loss is not limited to the premium)' },
  PROFIT_TARGET_RUPEES: { kind: 'number', live: '2.0', min: 0, exclusiveMin: true, help: 'target distance in favour of the position (above entry for a long, below for a short), ₹ (> 0)' },
  STOP_LOSS_RUPEES: { kind: 'number', live: '1.0', min: 0, exclusiveMin: true, help: 'stop distance against the position (below entry for a long, above for a short), ₹ (> 0)' },
  BROKERAGE: { kind: 'brokerage', live: '20', help: "brokerage per executed order: ₹ (20, 0) or a percent of the order's turnover capped per order (0.03%:20); a partly filled order is one order" },
  BROKERAGE_PER_TRADE_RUPEES: { kind: 'number', min: 0, help: 'the older flat form of BROKERAGE: ₹ per executed order (≥ 0); when set, it wins over BROKERAGE' },
  SLIPPAGE_RUPEES: { kind: 'number', live: '0', min: 0, help: 'slippage per round trip, ₹, split across legs (≥ 0)' },
  STOP_ORDER_TYPE: { kind: 'enum', live: 'auto', values: ['auto', 'SL', 'SL-M'], help: 'the stop leg: auto (SL on options, which the exchange refuses as SL-M; SL-M on futures and equity, SL where SL-M is refused), SL (always stop-limit) or SL-M (stop-market, SL where refused)' },
  STOP_LIMIT_BUFFER: { kind: 'buffer', live: 'auto', help: "how far a stop-limit's limit sits under its trigger (and a marketable LIMIT beyond the last price): auto (price slab: 5 % under ₹10, 3 % to ₹100, 2 % to ₹500, 1 % above; at least 2 ticks), N% or Nticks" },
  STOP_CHASE_MS: { kind: 'int', live: '500', min: 50, max: 60000, help: 'a triggered stop (or a protective LIMIT exit) still unfilled has its limit moved under the last price this often, ms' },
  STOP_CHASE_TRIES: { kind: 'int', live: '3', min: 0, max: 20, help: 'limit moves of an unfilled triggered stop before it is cancelled and the position sold at market (0: straight to market at the first look)' },
  TRAIL_TRIGGER_RUPEES: { kind: 'number', live: '0', min: 0, help: 'trailing stop: arms once the price has moved this far in favour of the position, ₹ per unit (0 = off; needs TRAIL_STEP_RUPEES)' },
  TRAIL_STEP_RUPEES: { kind: 'number', live: '0', min: 0, help: 'trailing stop: continuous, the stop trails the best price by this; stepped, it moves by this for every step of favourable move, ₹ (0 = off)' },
  TRAIL_MODE: { kind: 'enum', live: 'continuous', values: ['continuous', 'stepped'], help: 'trailing stop: continuous (best price − TRAIL_STEP_RUPEES) or stepped (one step of stop per step of move)' },
  BREAKEVEN_AFTER_RUPEES: { kind: 'number', live: '0', min: 0, help: "once in favour by this, ₹, the stop moves to entry + the round trip's charges per unit (a true break-even; 0 = off)" },
  TRAIL_TRIGGER_PERCENT: { kind: 'number', live: '0', min: 0, max: 100, help: 'TRAIL_TRIGGER_RUPEES as a percent of the entry price (0 = use the ₹ form)' },
  TRAIL_STEP_PERCENT: { kind: 'number', live: '0', min: 0, max: 100, help: 'TRAIL_STEP_RUPEES as a percent of the entry price (0 = use the ₹ form)' },
  BREAKEVEN_AFTER_PERCENT: { kind: 'number', live: '0', min: 0, max: 100, help: 'BREAKEVEN_AFTER_RUPEES as a percent of the entry price (0 = use the ₹ form)' },
  PARTIAL_TARGET_LOTS: { kind: 'int', live: '0', min: 0, max: 1000, help: 'partial profit: book this many lots at market once the price is PARTIAL_TARGET_RUPEES in favour; the rest carries on with its stop at break-even (0 = off; fewer than LOTS)' },
  PARTIAL_TARGET_RUPEES: { kind: 'number', live: '0', min: 0, help: 'partial profit: the distance in favour of the entry at which PARTIAL_TARGET_LOTS are booked, ₹ (needs PARTIAL_TARGET_LOTS)' },
  PARTIAL_TARGET_PERCENT: { kind: 'number', live: '0', min: 0, max: 100, help: 'PARTIAL_TARGET_RUPEES as a percent of the entry price (0 = use the ₹ form)' },
  TIME_STOP_MINUTES: { kind: 'number', live: '0', min: 0, max: 1440, help: 'a position still open after this long is closed at market, minutes (0 = off)' },
  TRAIL_MIN_INTERVAL_MS: { kind: 'int', live: '250', min: 50, max: 60000, help: 'at most one stop move (modifyorder) per this, ms; a burst of ticks becomes one move at the latest price' },
  IGNORE_ENTRY_DELTA: { kind: 'bool', live: 'true', help: 'anchor target and stop on the actual fill price (false: on the signal LTP)' },
  SESSION_WINDOWS: { kind: 'windows', live: '09:20-15:15', paper: '00:00-23:59', help: 'entry windows, HH:MM-HH:MM comma-separated, Asia/Kolkata' },
  ENABLE_EOD_SQUARE_OFF: { kind: 'bool', live: 'true', help: 'square off at SQUARE_OFF_TIME' },
  SQUARE_OFF_TIME: { kind: 'time', live: '15:15', paper: '23:59', help: 'square-off time HH:MM, Asia/Kolkata' },
  TRADE_WEEKENDS: { kind: 'bool', live: 'false', paper: 'true', help: 'allow sessions on Saturday and Sunday (paper only makes sense)' },
  TEST_MODE: { kind: 'bool', live: 'false', help: 'true selects the paper broker' },
  LOG_TO_FILE: { kind: 'bool', live: 'true', help: 'write the log to a file in STATE_DIR' },
  PERSIST_STATE: { kind: 'bool', live: 'true', help: 'save state atomically for crash recovery' },
  JOURNAL: { kind: 'bool', live: 'true', help: 'keep the trade journal (SQLite, journal-paper/-live.sqlite in STATE_DIR) for random-scalp report' },
  STATE_DIR: { kind: 'path', help: 'directory for state and log files (default: per-user data dir)' },
  API_TIMEOUT_SECONDS: { kind: 'number', live: '10', min: 0.1, max: 300, help: 'timeout of each API call, seconds (decimals allowed)' },
  MAX_ORDER_RETRIES: { kind: 'int', live: '2', min: 0, max: 10, help: 'retries of an order that surely did not take effect' },
  ENABLE_MARKET_ON_TARGET: { kind: 'bool', live: 'false', help: 'sell at market when LTP reaches the target (gaps)' },
  OCO_POLL_SECONDS: { kind: 'number', live: '1', min: 0.2, max: 60, help: 'how often the exit legs are checked, seconds' },
  RECONCILE_SECONDS: { kind: 'number', live: '30', min: 1, max: 3600, help: 'how often the position is reconciled, seconds' },
  FEED: { kind: 'enum', live: 'auto', values: ['auto', 'push', 'poll'], help: 'order updates and ticks: auto (push over the WebSocket feed when it is live, polling while it is not), push (the same, and say so loudly when the feed is down), poll (never open the feed)' },
  FEED_SAFETY_POLL_SECONDS: { kind: 'number', live: '5', min: 1, max: 60, help: 'how often the exit legs are still polled while the push feed is trusted, seconds (full rate, OCO_POLL_SECONDS, whenever it is not)' },
  QUOTE_POLL_SECONDS: { kind: 'number', live: '1', min: 0.1, max: 60, help: 'how often LTP is polled, seconds' },
  ORDER_RATE_PER_SECOND: { kind: 'number', live: '8', min: 1, max: 50, help: 'client-side limit per second on each order route: placeorder, modifyorder, cancelorder (server allows 10 per route)' },
  OTHER_RATE_PER_SECOND: { kind: 'number', live: '8', min: 1, max: 50, help: 'client-side limit per second on each other route, e.g. quotes or orderstatus (server allows 10 per route)' },
  STRATEGY_NAME: { kind: 'string', live: 'RandomScalp', help: 'strategy tag sent with every order' },
  USE_HISTORY: { kind: 'bool', live: 'false', help: 'seed the price chart with past closes from OpenAlgo history' },
  HISTORY_START_DATE: { kind: 'date', help: 'history start, YYYY-MM-DD (default: today, IST)' },
  HISTORY_END_DATE: { kind: 'date', help: 'history end, YYYY-MM-DD (default: today, IST)' },
  MAX_DAILY_LOSS_RUPEES: { kind: 'number', live: '0', min: 0, help: 'session guard: day P&L (realised net of costs + open position at LTP; with SYMBOLS, summed over all instruments) at or below −this → flatten everything and halt for the day, ₹ (0 = off)' },
  DAILY_PROFIT_TARGET_RUPEES: { kind: 'number', live: '0', min: 0, help: 'session guard: day P&L at or above this → no new entries, the open trade finishes, then halt, ₹ (0 = off)' },
  PROFIT_LOCK_RUPEES: { kind: 'number', live: '0', min: 0, help: 'session guard: once the day has been this far up, a give-back to half of its peak → as the profit target, ₹ (0 = off)' },
  MAX_TRADES_PER_DAY: { kind: 'int', live: '0', min: 0, max: 100000, help: 'session guard: after this many round trips, no new entries today; with SYMBOLS, all instruments together (0 = off)' },
  MAX_TRADES_PER_INSTRUMENT: { kind: 'int', live: '0', min: 0, max: 100000, help: 'session guard with SYMBOLS: after this many round trips on one instrument, no new entries on it today (0 = off)' },
  MAX_CONSECUTIVE_LOSSES: { kind: 'int', live: '0', min: 0, max: 1000, help: 'session guard: after this many losing trades in a row, no new entries for COOLDOWN_MINUTES (0 = off)' },
  COOLDOWN_MINUTES: { kind: 'number', live: '0', min: 0, max: 1440, help: 'session guard: pause after MAX_CONSECUTIVE_LOSSES, minutes (0 = for the rest of the day)' },
  PAPER_SEED: { kind: 'int', live: '0', min: 0, max: 2147483647, help: 'paper market seed (0 = a new one each run)' },
  PAPER_FAULTS: { kind: 'string', live: '', allowEmpty: true, help: 'paper market fault switches, e.g. partialFill=0.3,slmRefused' },
  ALERTS: { kind: 'alerts', live: DEFAULT_ALERTS, allowEmpty: true, help: 'per alert: on (every channel, terminal rings), silent (Telegram/webhook, no sound), off; classes critical, halt, feed, trade, summary, all' },
  ALERT_TELEGRAM_USER: { kind: 'string', help: "OpenAlgo login username whose linked Telegram gets the alerts (OpenAlgo's bot; unset = no Telegram)" },
  ALERT_WEBHOOK_URL: { kind: 'url', help: 'URL that gets each alert as a JSON POST (unset = no webhook)' },
  ALERT_TERMINAL: { kind: 'enum', live: 'AUTO', values: ['AUTO', 'BELL', 'OSC9', 'OSC777', 'OFF'], help: 'terminal alerts: AUTO (bell + desktop notification where the terminal is known to show one), BELL, OSC9, OSC777, OFF' },
  ALERT_FEED_DOWN_SECONDS: { kind: 'number', live: '60', min: 1, max: 3600, help: 'the feed must be down this long before it is an alert, seconds' },
  PAPER_HOLIDAYS: { kind: 'string', live: '', allowEmpty: true, help: 'paper exchange holidays: YYYY-MM-DD[:name], or YYYY-MM-DD@HH:MM-HH:MM[:name] for a special session, comma-separated' },
} as const satisfies Record<string, FieldSpec>;

export type ConfigKey = keyof typeof SCHEMA;
export const CONFIG_KEYS = Object.keys(SCHEMA) as ConfigKey[];

type ValueOf<K extends FieldKind> = K extends 'int' | 'number'
  ? number
  : K extends 'bool'
    ? boolean
    : K extends 'interval'
      ? Interval
      : K extends 'windows'
        ? TimeWindow[]
        : K extends 'time'
          ? MinuteOfDay
          : K extends 'alerts'
            ? AlertLevels
            : K extends 'symbols'
              ? SymbolEntry[]
              : K extends 'buffer'
                ? LimitBuffer
                : K extends 'brokerage'
                  ? Brokerage
                  : string;

type Required<K extends ConfigKey> = (typeof SCHEMA)[K] extends { live: string } | { paper: string } ? K : never;

/** Resolved settings: keys with a default are always present, the rest may be undefined. */
export type Config = {
  [K in ConfigKey as Required<K>]: ValueOf<(typeof SCHEMA)[K]['kind']>;
} & {
  [K in ConfigKey as Exclude<K, Required<K>>]?: ValueOf<(typeof SCHEMA)[K]['kind']>;
} & { STATE_DIR: string };

/** One SYMBOLS entry; exchange and lots are absent when the entry leaves them to EXCHANGE and LOTS. */
export interface SymbolEntry {
  symbol: string;
  exchange?: string;
  lots?: number;
}

/** Minutes since midnight, Asia/Kolkata. */
export type MinuteOfDay = number;
export interface TimeWindow {
  start: MinuteOfDay;
  end: MinuteOfDay;
}
export type Interval = { kind: 'seconds'; ms: number } | { kind: 'daily' };

export function flagName(key: ConfigKey): string {
  return `--${key.toLowerCase().replace(/_/g, '-')}`;
}
