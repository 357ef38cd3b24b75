// A backtest's result in the report's shapes: the same ReportData the `report` command renders
// (text, CSV, HTML), and JSON in the shape of `report --json` with the run's description in
// place of the journal's sessions. The JSON holds nothing of the moment it was made (no run id,
// no wall-clock time, no path), so the same bars and settings give byte-identical JSON.

import { reportJson } from '../journal/report-json.js';
import type { ReportData } from '../journal/report-model.js';
import type { JournalTrade } from '../journal/reads.js';
import { figuresOfDays, type SkippedDay } from './backtest.js';

export interface RunDescription {
  symbol: string;
  exchange: string;
  from: string;
  to: string;
  interval: string;
  path: string;
  lotSize: number;
  tick: number;
  settingsHash: string;
  /** Replayed days. */
  days: string[];
  skipped: SkippedDay[];
  bars: number;
}

export function backtestReportData(run: RunDescription, trades: JournalTrade[], journalPath: string, label?: string): ReportData {
  return {
    mode: 'backtest',
    journalPath,
    range: { from: run.from, to: run.to },
    rangeLabel: label ?? `${run.symbol}@${run.exchange} ${run.from} … ${run.to}, ${run.interval} bars, path ${run.path}`,
    sessions: [],
    trades,
    ...figuresOfDays(trades, run.days),
  };
}

export function backtestJson(run: RunDescription, data: ReportData): unknown {
  const { journal: _journal, sessions: _sessions, mode: _mode, ...rest } = reportJson(data) as Record<string, unknown>;
  return { mode: 'backtest', backtest: run, ...rest };
}
