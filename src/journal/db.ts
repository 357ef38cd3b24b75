import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Mode } from '../store/types.js';
import { migrate } from './migrations.js';

// Opening the journal: one SQLite file per mode in STATE_DIR (paper and live never share a file,
// so no query can mix them), WAL so a report can read while the bot writes, and the schema
// brought up to date.

export type JournalDb = Database.Database;

export function journalFileName(mode: Mode | 'backtest'): string {
  return `journal-${mode}.sqlite`;
}

export function journalPath(stateDir: string, mode: Mode | 'backtest'): string {
  return path.join(stateDir, journalFileName(mode));
}

export interface OpenOptions {
  /** Clock reading for the migration rows. */
  now: number;
  /** Migrate only up to this version (tests of older databases). */
  upTo?: number;
}

export function openJournal(file: string, opts: OpenOptions): JournalDb {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const existed = fs.existsSync(file);
  const db = new Database(file);
  try {
    if (!existed) fs.chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    // WAL with NORMAL syncs at checkpoints, not on every commit: a power cut may lose the last
    // commits, never corrupt the file; the state file, not the journal, is what recovery trusts.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 2000');
    db.pragma('foreign_keys = ON');
    migrate(db, opts.now, opts.upTo);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
