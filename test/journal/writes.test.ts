import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../src/broker/types.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { openJournal } from '../../src/journal/db.js';
import { readTrades } from '../../src/journal/reads.js';
import { JournalWriter } from '../../src/journal/writes.js';
import { ist } from './fixture.js';

const BUY: OrderRequest = { symbol: 'NIFTY28NOV2525000CE', exchange: 'NFO', action: 'BUY', quantity: 150, priceType: 'MARKET', product: 'MIS' };
const SELL: OrderRequest = { ...BUY, action: 'SELL', priceType: 'LIMIT', price: 102 };

/** One round trip as the engine announces it: entry placed and filled, target placed and filled, closed. */
function roundTrip(t0: number, entryId: string, targetId: string): EngineEvent[] {
  return [
    { type: 'order_placed', at: t0, role: 'entry', orderId: entryId, request: BUY, adopted: false },
    { type: 'order_changed', at: t0 + 10, role: 'entry', orderId: entryId, request: BUY, from: 'working', to: 'filled', filled: 150, avgPrice: 100, source: 'poll' },
    { type: 'fill', at: t0 + 10, role: 'entry', orderId: entryId, action: 'BUY', quantity: 150, price: 100, source: 'poll' },
    { type: 'order_placed', at: t0 + 20, role: 'target', orderId: targetId, request: SELL, adopted: false },
    { type: 'order_changed', at: t0 + 5000, role: 'target', orderId: targetId, request: SELL, from: 'working', to: 'filled', filled: 150, avgPrice: 102, source: 'push' },
    { type: 'fill', at: t0 + 5000, role: 'target', orderId: targetId, action: 'SELL', quantity: 150, price: 102, source: 'push' },
    {
      type: 'trade_closed', at: t0 + 5000,
      trade: { openedAt: t0 + 10, closedAt: t0 + 5000, entry: 100, exit: 102, quantity: 150, reason: 'target', gross: 300, costs: 0, net: 300, entryOrderId: entryId },
    },
    { type: 'notable', at: t0 + 5000, kind: 'day_summary', message: 'x' },
  ];
}

describe('journal rows from engine events', () => {
  it('two paper runs whose market numbers orders from 250000001 again: both round trips, orders and fills are kept apart', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-writes-')), 'journal-paper.sqlite');
    const db = openJournal(file, { now: 0 });
    const w = new JournalWriter(db, { symbol: 'NIFTY28NOV2525000CE', exchange: 'NFO' });
    for (const t0 of [ist('2026-11-24T09:20:00'), ist('2026-11-24T09:40:00')]) {
      const session = w.startSession({ startedAt: t0 - 1000, mode: 'paper', exchange: 'NFO', symbol: 'NIFTY28NOV2525000CE', settingsHash: 'h', pid: 1 });
      w.write(session, roundTrip(t0, '250000001', '250000002'));
      w.stopSession(session, t0 + 9000, 0);
    }
    const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(readTrades(db).map((t) => [t.entryOrderId, t.sessionId, t.net])).toEqual([['250000001', 1, 300], ['250000001', 2, 300]]);
    expect(count('orders')).toBe(4);
    expect(count('fills')).toBe(4);
    expect(count('order_events')).toBe(4);
    expect(count('notable_events')).toBe(2);
    const orders = db.prepare('SELECT session_id AS s, role, phase, filled, avg_price AS avg FROM orders ORDER BY id').all();
    expect(orders).toEqual([
      { s: 1, role: 'entry', phase: 'filled', filled: 150, avg: 100 },
      { s: 1, role: 'target', phase: 'filled', filled: 150, avg: 102 },
      { s: 2, role: 'entry', phase: 'filled', filled: 150, avg: 100 },
      { s: 2, role: 'target', phase: 'filled', filled: 150, avg: 102 },
    ]);
    db.close();
  });
});
