import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { journalPath, openJournal } from '../../src/journal/db.js';
import { CSV_COLUMNS } from '../../src/journal/report-csv.js';
import { JournalWriter } from '../../src/journal/writes.js';
import { asRecord, fixtureTrades, ist } from './fixture.js';

function harness() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-report-'));
  const out: string[] = [];
  const err: string[] = [];
  const run = (argv: string[]): Promise<number> =>
    main(argv, { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, env: { XDG_DATA_HOME: dir, STATE_DIR: dir }, cwd: dir, confCwd: dir });
  return { dir, out, err, run };
}

/** The fixture's round trips in a paper journal, with sessions on 24, 25 (no trade) and 26 November. */
function seed(dir: string): void {
  const db = openJournal(journalPath(dir, 'paper'), { now: 0 });
  const w = new JournalWriter(db, { symbol: 'NIFTY28NOV2525000CE', exchange: 'NFO' });
  for (const day of ['2026-11-24', '2026-11-25', '2026-11-26']) {
    const id = w.startSession({ startedAt: ist(`${day}T09:15:00`), mode: 'paper', exchange: 'NFO', symbol: 'NIFTY28NOV2525000CE', settingsHash: 'h', pid: 1 });
    w.recordTrades(id, fixtureTrades().filter((t) => t.day === day).map(asRecord));
    w.stopSession(id, ist(`${day}T15:30:00`), 0);
  }
  db.close();
}

describe('random-scalp report', () => {
  it('an empty journal (none yet) says "no trades" and exits 0', async () => {
    const h = harness();
    expect(await h.run(['report', '--today'])).toBe(0);
    expect(h.out.join('\n')).toMatch(/^no trades: there is no paper journal at .*journal-paper\.sqlite yet/);
    expect(fs.existsSync(journalPath(h.dir, 'paper'))).toBe(false);
  });

  it('a range without trades says so, naming the sessions that ran', async () => {
    const h = harness();
    seed(h.dir);
    expect(await h.run(['report', '--date', '2026-11-25'])).toBe(0);
    expect(h.out.join('\n')).toMatch(/^no trades in 2026-11-25 \(IST\) in the paper journal .* \(1 session ran without closing a round trip\)$/);
  });

  it('the table per day and in total, with ∞, the empty day, exit reasons and the equity curve', async () => {
    const h = harness();
    seed(h.dir);
    expect(await h.run(['report', '--from', '2026-11-24', '--to', '2026-11-26', '--paper'])).toBe(0);
    const text = h.out.join('\n');
    expect(text).toContain('2026-11-24 … 2026-11-26 (IST): 3 sessions, 7 round trips, net +₹600.00');
    expect(text).toMatch(/2026-11-24\s+5\s+2\s+3\s+40\.0%\s+\+450\.00\s+-200\.00\s+\+250\.00\s+-380\.00/);
    expect(text).toMatch(/2026-11-25\s+0\s+0\s+0\s+—\s+0\.00\s+0\.00\s+0\.00\s+0\.00/);
    expect(text).toMatch(/TOTAL\s+7\s+4\s+3\s+57\.1%\s+\+800\.00\s+-200\.00\s+\+600\.00\s+-380\.00/);
    expect(text).toMatch(/2026-11-24\s+\+335\.00\s+-140\.00\s+1\.60\s+\+50\.00\s+2\s+1m12s/);
    expect(text).toMatch(/2026-11-26\s+\+175\.00\s+—\s+∞\s+\+175\.00\s+0\s+15s/);
    expect(text).toMatch(/TOTAL\s+\+255\.00\s+-140\.00\s+2\.43\s+\+85\.71\s+2\s+56s/);
    expect(text).toMatch(/outside close\s+1\s+-40\.00/);
    expect(text).toMatch(/EQUITY, closed trades/);
    expect(text).toMatch(/> \+600\.00/);
  });

  it('CSV, JSON and HTML carry the same round trips and figures as the table', async () => {
    const h = harness();
    seed(h.dir);
    const csv = path.join(h.dir, 'r.csv');
    const html = path.join(h.dir, 'r.html');
    expect(await h.run(['report', '--json', '--csv', csv, '--html', html])).toBe(0);
    const json = JSON.parse(h.out.join('\n')) as { total: { net: number; trades: number; profitFactor: number }; days: { day: string; profitFactorInfinite: boolean }[]; trades: { net: number; cumulativeNet: number }[] };
    expect(json.total).toMatchObject({ trades: 7, net: 600, profitFactor: 2.43 });
    expect(json.days.map((d) => [d.day, d.profitFactorInfinite])).toEqual([['2026-11-24', false], ['2026-11-25', false], ['2026-11-26', true]]);
    expect(h.err.join('\n')).toContain('wrote'); // what is said goes to stderr, stdout stays JSON

    const rows = fs.readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    expect(rows[0]).toBe(CSV_COLUMNS.join(','));
    expect(rows).toHaveLength(8);
    const col = (name: (typeof CSV_COLUMNS)[number]) => rows.slice(1).map((r) => r.split(',')[CSV_COLUMNS.indexOf(name)]);
    expect(col('net').map(Number)).toEqual(json.trades.map((t) => t.net));
    expect(col('cumulative_net').at(-1)).toBe('600.00');
    expect(col('exit_reason')).toEqual(['target', 'stop', 'stop', 'market_on_target', 'outside_close', 'target', 'square_off']);
    expect(col('opened_at_ist')[0]).toBe('2026-11-24T09:20:00+05:30');

    const page = fs.readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    expect(page).toContain('<svg');
    expect(page).toContain('+₹600.00');
    expect(page).toContain('∞');
    expect((page.match(/<tr><td>\d+<\/td>/g) ?? []).length).toBe(7);
  });

  it('charges by kind: the text table, JSON, CSV and HTML show each line of the contract note', async () => {
    const h = harness();
    const db = openJournal(journalPath(h.dir, 'paper'), { now: 0 });
    const w = new JournalWriter(db, { symbol: 'NIFTY28NOV2625000CE', exchange: 'NFO' });
    const id = w.startSession({ startedAt: ist('2026-11-02T09:15:00'), mode: 'paper', exchange: 'NFO', symbol: 'NIFTY28NOV2625000CE', settingsHash: 'h', pid: 1 });
    // The worked example (buy 130 @ 100, sell 130 @ 102 on 2026-11-02, ₹20 an order), twice, with ₹1.50 slippage each.
    const charges = { brokerage: 40, stt: 19.89, exchange: 9.2, sebi: 0.03, stamp: 0.39, ipft: 0.13, gst: 8.86, total: 78.5 };
    const rt = (at: string, entryOrderId: string) => ({
      openedAt: ist(at) - 60_000, closedAt: ist(at), entry: 100, exit: 102, quantity: 130, reason: 'target' as const,
      gross: 260, costs: 80, net: 180, charges, entryOrderId,
    });
    w.recordTrades(id, [rt('2026-11-02T09:30:00', 'A'), rt('2026-11-02T10:30:00', 'B')]);
    db.close();
    const csv = path.join(h.dir, 'c.csv');
    const html = path.join(h.dir, 'c.html');
    expect(await h.run(['report', '--date', '2026-11-02'])).toBe(0);
    const text = h.out.join('\n');
    expect(text).toMatch(/CHARGES\s+BROKERAGE ₹\s+STT ₹\s+EXCHANGE ₹\s+SEBI ₹\s+STAMP ₹\s+IPFT ₹\s+GST ₹\s+CHARGES ₹\s+SLIPPAGE ₹/);
    expect(text).toMatch(/2026-11-02\s+80\.00\s+39\.78\s+18\.40\s+0\.06\s+0\.78\s+0\.26\s+17\.72\s+157\.00\s+3\.00/);
    expect(text).toMatch(/TOTAL\s+80\.00\s+39\.78\s+18\.40\s+0\.06\s+0\.78\s+0\.26\s+17\.72\s+157\.00\s+3\.00/);
    h.out.length = 0;
    expect(await h.run(['report', '--date', '2026-11-02', '--json', '--csv', csv, '--html', html])).toBe(0);
    const json = JSON.parse(h.out.join('\n')) as { total: { costs: number; charges: Record<string, number>; slippage: number }; trades: { charges: Record<string, number>; slippage: number }[] };
    expect(json.total).toMatchObject({ costs: 160, slippage: 3, charges: { brokerage: 80, stt: 39.78, exchange: 18.4, sebi: 0.06, stamp: 0.78, ipft: 0.26, gst: 17.72, total: 157 } });
    expect(json.trades[0]).toMatchObject({ charges, slippage: 1.5 });
    const rows = fs.readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    const col = (name: (typeof CSV_COLUMNS)[number]) => rows.slice(1).map((r) => r.split(',')[CSV_COLUMNS.indexOf(name)]);
    expect(['brokerage', 'stt', 'exchange_charge', 'sebi_fee', 'stamp_duty', 'ipft', 'gst', 'charges', 'slippage', 'costs'].map((c) => col(c as (typeof CSV_COLUMNS)[number])[0])).toEqual([
      '40.00', '19.89', '9.20', '0.03', '0.39', '0.13', '8.86', '78.50', '1.50', '80.00',
    ]);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('<h2>Charges by kind, ₹</h2>');
    expect(page).toMatch(/<tr class="total"><th>Total<\/th><td>80\.00<\/td><td>39\.78<\/td><td>18\.40<\/td><td>0\.06<\/td><td>0\.78<\/td><td>0\.26<\/td><td>17\.72<\/td><td>157\.00<\/td><td>3\.00<\/td><td>160\.00<\/td><\/tr>/);
  });

  it.each([
    [['report', '--date', '2026-13-01'], 'invalid --date "2026-13-01": expected a calendar date YYYY-MM-DD (IST)'],
    [['report', '--date', 'yesterday'], 'invalid --date "yesterday": expected a calendar date YYYY-MM-DD (IST)'],
    [['report', '--today', '--date', '2026-11-24'], '--today and --date exclude each other: choose one of --today, --date D, --from D --to D'],
    [['report', '--from', '2026-11-26', '--to', '2026-11-24'], 'invalid --from "2026-11-26": expected a date on or before --to (2026-11-24)'],
    [['report', '--paper', '--live'], '--paper and --live exclude each other: choose one'],
    [['report', '--csv', '/nonexistent-dir/r.csv'], 'cannot write the CSV file "/nonexistent-dir/r.csv" (ENOENT): expected a writable path'],
  ])('bad input %j: one line naming it, exit 1', async (argv, message) => {
    const h = harness();
    seed(h.dir);
    expect(await h.run(argv)).toBe(1);
    expect(h.err).toEqual([`random-scalp report: ${message}`]);
  });

  it('--live reads the live journal only: paper trades never show there', async () => {
    const h = harness();
    seed(h.dir);
    expect(await h.run(['report', '--live'])).toBe(0);
    expect(h.out.join('\n')).toMatch(/^no trades: there is no live journal at .*journal-live\.sqlite yet/);
  });
});
