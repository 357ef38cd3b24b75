import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal } from '../../src/journal/db.js';
import { JournalVersionError, SCHEMA_VERSION, schemaVersion } from '../../src/journal/migrations.js';
import { readTrades } from '../../src/journal/reads.js';
import { JournalWriter } from '../../src/journal/writes.js';

const tmp = (): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-journal-')), 'journal-paper.sqlite');
const tables = (db: ReturnType<typeof openJournal>): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('journal schema and migrations', () => {
  it('an empty file gets every step, in WAL mode, readable only by the owner', () => {
    const file = tmp();
    const db = openJournal(file, { now: 1 });
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(4);
    expect(tables(db)).toEqual(['fills', 'notable_events', 'order_events', 'orders', 'round_trips', 'schema_version', 'sessions']);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[]).map((r) => r.version)).toEqual([1, 2, 3, 4]);
    db.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Opening again applies nothing.
    const again = openJournal(file, { now: 2 });
    expect((again.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n).toBe(4);
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
    expect(schemaVersion(db)).toBe(4);
    // Its costs (brokerage then) become the brokerage line; every other kind is 0, so the kinds still add up to costs.
    expect(readTrades(db)).toEqual([
      expect.objectContaining({
        key: 'entry:1', symbol: 'NIFTY28NOV2525000CE', exchange: 'NFO', side: 'long', net: 260, costs: 40, day: '2026-11-24', sessionId: 7,
        charges: { brokerage: 40, stt: 0, exchange: 0, sebi: 0, stamp: 0, ipft: 0, gst: 0, total: 40 },
        slippage: 0,
      }),
    ]);
    db.close();
  });

  it('a version-2 journal gets the charge columns: old rows keep costs as brokerage, new rows carry their breakdown', () => {
    const file = tmp();
    const v2 = openJournal(file, { now: 1, upTo: 2 });
    expect(schemaVersion(v2)).toBe(2);
    v2.prepare(
      `INSERT INTO round_trips (trade_key, entry_order_id, session_id, ist_day, opened_at, closed_at, entry, exit, quantity, reason, gross, costs, net, hold_ms, symbol, exchange)
       VALUES ('entry:1', '1', NULL, '2026-11-24', 1000, 61000, 100, 102, 150, 'target', 300, 43, 257, 60000, 'NIFTY28NOV2525000CE', 'NFO')`,
    ).run();
    v2.close();
    const db = openJournal(file, { now: 2 });
    expect(schemaVersion(db)).toBe(4);
    const cols = (db.prepare('PRAGMA table_info(round_trips)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(expect.arrayContaining(['brokerage', 'stt', 'exchange_charge', 'sebi_fee', 'stamp_duty', 'ipft', 'gst', 'slippage']));
    const w = new JournalWriter(db, { symbol: 'NIFTY28NOV2525000CE', exchange: 'NFO' });
    const charges = { brokerage: 40, stt: 19.89, exchange: 9.2, sebi: 0.03, stamp: 0.39, ipft: 0.13, gst: 8.86, total: 78.5 };
    w.write(null, [{ type: 'trade_closed', at: 200_000, trade: { openedAt: 100_000, closedAt: 200_000, entry: 100, exit: 102, quantity: 130, reason: 'target', gross: 260, costs: 80, net: 180, charges, entryOrderId: '2' } }]);
    const [old, now] = readTrades(db);
    expect(old).toMatchObject({ costs: 43, charges: { brokerage: 43, stt: 0, gst: 0, total: 43 }, slippage: 0 });
    expect(now).toMatchObject({ costs: 80, net: 180, charges, slippage: 1.5 });
    db.close();
  });

  it('a journal from a newer random-scalp is refused with a message, not written to', () => {
    const file = tmp();
    const db = openJournal(file, { now: 1 });
    db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 3)").run();
    db.close();
    expect(() => openJournal(file, { now: 4 })).toThrow(JournalVersionError);
    expect(() => openJournal(file, { now: 4 })).toThrow(/schema version 99, newer than this random-scalp knows \(4\)/);
  });
});
