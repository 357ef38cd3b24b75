import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Bar } from './bars.js';

// The bar cache: every bar fetched from OpenAlgo's history, kept in STATE_DIR (bars.sqlite), and
// which days were fetched whole (with how many bars: a holiday is a day with none), so a second
// run over the same range asks the broker nothing and replays exactly the same bars. Today's bars
// are never marked whole (the day is not over): they are fetched again.

export type BarCacheDb = Database.Database;

export function barCachePath(stateDir: string): string {
  return path.join(stateDir, 'bars.sqlite');
}

export interface SeriesKey {
  symbol: string;
  exchange: string;
  /** OpenAlgo's interval, e.g. "1m". */
  interval: string;
}

export class BarCache {
  private readonly db: BarCacheDb;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const existed = fs.existsSync(file);
    this.db = new Database(file);
    if (!existed) fs.chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS bars (
        symbol TEXT NOT NULL, exchange TEXT NOT NULL, interval TEXT NOT NULL, t INTEGER NOT NULL,
        o REAL NOT NULL, h REAL NOT NULL, l REAL NOT NULL, c REAL NOT NULL, v REAL NOT NULL,
        PRIMARY KEY (symbol, exchange, interval, t)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS fetched_days (
        symbol TEXT NOT NULL, exchange TEXT NOT NULL, interval TEXT NOT NULL, day TEXT NOT NULL,
        bars INTEGER NOT NULL, fetched_at INTEGER NOT NULL,
        PRIMARY KEY (symbol, exchange, interval, day)
      ) WITHOUT ROWID;`);
  }

  /** The days of `days` this cache holds whole. */
  cachedDays(key: SeriesKey, days: readonly string[]): Set<string> {
    const have = new Set<string>();
    const q = this.db.prepare('SELECT day FROM fetched_days WHERE symbol = ? AND exchange = ? AND interval = ? AND day >= ? AND day <= ?');
    if (days.length === 0) return have;
    const sorted = [...days].sort();
    for (const row of q.all(key.symbol, key.exchange, key.interval, sorted[0], sorted[sorted.length - 1]) as { day: string }[]) have.add(row.day);
    return have;
  }

  /** Store bars, and mark `wholeDays` as fetched (each with the bars it has, maybe none). */
  store(key: SeriesKey, bars: readonly Bar[], wholeDays: readonly string[], dayOf: (b: Bar) => string, now: number): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO bars (symbol, exchange, interval, t, o, h, l, c, v) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const mark = this.db.prepare('INSERT OR REPLACE INTO fetched_days (symbol, exchange, interval, day, bars, fetched_at) VALUES (?, ?, ?, ?, ?, ?)');
    const counts = new Map<string, number>();
    for (const b of bars) counts.set(dayOf(b), (counts.get(dayOf(b)) ?? 0) + 1);
    this.db.transaction(() => {
      for (const b of bars) insert.run(key.symbol, key.exchange, key.interval, b.t, b.o, b.h, b.l, b.c, b.v);
      for (const day of wholeDays) mark.run(key.symbol, key.exchange, key.interval, day, counts.get(day) ?? 0, now);
    })();
  }

  /** The cached bars from the start of `fromMs` to before `toMs`, in time order. */
  bars(key: SeriesKey, fromMs: number, toMs: number): Bar[] {
    return this.db
      .prepare('SELECT t, o, h, l, c, v FROM bars WHERE symbol = ? AND exchange = ? AND interval = ? AND t >= ? AND t < ? ORDER BY t')
      .all(key.symbol, key.exchange, key.interval, fromMs, toMs) as Bar[];
  }

  close(): void {
    this.db.close();
  }
}
