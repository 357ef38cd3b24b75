import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal } from '../../src/journal/db.js';
import { JournalVersionError, SCHEMA_VERSION, schemaVersion } from '../../src/journal/migrations.js';
import { readTrades } from '../../src/journal/reads.js';

const tmp = (): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-journal-')), 'journal-paper.sqlite');
const tables = (db: ReturnType<typeof openJournal>): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('journal schema and migrations', () => {
  it('an empty file gets every step, in WAL mode, readable only by the owner', () => {
    const file = tmp();
    const db = openJournal(file, { now: 1 });
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(2);
    expect(tables(db)).toEqual(['fills', 'notable_events', 'order_events', 'orders', 'round_trips', 'schema_version', 'sessions']);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[]).map((r) => r.version)).toEqual([1, 2]);
    db.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Opening again applies nothing.
    const again = openJournal(file, { now: 2 });
    expect((again.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n).toBe(2);
    again.close();
  });

  it('a version-1 journal with trades is brought to the current version, its round trips kept and given their symbol', () => {
    const file = tmp();
    const v1 = openJournal(file, { now: 1, upTo: 1 });
    expect(schemaVersion(v1)).toBe(1);
    v1.prepare("INSERT INTO sessions (id, started_at, mode, exchange, symbol, settings_hash, pid) VALUES (7, 1000, 'paper', 'NFO', 'NIFTY28NOV2525000CE', 'abc', 1)").run();
    v1.prepare(
      `INSERT INTO round_trips (trade_key, entry_order_id, session_id, ist_day, opened_at, closed_at, entry, exit, quantity, reason, gross, costs, net, hold_ms)
       VALUES ('entry:1', '1', 7, '2026-11-24', 1000, 61000, 100, 102, 150, 'target', 300, 40, 260, 60000)`,
    ).run();
    v1.close();
    const db = openJournal(file, { now: 2 });
    expect(schemaVersion(db)).toBe(2);
    expect(readTrades(db)).toEqual([
      expect.objectContaining({ key: 'entry:1', symbol: 'NIFTY28NOV2525000CE', exchange: 'NFO', net: 260, day: '2026-11-24', sessionId: 7 }),
    ]);
    db.close();
  });

  it('a journal from a newer random-scalp is refused with a message, not written to', () => {
    const file = tmp();
    const db = openJournal(file, { now: 1 });
    db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 3)").run();
    db.close();
    expect(() => openJournal(file, { now: 4 })).toThrow(JournalVersionError);
    expect(() => openJournal(file, { now: 4 })).toThrow(/schema version 99, newer than this random-scalp knows \(2\)/);
  });
});
