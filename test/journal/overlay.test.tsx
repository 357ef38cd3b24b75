import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { openJournal } from '../../src/journal/db.js';
import { journalView } from '../../src/journal/journal.js';
import { JournalWriter } from '../../src/journal/writes.js';
import { createAppStore } from '../../src/store/store.js';
import { putStoreIn } from '../screens/fixtures.js';
import { renderApp } from '../screens/harness.js';
import { asRecord, fixtureTrades, ist } from './fixture.js';

// The `t` overlay shows the journal's day (every session of it) and the week in one line; the
// CLI reads the journal and pushes the view into the store, the screen only reads the store.

describe('trades overlay from the journal', () => {
  test("today's round trips from the journal and the IST week's totals in one line", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-overlay-')), 'journal-paper.sqlite');
    const db = openJournal(file, { now: 0 });
    new JournalWriter(db, { symbol: 'NIFTY28NOV2525000CE', exchange: 'NFO' }).recordTrades(null, fixtureTrades().map(asRecord));
    // Thursday 26 November 2026: the week runs from Monday the 23rd.
    const view = journalView(db, ist('2026-11-26T16:00:00'));
    db.close();
    expect(view.week).toEqual({ from: '2026-11-23', trades: 7, wins: 4, losses: 3, net: 600 });
    expect(view.today).toHaveLength(2);

    const store = putStoreIn(createAppStore(), 'with_trades');
    store.getState().journalRead(view);
    const r = renderApp({ store });
    await r.press('t');
    const f = r.frame();
    expect(f).toContain("TODAY'S TRADES 2026-11-26");
    expect(f).toMatch(/1 09:21:50→09:22:00 .* target +\+₹300\.00/);
    expect(f).toMatch(/2 15:14:40→15:15:00 .* square-off +\+₹50\.00/);
    expect(f).toContain('TOTAL 2 trades W2 L0  gross +₹350.00  costs ₹0.00  net +₹350.00');
    expect(f).toContain('WEEK since 2026-11-23: 7 trades W4 L3 57%  net +₹600.00');
  });
});
