// `npm run bench:backtest [-- --quick]`: how fast a backtest runs (issue 21's goals), measured in
// one process on this machine; every figure beside its same-run baseline.
//
// - day: trading days of 1-minute bars (09:15–15:30, a seeded walk around ₹150) through the
//   real engine on the virtual clock, live defaults (INTERVAL 5m, entries 09:20–15:15,
//   square-off 15:15) and with INTERVAL 1m (three times the round trips), several days in one
//   process as a backtest runs them: the median day after the first (which also loads and
//   compiles the engine) is the figure; the baseline is the market time it covers ("× real time").
// - sweep: C combinations × D days with one worker thread, then two; the ratio is the scaling.
//   The full bench also runs 100 × 20 whole on two workers; the quick one extrapolates it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bar } from '../src/backtest/bars.js';
import { runBacktest } from '../src/backtest/backtest.js';
import { combinations, parseSweep, runSweep } from '../src/backtest/sweep.js';
import { resolveConfig } from '../src/config/resolve.js';
import type { Config } from '../src/config/schema.js';
import type { Instrument } from '../src/broker/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const INSTRUMENT: Instrument = { symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO', lotSize: 65, tickSize: 0.05, freezeQty: null };
const IST = 330 * 60_000;

function walkDays(n: number, seed: number): Bar[] {
  let x = seed;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const bars: Bar[] = [];
  let d = Date.parse('2026-11-02T00:00:00Z');
  for (let made = 0; made < n; d += 86_400_000) {
    const weekday = new Date(d).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    made++;
    let p = 150;
    for (let m = 0; m < 375; m++) {
      const o = p;
      const c = Math.max(1, Math.round((o + (rnd() - 0.5) * 3) * 20) / 20);
      const h = Math.round((Math.max(o, c) + rnd() * 1.2) * 20) / 20;
      const l = Math.round((Math.min(o, c) - rnd() * 1.2) * 20) / 20;
      bars.push({ t: d - IST + (9 * 60 + 15 + m) * 60_000, o, h, l, c, v: 1000 });
      p = c;
    }
  }
  return bars;
}

function config(flags: Record<string, string> = {}): Config {
  return resolveConfig({ store: {}, dotenv: {}, env: {}, flags: { SYMBOL: INSTRUMENT.symbol, STATE_DIR: os.tmpdir(), BROKERAGE_PER_TRADE_RUPEES: '20', ...flags }, modeFlag: 'live' }, { forStart: false }).config;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * A backtest of `days` days in one process, timed day by day: the first day pays for loading and
 * compiling the engine (a fresh process), the rest is what each further day of a month's
 * backtest or of a sweep worker costs.
 */
async function dayFigure(interval: string, days: number): Promise<{ interval: string; firstDayMs: number; medianMs: number; runsMs: number[]; trades: number; wakes: number; timesRealTime: number }> {
  const bars = walkDays(days, 7);
  const dayOf = (t: number): string => new Date(Math.floor((t + IST) / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
  const runsMs: number[] = [];
  let last = performance.now();
  const r = await runBacktest({ instrument: INSTRUMENT, bars, intervalMs: 60_000, from: dayOf(bars[0]?.t ?? 0), to: dayOf(bars[bars.length - 1]?.t ?? 0), config: config({ INTERVAL: interval }), path: 'worst' }, () => {
    const now = performance.now();
    runsMs.push(Math.round(now - last));
    last = now;
  });
  const [firstDayMs = 0, ...rest] = runsMs;
  const medianMs = median(rest.length > 0 ? rest : runsMs);
  // A day replayed: 09:14 start to 15:16 (square-off 15:15 and a minute): 6 h 2 min of market time.
  const marketMs = (6 * 60 + 2) * 60_000;
  return { interval, firstDayMs, medianMs, runsMs, trades: Math.round(r.figures.total.trades / days), wakes: Math.round(r.days.reduce((n, d) => n + d.wakes, 0) / days), timesRealTime: Math.round(marketMs / Math.max(1, medianMs)) };
}

interface SweepRun {
  combos: number;
  days: number;
  workers: number;
  wallMs: number;
  cpuMs: number;
}

/** One sweep of `combos` values of PROFIT_TARGET_RUPEES over `days` days on `workers` worker threads. */
async function sweepRun(combos: number, days: number, workers: number): Promise<SweepRun> {
  const targets = Array.from({ length: combos }, (_, i) => String(Number((1 + 0.05 * i).toFixed(2)))).join(',');
  const axes = [parseSweep(`PROFIT_TARGET_RUPEES=${targets}`)];
  const bars = walkDays(days, 11);
  const byDay = new Map<string, Bar[]>();
  for (const b of bars) {
    const day = new Date(Math.floor((b.t + IST) / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), b]);
  }
  const job = { instrument: INSTRUMENT, days: [...byDay.entries()], intervalMs: 60_000, config: config(), path: 'worst' as const, holdoutDays: [] };
  const workerUrl = new URL('../src/backtest/sweep.js', import.meta.url);
  const t = performance.now();
  const cpu = process.cpuUsage();
  await runSweep(job, combinations(axes), { workers, workerUrl });
  const used = process.cpuUsage(cpu);
  return { combos, days, workers, wallMs: Math.round(performance.now() - t), cpuMs: Math.round((used.user + used.system) / 1000) };
}

/**
 * Scaling: the same sweep on one worker, then two, big enough that each worker's start (its own
 * module load and JIT warm-up, ~1 s) is a small part of it, as in a 100 × 20 sweep. The full
 * bench then runs 100 × 20 itself on two workers; the quick one extrapolates it from the
 * two-worker run (marked so).
 */
async function sweepFigure(combos: number, days: number, whole: boolean): Promise<{ one: SweepRun; two: SweepRun; scaling: number; hundredByTwenty: SweepRun | null; hundredByTwentyMs: number; measured: boolean }> {
  const one = await sweepRun(combos, days, 1);
  const two = await sweepRun(combos, days, 2);
  const hundredByTwenty = whole ? await sweepRun(100, 20, 2) : null;
  return {
    one,
    two,
    scaling: Math.round((one.wallMs / two.wallMs) * 100) / 100,
    hundredByTwenty,
    hundredByTwentyMs: hundredByTwenty?.wallMs ?? Math.round((two.wallMs / (combos * days)) * 2000),
    measured: hundredByTwenty !== null,
  };
}

const quick = process.argv.includes('--quick');
const started = Date.now();
const load = os.loadavg().map((x) => Math.round(x * 10) / 10);
console.log(`backtest bench (${quick ? 'quick' : 'full'}) on ${os.cpus().length} cpus, load ${load.join(' ')}`);
const sweepOnly = process.argv.includes('--sweep-only');
const days = sweepOnly ? [] : [await dayFigure('5m', quick ? 6 : 12), await dayFigure('1m', quick ? 6 : 12)];
for (const d of days) console.log(`one day of 1m bars, INTERVAL ${d.interval}: median ${d.medianMs} ms a day after the first (${d.runsMs.length} days: ${d.runsMs.join(', ')} ms; the first, in a fresh process, ${d.firstDayMs} ms), ${d.trades} round trips and ${d.wakes} clock wake-ups a day, ${d.timesRealTime}× real time — goal ≤ 100 ms`);
const sweep = await sweepFigure(quick ? 10 : 20, quick ? 3 : 5, !quick);
const run = (r: SweepRun): string => `${r.wallMs} ms (CPU ${r.cpuMs} ms)`;
console.log(`sweep ${sweep.one.combos} × ${sweep.one.days} days: 1 worker ${run(sweep.one)}, 2 workers ${run(sweep.two)}, scaling ${sweep.scaling}× (goal ≥ 1.8×)`);
console.log(`sweep 100 × 20 days on 2 workers: ${sweep.measured ? `${Math.round(sweep.hundredByTwentyMs / 1000)} s (run whole)` : `≈ ${Math.round(sweep.hundredByTwentyMs / 1000)} s (extrapolated from the 2-worker run above; the full bench runs it whole)`} — goal ≤ 120 s`);
const out = path.join(ROOT, 'bench', 'backtest-results.json');
fs.writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), quick, cpus: os.cpus().length, loadStart: load, loadEnd: os.loadavg().map((x) => Math.round(x * 10) / 10), wallMs: Date.now() - started, days, sweep }, null, 2)}\n`);
console.log(`wrote ${out}`);
