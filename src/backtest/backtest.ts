// A whole backtest: the days of bars in a range, each replayed through the real engine
// (runner.ts), and the round trips read through the same figures as `report`.

import type { FeedMode } from '../broker/feed.js';
import type { Instrument } from '../broker/types.js';
import type { Config } from '../config/schema.js';
import { engineSettings } from '../config/settings.js';
import type { EngineSettings } from '../engine/context.js';
import { equityCurve, reportFigures, type ReportFigures } from '../journal/figures.js';
import { journalTradeOf, type JournalTrade } from '../journal/reads.js';
import type { TradeRecord } from '../store/types.js';
import { pointOffsets, type PathMode } from './bar-path.js';
import { BarsError, barsByDay, intervalText, type Bar } from './bars.js';
import { runDay, type DayResult } from './runner.js';

export interface BacktestSpec {
  instrument: Instrument;
  /** Every bar of the source; `from`/`to` select the days. */
  bars: readonly Bar[];
  /** The data's bar length. */
  intervalMs: number;
  from: string;
  to: string;
  config: Config;
  path: PathMode;
  keepEvents?: boolean;
  keepLog?: boolean;
}

export interface SkippedDay {
  day: string;
  reason: string;
}

export interface BacktestResult {
  days: DayResult[];
  /** Weekdays in the range with no bars (a holiday, or no data). */
  skipped: SkippedDay[];
  trades: JournalTrade[];
  figures: ReportFigures;
  equity: number[];
}

/** Every IST calendar day from…to inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += 86_400_000) out.push(new Date(ms).toISOString().slice(0, 10));
  return out;
}

/** The engine's settings for a backtest of this instrument; refuses an INTERVAL finer than the data. */
export function backtestSettings(config: Config, instrument: Instrument, intervalMs: number): EngineSettings {
  const interval = config.INTERVAL;
  if (interval.kind === 'seconds' && (interval.ms < intervalMs || interval.ms % intervalMs !== 0)) {
    const finer = interval.ms < intervalMs;
    throw new BarsError(
      `invalid INTERVAL = "${intervalText(interval.ms)}": ${finer ? 'finer than' : 'not a whole number of'} the data's ${intervalText(intervalMs)} bars: expected ${intervalText(intervalMs)} or a multiple of it (a strategy bar may be coarser than the data's, never finer)`,
    );
  }
  const settings = engineSettings(config);
  const nets = pushFed(config) ? { quotePollMs: Math.max(settings.quotePollMs, pointOffsets(intervalMs)[0]), reconcileMs: Math.max(settings.reconcileMs, intervalMs) } : {};
  return { ...settings, ...nets, symbol: instrument.symbol, exchange: instrument.exchange, history: null };
}

// The nets a live engine keeps against what a backtest cannot have. On the push feed every print
// of the path arrives as a tick and every order change as an update (the paper feed loses
// nothing: its faults are off), and nobody else trades the account. So the quote poll (against a
// silent tick stream) could only read the last tick again, the OCO safety poll (against a lost
// update) and the scheduled reconciliation (against an outside trade) could only find what the
// engine already knows: a backtest runs the quote poll once per point of the path (a quarter of
// the data's bar) and the other two once per data bar, instead of every QUOTE_POLL_SECONDS,
// FEED_SAFETY_POLL_SECONDS and RECONCILE_SECONDS. A day woke ~38,000 times for them; the same
// round trips come out (tested). Polling only (FEED=poll) keeps its rates: there the polls are
// how the engine sees prices and fills.

function pushFed(config: Config): boolean {
  return (config.FEED as FeedMode) !== 'poll';
}

/** FEED as the engine would run it live: the paper push feed for auto and push (its safety poll no more often than once per data bar), polling for poll. */
export function feedOf(config: Config, intervalMs: number): { mode: FeedMode; safetyPollMs: number } {
  const safetyPollMs = Math.round(config.FEED_SAFETY_POLL_SECONDS * 1000);
  return { mode: config.FEED as FeedMode, safetyPollMs: pushFed(config) ? Math.max(safetyPollMs, intervalMs) : safetyPollMs };
}

export function journalTradesOf(trades: readonly TradeRecord[], instrument: Instrument): JournalTrade[] {
  return trades.map((t, i) => journalTradeOf(t, { key: `${i + 1}`, sessionId: null, symbol: instrument.symbol, exchange: instrument.exchange }));
}

/** Figures of round trips, with every replayed day a row (a day without a trade shows zeros). */
export function figuresOfDays(trades: readonly JournalTrade[], days: readonly string[]): { figures: ReportFigures; equity: number[] } {
  return { figures: reportFigures(trades, days), equity: equityCurve(trades) };
}

export async function runBacktest(spec: BacktestSpec, onDay?: (done: number, total: number) => void): Promise<BacktestResult> {
  const settings = backtestSettings(spec.config, spec.instrument, spec.intervalMs);
  const byDay = barsByDay(spec.bars, spec.from, spec.to);
  const skipped: SkippedDay[] = [];
  for (const day of daysBetween(spec.from, spec.to)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (!byDay.has(day) && weekday !== 0 && weekday !== 6) skipped.push({ day, reason: 'no bars (an exchange holiday, or no data)' });
  }
  const days: DayResult[] = [];
  let done = 0;
  for (const [day, bars] of byDay) {
    days.push(
      await runDay({
        day, bars, intervalMs: spec.intervalMs, instrument: spec.instrument, settings, path: spec.path,
        marketOnTarget: spec.config.ENABLE_MARKET_ON_TARGET,
        feed: feedOf(spec.config, spec.intervalMs),
        ...(spec.keepEvents !== undefined ? { keepEvents: spec.keepEvents } : {}),
        ...(spec.keepLog !== undefined ? { keepLog: spec.keepLog } : {}),
      }),
    );
    onDay?.(++done, byDay.size);
  }
  const trades = journalTradesOf(days.flatMap((d) => d.trades), spec.instrument);
  return { days, skipped, trades, ...figuresOfDays(trades, days.map((d) => d.day)) };
}
