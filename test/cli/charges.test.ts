import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

// `random-scalp charges`: the contract note of one round trip, against the worked examples in
// test/engine/charges.test.ts (each figure computed by hand from the published rates).

function harness(env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-charges-'));
  const out: string[] = [];
  const err: string[] = [];
  const run = (argv: string[]): Promise<number> =>
    main(argv, { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, env: { XDG_DATA_HOME: dir, STATE_DIR: dir, ...env }, cwd: dir, confCwd: dir });
  return { out, err, run };
}

const json = async (argv: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> => {
  const h = harness(env);
  expect(await h.run(['charges', ...argv, '--json'])).toBe(0);
  expect(h.err).toEqual([]);
  return JSON.parse(h.out.join('\n')) as Record<string, unknown>;
};

describe('random-scalp charges', () => {
  it('options, 2026-11-02: buy 130 @ 100, sell 130 @ 102 at ₹20 an order is ₹78.50 (the worked example)', async () => {
    const h = harness();
    expect(await h.run(['charges', '--symbol', 'NIFTY29DEC2625000CE', '--qty', '130', '--buy', '100', '--sell', '102', '--date', '2026-11-02'])).toBe(0);
    const text = h.out.join('\n');
    expect(text).toContain('NIFTY29DEC2625000CE on NFO (option), trade date 2026-11-02 (IST)');
    expect(text).toMatch(/brokerage\s+₹40\.00\s+₹20\.00 per order, 2 orders/);
    expect(text).toMatch(/STT\s+₹19\.89\s+0\.15% of the sell turnover ₹13,260\.00/);
    expect(text).toMatch(/exchange transaction charge\s+₹9\.20\s+0\.03503% of the turnover ₹26,260\.00/);
    expect(text).toMatch(/SEBI turnover fee\s+₹0\.03/);
    expect(text).toMatch(/stamp duty\s+₹0\.39\s+0\.003% of the buy turnover ₹13,000\.00/);
    expect(text).toMatch(/IPFT\s+₹0\.13/);
    expect(text).toMatch(/GST\s+₹8\.86/);
    expect(text).toMatch(/total charges\s+₹78\.50/);
    expect(text).toMatch(/gross\s+₹260\.00/);
    expect(text).toMatch(/net \(gross − charges\)\s+₹181\.50/);
  });

  it('--json: each component and total in rupees, and before 2026-04-01 the STT is 0.1 %', async () => {
    const after = await json(['--symbol', 'NIFTY29DEC2625000CE', '--qty', '130', '--buy', '100', '--sell', '102', '--date', '2026-11-02']);
    expect(after).toMatchObject({ brokerage: 40, stt: 19.89, exchange: 9.2, sebi: 0.03, stamp: 0.39, ipft: 0.13, gst: 8.86, total: 78.5, gross: 260, net: 181.5 });
    expect(after.instrument).toEqual({ symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO', segment: 'option' });
    const before = await json(['--symbol', 'NIFTY26MAR2625000CE', '--qty', '130', '--buy', '100', '--sell', '102', '--date', '2026-03-31']);
    expect(before).toMatchObject({ stt: 13.26, total: 71.87 });
  });

  it('futures and equity intraday, before and after 2026-04-01', async () => {
    const fut = ['--symbol', 'NIFTY29DEC26FUT', '--qty', '65', '--buy', '25000', '--sell', '25010'];
    expect(await json([...fut, '--date', '2026-11-02'])).toMatchObject({ stt: 812.83, exchange: 56.24, sebi: 3.25, stamp: 32.5, ipft: 3.25, gst: 17.91, total: 965.98 });
    expect(await json([...fut, '--date', '2026-03-02'])).toMatchObject({ stt: 325.13, total: 478.28 });
    const eq = ['--symbol', 'RELIANCE', '--qty', '100', '--buy', '1400', '--sell', '1410'];
    const equity = { brokerage: 40, stt: 35.25, exchange: 8.35, sebi: 0.28, stamp: 4.2, ipft: 0.28, gst: 8.75, total: 97.11 };
    const e1 = await json([...eq, '--date', '2026-11-02']);
    expect(e1).toMatchObject(equity);
    expect(e1.instrument).toEqual({ symbol: 'RELIANCE', exchange: 'NSE', segment: 'equity' });
    expect(await json([...eq, '--exchange', 'nse', '--date', '2026-03-02'])).toMatchObject(equity);
  });

  it('brokerage: --brokerage wins, else BROKERAGE, else BROKERAGE_PER_TRADE_RUPEES when set', async () => {
    const eq = ['--symbol', 'RELIANCE', '--qty', '10', '--buy', '1400', '--sell', '1410', '--date', '2026-11-02'];
    expect(await json([...eq, '--brokerage', '0.03%:20'])).toMatchObject({ brokerage: 8.43, total: 14.94 });
    expect(await json(eq, { BROKERAGE: '0' })).toMatchObject({ brokerage: 0 });
    expect(await json(eq, { BROKERAGE: '0', BROKERAGE_PER_TRADE_RUPEES: '11.8' })).toMatchObject({ brokerage: 23.6 });
    expect(await json(eq)).toMatchObject({ brokerage: 40 });
  });

  it.each([
    [['--qty', 'abc'], 'invalid --qty "abc": expected a whole number of units ≥ 1 (lots × lot size, e.g. 130)'],
    [['--qty', '0'], 'invalid --qty "0": expected a whole number of units ≥ 1 (lots × lot size, e.g. 130)'],
    [['--buy', '-5'], 'invalid --buy "-5": expected a price in rupees > 0, e.g. 102.50'],
    [['--sell', 'x'], 'invalid --sell "x": expected a price in rupees > 0, e.g. 102.50'],
    [['--date', '2026-02-30'], 'invalid --date "2026-02-30": expected a calendar date YYYY-MM-DD (the IST trade date)'],
    [['--exchange', 'LSE'], 'invalid --exchange "LSE": expected one of NSE, NFO, CDS, BSE, BFO, BCD, MCX, NCDEX, NCO'],
    [['--brokerage', '20%:'], 'invalid --brokerage "20%:": expected ₹ per executed order (e.g. 20, 11.8 or 0), or a percent of each order’s turnover with an optional ₹ cap per order (e.g. 0.03%:20 or 0.05%)'],
  ])('bad input %j: one line naming the flag, the value and what is allowed, exit 1', async (extra, message) => {
    const h = harness();
    const base: Record<string, string> = { '--symbol': 'NIFTY29DEC2625000CE', '--qty': '130', '--buy': '100', '--sell': '102' };
    base[extra[0] as string] = extra[1] as string;
    expect(await h.run(['charges', ...Object.entries(base).flat()])).toBe(1);
    expect(h.err).toEqual([`random-scalp charges: ${message}`]);
    expect(h.out).toEqual([]);
  });

  it('a missing flag is named with what it expects', async () => {
    const h = harness();
    expect(await h.run(['charges', '--qty', '130', '--buy', '100', '--sell', '102'])).toBe(1);
    expect(h.err).toEqual(['random-scalp charges: missing --symbol: expected a trading symbol in OpenAlgo format, e.g. NIFTY29DEC2625000CE']);
  });

  it('is listed in --help', async () => {
    const h = harness();
    await h.run(['--help']);
    expect(h.out.join('\n')).toMatch(/charges \[options\]\s+what one round trip pays/);
  });
});
