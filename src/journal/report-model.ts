import type { Mode } from '../store/types.js';
import type { JournalDb } from './db.js';
import { equityCurve, reportFigures, type ReportFigures } from './figures.js';
import { readSessions, readTrades, type DayRange, type JournalSession, type JournalTrade } from './reads.js';

// Everything one report shows, read once: the terminal table, CSV, JSON and HTML all render
// this same object, so they cannot disagree.

export interface ReportData {
  /** Whose journal: paper, live, or a backtest run's (journal-backtest.sqlite). */
  mode: Mode | 'backtest';
  journalPath: string;
  range: DayRange;
  /** How the range was asked for, for titles: "today (2026-12-01)", "2026-11-24 … 2026-11-28", "all days". */
  rangeLabel: string;
  sessions: JournalSession[];
  trades: JournalTrade[];
  figures: ReportFigures;
  /** Cumulative net after each trade, 0 first. */
  equity: number[];
}

export function buildReport(db: JournalDb, opts: { mode: Mode | 'backtest'; journalPath: string; range: DayRange; rangeLabel: string }): ReportData {
  const trades = readTrades(db, opts.range);
  const sessions = readSessions(db, opts.range);
  return {
    ...opts,
    sessions,
    trades,
    figures: reportFigures(trades, sessions.map((s) => s.day)),
    equity: equityCurve(trades),
  };
}
