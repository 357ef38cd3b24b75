// `npm run bench:backtest [-- --quick]`: how fast a backtest runs (issue 21's goals), measured in
// one process on this machine; every figure beside its same-run baseline.
//
// - day: one trading day of 1-minute bars (09:15–15:30, a seeded walk around ₹150) through the
//   real engine on the virtual clock, live defaults (INTERVAL 5m, entries 09:20–15:15,
//   square-off 15:15) and with INTERVAL 1m (four times the round trips); the baseline is the
//   market time it covers (the ratio is "× real time").
// - sweep: C combinations × D days with one worker thread, then two; the ratio is the scaling.
//   100 × 20 on two workers is extrapolated from the two-worker run's time per day-run.

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

async function dayFigure(interval: string, reps: number): Promise<{ interval: string; medianMs: number; runsMs: number[]; trades: number; wakes: number; timesRealTime: number }> {
  const runsMs: number[] = [];
  let trades = 0;
  let wakes = 0;
  for (let i = 0; i < reps; i++) {
    const bars = walkDays(1, 7);
    const day = new Date(Math.floor(((bars[0]?.t ?? 0) + IST) / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
    const started = performance.now();
    const r = await runBacktest({ instrument: INSTRUMENT, bars, intervalMs: 60_000, from: day, to: day, config: config({ INTERVAL: interval }), path: 'worst' });
    runsMs.push(Math.round(performance.now() - started));
    trades = r.figures.total.trades;
    wakes = r.days[0]?.wakes ?? 0;
  }
  const medianMs = median(runsMs);
  // The day replayed: 09:14 start to 15:16 (square-off 15:15 and a minute): 6 h 2 min of market time.
  const marketMs = (6 * 60 + 2) * 60_000;
  return { interval, medianMs, runsMs, trades, wakes, timesRealTime: Math.round(marketMs / Math.max(1, medianMs)) };
}

async function sweepFigure(combos: number, days: number): Promise<{ combos: number; days: number; oneWorkerMs: number; twoWorkersMs: number; oneWorkerCpuMs: number; twoWorkersCpuMs: number; scaling: number; msPerDayRun: number; extrapolated100x20Ms: number }> {
  const targets = Array.from({ length: combos }, (_, i) => String(1 + 0.5 * i)).join(',');
  const axes = [parseSweep(`PROFIT_TARGET_RUPEES=${targets}`)];
  const bars = walkDays(days, 11);
  const byDay = new Map<string, Bar[]>();
  for (const b of bars) {
    const day = new Date(Math.floor((b.t + IST) / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), b]);
  }
  const job = { instrument: INSTRUMENT, days: [...byDay.entries()], intervalMs: 60_000, config: config(), path: 'worst' as const, holdoutDays: [] };
  const workerUrl = new URL('../src/backtest/sweep.js', import.meta.url);
  const cpuMs: number[] = [];
  const time = async (workers: number): Promise<number> => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    await runSweep(job, combinations(axes), { workers, workerUrl });
    const used = process.cpuUsage(cpu);
    cpuMs.push(Math.round((used.user + used.system) / 1000));
    return Math.round(performance.now() - t);
  };
  const oneWorkerMs = await time(1);
  const twoWorkersMs = await time(2);
  const msPerDayRun = twoWorkersMs / (combos * days);
  return { combos, days, oneWorkerMs, twoWorkersMs, oneWorkerCpuMs: cpuMs[0] ?? 0, twoWorkersCpuMs: cpuMs[1] ?? 0, scaling: Math.round((oneWorkerMs / twoWorkersMs) * 100) / 100, msPerDayRun: Math.round(msPerDayRun), extrapolated100x20Ms: Math.round(msPerDayRun * 2000) };
}

const quick = process.argv.includes('--quick');
const started = Date.now();
const load = os.loadavg().map((x) => Math.round(x * 10) / 10);
console.log(`backtest bench (${quick ? 'quick' : 'full'}) on ${os.cpus().length} cpus, load ${load.join(' ')}`);
const sweepOnly = process.argv.includes('--sweep-only');
const days = sweepOnly ? [] : [await dayFigure('5m', quick ? 1 : 3), await dayFigure('1m', quick ? 1 : 3)];
for (const d of days) console.log(`one day of 1m bars, INTERVAL ${d.interval}: median ${d.medianMs} ms (${d.runsMs.join(', ')}), ${d.trades} round trips, ${d.wakes} clock wake-ups, ${d.timesRealTime}× real time — goal ≤ 100 ms`);
const sweep = await sweepFigure(quick ? 2 : 4, quick ? 2 : 3);
console.log(`sweep ${sweep.combos} × ${sweep.days} days: 1 worker ${sweep.oneWorkerMs} ms (CPU ${sweep.oneWorkerCpuMs} ms), 2 workers ${sweep.twoWorkersMs} ms (CPU ${sweep.twoWorkersCpuMs} ms), scaling ${sweep.scaling}× (goal ≥ 1.8×); ${sweep.msPerDayRun} ms per day-run on 2 workers → 100 × 20 ≈ ${Math.round(sweep.extrapolated100x20Ms / 1000)} s (goal ≤ 120 s)`);
const out = path.join(ROOT, 'bench', 'backtest-results.json');
fs.writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), quick, cpus: os.cpus().length, loadStart: load, loadEnd: os.loadavg().map((x) => Math.round(x * 10) / 10), wallMs: Date.now() - started, days, sweep }, null, 2)}\n`);
console.log(`wrote ${out}`);
