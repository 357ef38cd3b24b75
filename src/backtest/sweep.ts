// The sweep: every combination of the swept settings, each a whole backtest over the same bars,
// run in worker threads across the cores (each worker replays whole combinations through the
// real engine), ranked by in-sample net. `--holdout 25%` keeps the last quarter of the days out
// of the ranking and reports the best combinations' figures on them beside the in-sample ones.

import os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Instrument } from '../broker/types.js';
import { SCHEMA, CONFIG_KEYS, type Config, type ConfigKey } from '../config/schema.js';
import { parseValue } from '../config/values.js';
import { figuresOf, type Figures } from '../journal/figures.js';
import type { TradeRecord } from '../store/types.js';
import type { PathMode } from './bar-path.js';
import { BarsError, type Bar } from './bars.js';
import { backtestSettings, feedOf, journalTradesOf } from './backtest.js';
import { runDay } from './runner.js';

export interface SweepAxis {
  key: ConfigKey;
  /** The values as text (what the trader would type). */
  values: string[];
}

/** `KEY=a:b:step` (inclusive) or `KEY=v1,v2,…`. */
export function parseSweep(spec: string): SweepAxis {
  const eq = spec.indexOf('=');
  const usage = 'expected KEY=from:to:step or KEY=v1,v2,… with KEY a setting name, e.g. PROFIT_TARGET_RUPEES=1:4:0.5';
  if (eq <= 0) throw new BarsError(`invalid --sweep ${JSON.stringify(spec)}: ${usage}`);
  const key = spec.slice(0, eq).trim().toUpperCase();
  const body = spec.slice(eq + 1).trim();
  if (!(CONFIG_KEYS as readonly string[]).includes(key) || SCHEMA[key as ConfigKey].kind === 'secret') {
    throw new BarsError(`invalid --sweep ${JSON.stringify(spec)}: ${JSON.stringify(key)} is not a setting one can sweep: ${usage}`);
  }
  const k = key as ConfigKey;
  let values: string[];
  const range = /^(-?[\d.]+):(-?[\d.]+):([\d.]+)$/.exec(body);
  if (range) {
    const [a, b, step] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (!(step > 0) || !(b >= a)) throw new BarsError(`invalid --sweep ${JSON.stringify(spec)}: a range needs from ≤ to and a step > 0: ${usage}`);
    const n = Math.floor((b - a) / step + 1e-9) + 1;
    if (n > 10_000) throw new BarsError(`invalid --sweep ${JSON.stringify(spec)}: ${n} values: expected at most 10000`);
    values = Array.from({ length: n }, (_, i) => String(Number((a + i * step).toFixed(10))));
  } else {
    values = body.split(',').map((v) => v.trim()).filter(Boolean);
  }
  if (values.length === 0) throw new BarsError(`invalid --sweep ${JSON.stringify(spec)}: no values: ${usage}`);
  for (const v of values) {
    const parsed = parseValue(SCHEMA[k], v);
    if (!parsed.ok) throw new BarsError(`invalid --sweep ${key} value ${JSON.stringify(v)}: expected ${parsed.allowed}`);
  }
  return { key: k, values };
}

export type Combination = Partial<Record<ConfigKey, string>>;

export function combinations(axes: readonly SweepAxis[]): Combination[] {
  let out: Combination[] = [{}];
  for (const axis of axes) out = out.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.key]: v })));
  return out;
}

export function applyCombination(config: Config, combo: Combination): Config {
  const next: Record<string, unknown> = { ...config };
  for (const [key, raw] of Object.entries(combo)) {
    const parsed = parseValue(SCHEMA[key as ConfigKey], raw as string);
    if (parsed.ok) next[key] = parsed.value;
  }
  return next as Config;
}

/** The last `fraction` of the days (at least one when fraction > 0 and there are two days or more). */
export function splitHoldout(days: readonly string[], fraction: number): { inSample: string[]; holdout: string[] } {
  if (fraction <= 0 || days.length < 2) return { inSample: [...days], holdout: [] };
  const n = Math.min(days.length - 1, Math.max(1, Math.round(days.length * fraction)));
  return { inSample: days.slice(0, days.length - n), holdout: days.slice(days.length - n) };
}

export interface SweepJob {
  instrument: Instrument;
  /** The bars of the replayed days, by day. */
  days: [string, Bar[]][];
  intervalMs: number;
  config: Config;
  path: PathMode;
  holdoutDays: string[];
}

export interface ComboResult {
  index: number;
  combo: Combination;
  inSample: Figures;
  holdout: Figures | null;
}

/** One combination over every day (in-sample and holdout figures apart). */
export async function runCombination(job: SweepJob, index: number, combo: Combination): Promise<ComboResult> {
  const config = applyCombination(job.config, combo);
  const settings = backtestSettings(config, job.instrument, job.intervalMs);
  const holdout = new Set(job.holdoutDays);
  const inTrades: TradeRecord[] = [];
  const outTrades: TradeRecord[] = [];
  for (const [day, bars] of job.days) {
    const r = await runDay({ day, bars, intervalMs: job.intervalMs, instrument: job.instrument, settings, path: job.path, marketOnTarget: config.ENABLE_MARKET_ON_TARGET, feed: feedOf(config, job.intervalMs) });
    (holdout.has(day) ? outTrades : inTrades).push(...r.trades);
  }
  return {
    index,
    combo,
    inSample: figuresOf(journalTradesOf(inTrades, job.instrument)),
    holdout: job.holdoutDays.length > 0 ? figuresOf(journalTradesOf(outTrades, job.instrument)) : null,
  };
}

/** Best first: net, then profit factor, then the smaller drawdown, then the order given. */
export function rank(results: readonly ComboResult[]): ComboResult[] {
  const pf = (f: Figures): number => (f.profitFactorInfinite ? Number.POSITIVE_INFINITY : (f.profitFactor ?? -1));
  return [...results].sort((a, b) => b.inSample.net - a.inSample.net || pf(b.inSample) - pf(a.inSample) || a.inSample.maxDrawdown - b.inSample.maxDrawdown || a.index - b.index);
}

export interface SweepOptions {
  /** Worker threads; 0 runs in this thread (tests). Default: one per core. */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
  /** The module a worker loads (this file, compiled). */
  workerUrl?: URL;
}

const WORKER_KIND = 'random-scalp-sweep';

interface WorkerInit {
  kind: typeof WORKER_KIND;
  job: SweepJob;
}

type WorkerMessage = { type: 'done'; result: ComboResult } | { type: 'failed'; index: number; message: string };

export async function runSweep(job: SweepJob, combos: readonly Combination[], opts: SweepOptions = {}): Promise<ComboResult[]> {
  const total = combos.length;
  const results: ComboResult[] = [];
  const workers = Math.min(opts.workers ?? os.availableParallelism(), total);
  if (workers <= 0) {
    for (const [i, combo] of combos.entries()) {
      results.push(await runCombination(job, i, combo));
      opts.onProgress?.(results.length, total);
    }
    return rank(results);
  }
  const url = opts.workerUrl ?? new URL(import.meta.url);
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let live = workers;
    let failed = false;
    for (let w = 0; w < workers; w++) {
      const worker = new Worker(url, { workerData: { kind: WORKER_KIND, job } satisfies WorkerInit });
      const feed = (): void => {
        if (failed || next >= total) {
          void worker.terminate();
          return;
        }
        const index = next++;
        worker.postMessage({ index, combo: combos[index] });
      };
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'failed') {
          failed = true;
          reject(new Error(`combination ${m.index + 1}: ${m.message}`));
          void worker.terminate();
          return;
        }
        results.push(m.result);
        opts.onProgress?.(results.length, total);
        feed();
      });
      worker.on('error', (err) => {
        failed = true;
        reject(err);
      });
      worker.on('exit', () => {
        if (--live === 0 && !failed) resolve();
      });
      feed();
    }
  });
  return rank(results);
}

/** In a worker started by runSweep: replay each combination asked for and post its figures. */
function serveAsWorker(init: WorkerInit): void {
  parentPort?.on('message', (m: { index: number; combo: Combination }) => {
    runCombination(init.job, m.index, m.combo).then(
      (result) => parentPort?.postMessage({ type: 'done', result } satisfies WorkerMessage),
      (err: unknown) => parentPort?.postMessage({ type: 'failed', index: m.index, message: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage),
    );
  });
}

if (!isMainThread && (workerData as Partial<WorkerInit> | null)?.kind === WORKER_KIND) serveAsWorker(workerData as WorkerInit);
