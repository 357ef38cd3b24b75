import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { barsToCsv, parseBarsCsv, type Bar } from '../../src/backtest/bars.js';
import { BarCache } from '../../src/backtest/cache.js';
import { chunkDays, fetchBars, type HistorySource } from '../../src/backtest/history.js';
import { combinations, parseSweep, rank, runSweep, splitHoldout } from '../../src/backtest/sweep.js';
import type { HistoryBarRow } from '../../src/broker/openalgo/client.js';
import { createDefaultPaperSetup, startPaperServer, type PaperServer } from '../../src/broker/paper/server.js';
import { systemClock } from '../../src/time/clock.js';
import { main } from '../../src/cli/main.js';
import { bars, ist, OPTION, repeat, shortDayConfig } from './fixtures.js';

function harness(extraEnv: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-backtest-'));
  const out: string[] = [];
  const err: string[] = [];
  const run = (argv: string[]): Promise<number> => {
    out.length = 0;
    err.length = 0;
    return main(argv, { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, env: { XDG_DATA_HOME: dir, STATE_DIR: dir, ...extraEnv }, cwd: dir, confCwd: dir });
  };
  return { dir, out, err, run };
}

const SHORT = ['--session-windows', '09:20-09:35', '--square-off-time', '09:35', '--strategy-interval', '1m', '--lots', '2', '--brokerage-per-trade-rupees', '20'];

/** Two days of bars: Monday all targets, Tuesday mixed. */
function twoDays(): Bar[] {
  return [
    ...bars('2026-11-23', repeat(25, () => [100, 103, 99.5, 100])),
    ...bars('2026-11-24', repeat(25, (i) => (i % 3 === 0 ? [100, 100, 98, 100] : [100, 102.5, 99.6, 100]))),
  ];
}

describe('bars from CSV', () => {
  it('reads IST date-times and epoch seconds, any column order, volume optional', () => {
    const csv = 'Close,timestamp,open,high,low\n100.5,2026-11-24 09:15:00,100,101,99.5\n101,1795491960,100.5,101.5,100\n';
    const b = parseBarsCsv(csv, 'x.csv');
    expect(b).toEqual([
      { t: ist('2026-11-24T09:15:00'), o: 100, h: 101, l: 99.5, c: 100.5, v: 0 },
      { t: 1795491960_000, o: 100.5, h: 101.5, l: 100, c: 101, v: 0 },
    ]);
  });

  it.each([
    ['timestamp,open,high,low\n', /x\.csv line 1: no "close" column/],
    ['timestamp,open,high,low,close\n2026-11-24 09:15:00,100,101,99,100\n2026-11-24 09:16,100,101,99\n', /x\.csv line 3: 4 fields, the header has 5/],
    ['timestamp,open,high,low,close\n\n2026-11-24 09:15:00,100,101,99,abc\n', /x\.csv line 3: close "abc": expected a number/],
    ['timestamp,open,high,low,close\nyesterday,100,101,99,100\n', /x\.csv line 2: timestamp "yesterday": expected epoch seconds or an IST date-time/],
    ['timestamp,open,high,low,close\n2026-11-24 09:15:00,100,99,98,100\n', /x\.csv line 2: open 100 is outside low 98 … high 99/],
    ['timestamp,open,high,low,close\n2026-11-24 09:16:00,100,101,99,100\n2026-11-24 09:15:00,100,101,99,100\n', /x\.csv line 3: timestamp "2026-11-24 09:15:00" is before the row above/],
    ['timestamp,open,high,low,close\n2026-11-24 09:15:00,0,101,0,100\n', /x\.csv line 2: open 0 is not a price > 0/],
  ])('a bad row is named by its line number (%#)', (csv, message) => {
    expect(() => parseBarsCsv(csv, 'x.csv')).toThrow(message);
  });

  it('the CLI refuses a bad file in one line, exit 1, no stack trace', async () => {
    const h = harness();
    const file = path.join(h.dir, 'bad.csv');
    fs.writeFileSync(file, 'timestamp,open,high,low,close\n2026-11-24 09:15:00,100,101,99,1e\n');
    expect(await h.run(['backtest', '--symbol', OPTION.symbol, '--data', file])).toBe(1);
    expect(h.err).toEqual(['random-scalp backtest: bad.csv line 2: close "1e": expected a number']);
  });

  it.each([
    [['--path', 'best'], 'random-scalp backtest: invalid --path "best": expected worst or ohlc'],
    [['--from', '2026-11-31'], 'random-scalp backtest: invalid --from "2026-11-31": expected a calendar date YYYY-MM-DD (IST)'],
    [['--strategy-interval', '30s'], /invalid INTERVAL = "30s": finer than the data's 1m bars/],
    [['--sweep', 'NOPE=1,2'], /invalid --sweep "NOPE=1,2": "NOPE" is not a setting one can sweep/],
    [['--sweep', 'PROFIT_TARGET_RUPEES=-1,2'], /invalid --sweep PROFIT_TARGET_RUPEES value "-1": expected/],
    [['--holdout', '25%'], '--holdout needs --sweep'],
    [['--lot-size', '1.5'], 'random-scalp backtest: invalid --lot-size "1.5": expected a whole number ≥ 1'],
  ])('bad flags: one line naming the flag, the value and what is allowed (%#)', async (extra, message) => {
    const h = harness();
    const file = path.join(h.dir, 'bars.csv');
    fs.writeFileSync(file, barsToCsv(twoDays()));
    expect(await h.run(['backtest', '--symbol', OPTION.symbol, '--data', file, ...SHORT, ...extra])).toBe(1);
    expect(h.err).toHaveLength(1);
    expect(h.err[0]).toMatch(message);
  });

  it('without --data it needs the API key, and says so', async () => {
    const h = harness();
    expect(await h.run(['backtest', '--symbol', OPTION.symbol, '--from', '2026-11-23', '--to', '2026-11-24'])).toBe(1);
    expect(h.err[0]).toMatch(/backtest without --data needs OPENALGO_API_KEY/);
  });
});

describe('the backtest command', () => {
  it('the same bars and settings give byte-identical JSON; each run is kept with its id; report --backtest and --list reopen them', async () => {
    const h = harness();
    const file = path.join(h.dir, 'bars.csv');
    fs.writeFileSync(file, barsToCsv(twoDays()));
    const args = ['backtest', '--symbol', OPTION.symbol, '--data', file, ...SHORT, '--json'];
    expect(await h.run(args)).toBe(0);
    const first = h.out.join('\n');
    expect(h.err.join('\n')).toMatch(/backtest run 1 kept in .*journal-backtest\.sqlite/);
    expect(await h.run(args)).toBe(0);
    expect(h.out.join('\n')).toBe(first);
    expect(h.err.join('\n')).toMatch(/backtest run 2 kept/);
    const json = JSON.parse(first) as { mode: string; backtest: { days: string[]; lotSize: number }; total: { trades: number; net: number }; days: { day: string }[] };
    expect(json.mode).toBe('backtest');
    expect(json.backtest.days).toEqual(['2026-11-23', '2026-11-24']);
    expect(json.backtest.lotSize).toBe(65);
    expect(json.total.trades).toBeGreaterThan(15);

    expect(await h.run(['report', '--backtest', '2', '--json'])).toBe(0);
    const reopened = JSON.parse(h.out.join('\n')) as { total: { trades: number; net: number } };
    expect(reopened.total).toEqual(json.total);
    expect(await h.run(['report', '--backtest', '9'])).toBe(1);
    expect(h.err[0]).toMatch(/invalid --backtest 9: no such run/);

    expect(await h.run(['backtest', '--list'])).toBe(0);
    expect(h.out).toHaveLength(3);
    expect(h.out[1]).toMatch(/^ {3}1 {2}NIFTY29DEC2625000CE@NFO +2026-11-23 2026-11-24 {3}1m worst {4}2/);
    // The paper and live journals are untouched.
    expect(fs.existsSync(path.join(h.dir, 'journal-paper.sqlite'))).toBe(false);

    expect(await h.run(['backtest', '--symbol', OPTION.symbol, '--data', file, ...SHORT])).toBe(0);
    const text = h.out.join('\n');
    expect(text).toMatch(/^BACKTEST journal/);
    expect(text).toMatch(/TOTAL/);
    expect(text).toMatch(/Target/i);
  });
});

describe('OpenAlgo history through the cache', () => {
  function fakeSource(all: Bar[]): HistorySource & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      intervals: async () => {
        calls.push('intervals');
        return ['1m', '5m', 'D'];
      },
      historyBars: async (_s, _e, interval, start, end) => {
        calls.push(`history ${interval} ${start} ${end}`);
        const from = ist(`${start}T00:00:00`);
        const to = ist(`${end}T00:00:00`) + 86_400_000;
        return all.filter((b) => b.t >= from && b.t < to).map((b): HistoryBarRow => ({ timestamp: b.t, raw: b.t / 1000, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v, oi: null }));
      },
    };
  }

  it('fetches in chunks the broker allows, caches, and a second run asks nothing and gets the same bars', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cache-'));
    const all = [...bars('2026-10-01', repeat(5, () => [100, 101, 99, 100])), ...bars('2026-11-24', repeat(5, () => [100, 101, 99, 100]))];
    const src = fakeSource(all);
    const cache = new BarCache(path.join(dir, 'bars.sqlite'));
    const key = { symbol: OPTION.symbol, exchange: 'NFO', interval: '1m' };
    const now = ist('2026-12-01T10:00:00');
    const first = await fetchBars(src, cache, key, '2026-10-01', '2026-11-24', now);
    expect(src.calls).toEqual(['intervals', 'history 1m 2026-10-01 2026-10-30', 'history 1m 2026-10-31 2026-11-24']);
    expect(first.bars).toEqual(all);
    src.calls.length = 0;
    const second = await fetchBars(src, cache, key, '2026-10-01', '2026-11-24', now);
    expect(src.calls).toEqual([]);
    expect(second.requests).toBe(0);
    expect(second.bars).toEqual(first.bars);
    cache.close();
    expect(chunkDays(['2026-01-01', '2026-01-02', '2026-01-05'], 30)).toEqual([
      { start: '2026-01-01', end: '2026-01-02', days: ['2026-01-01', '2026-01-02'] },
      { start: '2026-01-05', end: '2026-01-05', days: ['2026-01-05'] },
    ]);
  });

  it('an interval the broker does not serve is refused, naming those it does', async () => {
    const src = fakeSource([]);
    await expect(fetchBars(src, null, { symbol: 'X', exchange: 'NFO', interval: '2m' }, '2026-11-24', '2026-11-24', 0)).rejects.toThrow('invalid --interval "2m": the broker\'s history serves 1m, 5m, D');
  });
});

describe('the sweep', () => {
  it('parses ranges and lists, runs every combination, ranks by net and keeps the holdout days out of the ranking', async () => {
    expect(parseSweep('PROFIT_TARGET_RUPEES=1:2:0.5').values).toEqual(['1', '1.5', '2']);
    expect(parseSweep('stop_loss_rupees=0.5,1').values).toEqual(['0.5', '1']);
    const axes = [parseSweep('PROFIT_TARGET_RUPEES=1,2,2.5'), parseSweep('STOP_LOSS_RUPEES=1,3')];
    const combos = combinations(axes);
    expect(combos).toHaveLength(6);
    const all = twoDays();
    const days: [string, Bar[]][] = [['2026-11-23', all.slice(0, 25)], ['2026-11-24', all.slice(25)]];
    const split = splitHoldout(days.map((d) => d[0]), 0.25);
    expect(split).toEqual({ inSample: ['2026-11-23'], holdout: ['2026-11-24'] });
    const results = await runSweep({ instrument: OPTION, days, intervalMs: 60_000, config: shortDayConfig(), path: 'worst', holdoutDays: split.holdout }, combos, { workers: 0 });
    expect(results).toHaveLength(6);
    const nets = results.map((r) => r.inSample.net);
    expect(nets).toEqual([...nets].sort((a, b) => b - a));
    expect(rank(results)).toEqual(results);
    // Monday (in-sample) reaches 103 every bar: target 2.5 wins most per trade and ranks first.
    expect(results[0]?.combo.PROFIT_TARGET_RUPEES).toBe('2.5');
    // The holdout figures are Tuesday's only.
    for (const r of results) expect(r.holdout?.trades).toBeGreaterThan(0);
    expect(results[0]?.inSample.trades).toBe(15);
  });
});

describe('the sweep in worker threads (the built CLI)', () => {
  it('two workers give the same ranking as none, and progress goes to stderr as plain lines', async () => {
    const h = harness();
    const file = path.join(h.dir, 'bars.csv');
    fs.writeFileSync(file, barsToCsv(twoDays()));
    const sweep = ['--sweep', 'PROFIT_TARGET_RUPEES=1,2.5', '--sweep', 'STOP_LOSS_RUPEES=1,3', '--holdout', '50%', '--json'];
    const args = ['backtest', '--symbol', OPTION.symbol, '--data', file, ...SHORT, ...sweep];
    expect(await h.run([...args, '--workers', '0'])).toBe(0);
    const inProcess = h.out.join('\n');
    const bin = path.resolve(import.meta.dirname, '../../bin/random-scalp.js');
    const child = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, [bin, ...args, '--workers', '2'], { env: { PATH: process.env.PATH ?? '', STATE_DIR: h.dir, XDG_DATA_HOME: h.dir, XDG_CONFIG_HOME: h.dir }, cwd: h.dir, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(err) : resolve({ stdout, stderr })));
    });
    expect(child.stdout.trim()).toBe(inProcess);
    expect(child.stderr).toMatch(/sweep: 4 combinations × 2 days \(holdout: the last 1, 2026-11-24 … 2026-11-24\)/);
    expect(child.stderr).toMatch(/sweep: 4\/4 combinations/);
    const json = JSON.parse(inProcess) as { combinations: { rank: number; holdout: unknown }[]; holdoutDays: string[] };
    expect(json.combinations.map((c) => c.rank)).toEqual([1, 2, 3, 4]);
    expect(json.holdoutDays).toEqual(['2026-11-24']);
  }, 90_000);
});

describe('end to end against paper-server', () => {
  let server: PaperServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('backtests paper-server\'s history on loopback, caches it, and the second run is offline and identical', async () => {
    const setup = createDefaultPaperSetup({ clock: systemClock, seed: 7, symbol: OPTION.symbol, exchange: 'NFO' });
    server = await startPaperServer({ port: 0, apiKey: 'k-e2e-backtest-1234', broker: setup.broker, historySeed: 7 });
    const h = harness({ OPENALGO_API_KEY: 'k-e2e-backtest-1234', OPENALGO_API_HOST: server.url });
    const args = ['backtest', '--symbol', OPTION.symbol, '--exchange', 'NFO', '--from', '2026-11-20', '--to', '2026-11-24', ...SHORT, '--json'];
    expect(await h.run(args)).toBe(0);
    const first = h.out.join('\n');
    expect(h.err.join('\n')).toMatch(/bars: \d+ \(2 history requests\)/);
    const json = JSON.parse(first) as { backtest: { days: string[]; lotSize: number }; total: { trades: number } };
    // Friday, Monday, Tuesday (the weekend has no bars; it is not a "skipped" weekday either).
    expect(json.backtest.days).toEqual(['2026-11-20', '2026-11-23', '2026-11-24']);
    expect(json.backtest.lotSize).toBe(65);
    expect(json.total.trades).toBeGreaterThan(0);
    await server.close();
    server = null;
    // The server is gone: the cache answers.
    expect(await h.run(args)).toBe(0);
    expect(h.err.join('\n')).toMatch(/from the cache/);
    expect(h.out.join('\n')).toBe(first);
    // The key never shows.
    expect([...h.out, ...h.err].join('\n')).not.toContain('k-e2e-backtest-1234');
  });
});
