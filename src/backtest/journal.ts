// Backtest runs in the journal: their own file (journal-backtest.sqlite in STATE_DIR, so no
// query can mix them with paper or live), the journal's own schema, and one more table naming
// each run. A run is a session row (mode "backtest") whose round trips carry its id; the run id
// the trader types (`report --backtest 3`) is that session's id.

import type { Instrument } from '../broker/types.js';
import { journalPath, openJournal, type JournalDb } from '../journal/db.js';
import { TRADE_COLUMNS, tradeOfRow, type JournalTrade } from '../journal/reads.js';
import { JournalWriter } from '../journal/writes.js';
import type { TradeRecord } from '../store/types.js';
import type { PathMode } from './bar-path.js';

export interface RunInfo {
  symbol: string;
  exchange: string;
  from: string;
  to: string;
  /** The data's bar length, e.g. "1m". */
  interval: string;
  path: PathMode;
  /** Where the bars came from: "openalgo history", "cache", "FILE.csv". */
  source: string;
  settingsHash: string;
  /** The settings the run used (no secrets), as JSON. */
  settingsJson: string;
  days: number;
  bars: number;
  /** The replayed days (a day without a round trip still shows as a row), as JSON. */
  dayList: string;
}

export interface StoredRun extends RunInfo {
  id: number;
  createdAt: number;
  trades: number;
  net: number;
}

const RUNS_TABLE = `
  CREATE TABLE IF NOT EXISTS backtest_runs (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    created_at INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    exchange TEXT NOT NULL,
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    interval TEXT NOT NULL,
    path TEXT NOT NULL,
    source TEXT NOT NULL,
    settings_hash TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    days INTEGER NOT NULL,
    bars INTEGER NOT NULL,
    day_list TEXT NOT NULL
  )`;

export function backtestJournalPath(stateDir: string): string {
  return journalPath(stateDir, 'backtest');
}

export function openBacktestJournal(stateDir: string, now: number): JournalDb {
  const db = openJournal(backtestJournalPath(stateDir), { now });
  db.exec(RUNS_TABLE);
  return db;
}

/** Keep one run: its session row, its round trips, its settings. Returns the run id. */
export function saveRun(db: JournalDb, info: RunInfo, instrument: Pick<Instrument, 'symbol' | 'exchange'>, trades: readonly TradeRecord[], now: number): number {
  const writer = new JournalWriter(db, { symbol: instrument.symbol, exchange: instrument.exchange });
  let id = 0;
  db.transaction(() => {
    id = writer.startSession({ startedAt: now, mode: 'backtest', exchange: instrument.exchange, symbol: instrument.symbol, settingsHash: info.settingsHash, pid: process.pid });
    // The paper broker numbers orders from 250000001 every day: the run's id keeps each round trip's key its own.
    writer.recordTrades(id, trades.map((t) => ({ ...t, ...(t.entryOrderId ? { entryOrderId: `run${id}-${t.entryOrderId}` } : {}) })));
    writer.stopSession(id, now, 0);
    db.prepare(
      `INSERT INTO backtest_runs (session_id, created_at, symbol, exchange, from_day, to_day, interval, path, source, settings_hash, settings_json, days, bars, day_list)
       VALUES (@id, @now, @symbol, @exchange, @from, @to, @interval, @path, @source, @settingsHash, @settingsJson, @days, @bars, @dayList)`,
    ).run({ id, now, ...info });
  })();
  return id;
}

const RUN_COLUMNS = `r.session_id AS id, r.created_at AS createdAt, r.symbol, r.exchange, r.from_day AS "from", r.to_day AS "to", r.interval, r.path, r.source,
  r.settings_hash AS settingsHash, r.settings_json AS settingsJson, r.days, r.bars, r.day_list AS dayList,
  (SELECT COUNT(*) FROM round_trips t WHERE t.session_id = r.session_id) AS trades,
  (SELECT ROUND(COALESCE(SUM(net), 0), 2) FROM round_trips t WHERE t.session_id = r.session_id) AS net`;

export function listRuns(db: JournalDb): StoredRun[] {
  return db.prepare(`SELECT ${RUN_COLUMNS} FROM backtest_runs r ORDER BY r.session_id`).all() as StoredRun[];
}

export function readRun(db: JournalDb, id: number): StoredRun | null {
  return (db.prepare(`SELECT ${RUN_COLUMNS} FROM backtest_runs r WHERE r.session_id = ?`).get(id) as StoredRun | undefined) ?? null;
}

export function readRunTrades(db: JournalDb, id: number): JournalTrade[] {
  return db.prepare(`SELECT ${TRADE_COLUMNS} FROM round_trips WHERE session_id = ? ORDER BY closed_at, id`).all(id).map(tradeOfRow);
}
