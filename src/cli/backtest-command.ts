import fs from 'node:fs';
import { checkDate, UsageError, writeOutput } from './usage.js';
import path from 'node:path';
import { BrokerError, describeError } from '../broker/errors.js';
import { fallbackLotSize, fallbackTickSize } from '../broker/instruments.js';
import { OpenAlgoClient } from '../broker/openalgo/client.js';
import type { Instrument } from '../broker/types.js';
import { ConfigError, resolveConfig, type RawSources } from '../config/resolve.js';
import { CONFIG_KEYS, SCHEMA, type Config } from '../config/schema.js';
import { parseInterval } from '../config/values.js';
import { JournalVersionError } from '../journal/migrations.js';
import { StartupError } from '../engine/start-up.js';
import { renderCsv } from '../journal/report-csv.js';
import { renderHtml } from '../journal/report-html.js';
import { money, profitFactorText, winRateText } from '../journal/report-format.js';
import type { ReportData } from '../journal/report-model.js';
import { renderTextReport } from '../journal/report-text.js';
import { settingsHash } from '../journal/settings-hash.js';
import { BarsError, barsByDay, barDay, inferIntervalMs, intervalText, parseBarsCsv, type Bar } from '../backtest/bars.js';
import { PATH_MODES, type PathMode } from '../backtest/bar-path.js';
import { backtestSettings, runBacktest } from '../backtest/backtest.js';
import { BarCache, barCachePath } from '../backtest/cache.js';
import { fetchBars } from '../backtest/history.js';
import { backtestJournalPath, listRuns, openBacktestJournal, readRun, readRunTrades, saveRun } from '../backtest/journal.js';
import { backtestJson, backtestReportData, type RunDescription } from '../backtest/output.js';
import { combinations, parseSweep, runSweep, splitHoldout, type ComboResult, type SweepAxis } from '../backtest/sweep.js';
import type { Io } from './config-command.js';
import { EXIT } from './exit-codes.js';

// `random-scalp backtest …`: replay history through the real engine (src/backtest), one run or a
// sweep of settings; every single run is kept in the backtest journal. `report --backtest RUN`
// reopens one (reportBacktest below).

export interface BacktestFlags {
  symbol?: string;
  exchange?: string;
  from?: string;
  to?: string;
  interval?: string;
  data?: string;
  lotSize?: string;
  tick?: string;
  path?: string;
  json?: boolean;
  csv?: string;
  html?: string;
  sweep?: string[];
  top?: string;
  holdout?: string;
  list?: boolean;
  workers?: string;
  stateDir?: string;
}

export interface BacktestEnv {
  now: number;
  columns: number;
  /** stderr is a terminal: a live progress bar; otherwise plain progress lines. */
  tty: boolean;
}



function positive(flag: string, raw: string | undefined, integer: boolean): number | null {
  if (raw === undefined) return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`invalid ${flag} ${JSON.stringify(raw)}: expected ${integer ? 'a whole number ≥ 1' : 'a number > 0'}`);
  return n;
}


/** The settings as shown in the journal: every setting but the secret. */
function settingsJson(config: Config): string {
  const shown: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (SCHEMA[key].kind !== 'secret') shown[key] = config[key];
  return JSON.stringify(shown);
}

function parseHoldout(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)%$/.exec(raw.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n >= 0 && n < 100)) throw new UsageError(`invalid --holdout ${JSON.stringify(raw)}: expected a percentage of the days from 0% to 99%, e.g. 25%`);
  return n / 100;
}

function say(flags: BacktestFlags, io: Io): (line: string) => void {
  // Scripts get JSON on stdout; everything else said goes where it does not mix with it.
  return flags.json ? io.err : io.out;
}

interface Loaded {
  bars: Bar[];
  intervalMs: number;
  source: string;
  instrument: Instrument;
  from: string;
  to: string;
}

async function loadBars(flags: BacktestFlags, config: Config, env: BacktestEnv, note: (line: string) => void): Promise<Loaded> {
  const symbol = (flags.symbol ?? config.SYMBOL ?? '').trim();
  if (symbol === '') throw new UsageError('missing --symbol: expected the trading symbol in OpenAlgo format, e.g. --symbol NIFTY29DEC2625000CE');
  const exchange = (flags.exchange ?? config.EXCHANGE).trim().toUpperCase();
  const from = flags.from !== undefined ? checkDate('--from', flags.from) : undefined;
  const to = flags.to !== undefined ? checkDate('--to', flags.to) : undefined;
  if (from && to && from > to) throw new UsageError(`invalid --from ${JSON.stringify(from)}: expected a date on or before --to (${to})`);
  const lotFlag = positive('--lot-size', flags.lotSize, true);
  const tickFlag = positive('--tick', flags.tick, false);
  let record: Instrument | null = null;
  let bars: Bar[];
  let intervalMs: number;
  let source: string;
  if (flags.data !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(flags.data, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --data ${JSON.stringify(flags.data)} (${(err as NodeJS.ErrnoException).code ?? 'error'}): expected a readable CSV file timestamp,open,high,low,close[,volume]`);
    }
    bars = parseBarsCsv(text, path.basename(flags.data));
    const inferred = inferIntervalMs(bars);
    const given = flags.interval !== undefined ? intervalOf(flags.interval) : null;
    intervalMs = given ?? inferred ?? 60_000;
    if (given !== null && inferred !== null && inferred < given) {
      throw new UsageError(`invalid --interval ${JSON.stringify(flags.interval)}: the file's bars are ${intervalText(inferred)} apart: expected --interval ${intervalText(inferred)} (or leave it out)`);
    }
    source = path.basename(flags.data);
  } else {
    if (!from || !to) throw new UsageError('missing --from/--to: expected the days to replay, --from YYYY-MM-DD --to YYYY-MM-DD (IST)');
    const key = config.OPENALGO_API_KEY ?? '';
    if (key.trim() === '') throw new UsageError('backtest without --data needs OPENALGO_API_KEY (environment, .env or `random-scalp config set`) to read OpenAlgo history: or give --data FILE.csv');
    const interval = flags.interval ?? '1m';
    intervalMs = intervalOf(interval);
    const client = new OpenAlgoClient({ host: config.OPENALGO_API_HOST, apiKey: key, strategy: config.STRATEGY_NAME, timeoutMs: Math.max(30_000, config.API_TIMEOUT_SECONDS * 1000), othersPerSecond: config.OTHER_RATE_PER_SECOND });
    const cache = new BarCache(barCachePath(config.STATE_DIR));
    try {
      const got = await fetchBars(client, cache, { symbol, exchange, interval }, from, to, env.now);
      bars = got.bars;
      source = got.requests === 0 ? 'cache' : 'openalgo history';
      note(got.requests === 0 ? `bars: ${bars.length} from the cache (${barCachePath(config.STATE_DIR)}), no broker call` : `bars: ${bars.length} (${got.requests} history request${got.requests === 1 ? '' : 's'}), cached in ${barCachePath(config.STATE_DIR)}`);
      if (lotFlag === null || tickFlag === null) {
        try {
          record = await client.searchInstrument(symbol, exchange);
        } catch {
          record = null;
        }
      }
    } finally {
      cache.close();
      await client.close();
    }
  }
  const lotSize = lotFlag ?? (record && record.lotSize > 0 ? record.lotSize : null) ?? fallbackLotSize(symbol);
  if (lotSize === null) throw new UsageError(`unknown lot size for ${symbol}: the built-in table has the NSE/BSE indices (NIFTY 65, BANKNIFTY 30, …): expected --lot-size N`);
  const tick = tickFlag ?? (record && record.tickSize > 0 ? record.tickSize : null) ?? fallbackTickSize(exchange);
  const instrument: Instrument = { symbol, exchange, lotSize, tickSize: tick, freezeQty: record?.freezeQty ?? null, ...(record?.instrumentType ? { instrumentType: record.instrumentType } : {}) };
  const firstDay = bars[0] ? barDay(bars[0]) : (from ?? '');
  const lastBar = bars[bars.length - 1];
  const lastDay = lastBar ? barDay(lastBar) : (to ?? '');
  return { bars, intervalMs, source, instrument, from: from ?? firstDay, to: to ?? lastDay };
}

function intervalOf(raw: string): number {
  const parsed = parseInterval(raw);
  if (!parsed.ok || parsed.value.kind === 'daily') throw new UsageError(`invalid --interval ${JSON.stringify(raw)}: expected an intraday bar length like 1m, 5m, 15m, 1h (a daily bar has no path inside the day)`);
  if (parsed.value.ms % 60_000 !== 0) throw new UsageError(`invalid --interval ${JSON.stringify(raw)}: expected whole minutes (OpenAlgo's history starts at 1m)`);
  return parsed.value.ms;
}

export async function backtestCommand(flags: BacktestFlags, io: Io, sources: RawSources, env: BacktestEnv): Promise<number> {
  const fail = (message: string): number => {
    io.err(`random-scalp backtest: ${message}`);
    return EXIT.CONFIG;
  };
  try {
    const resolved = resolveConfig(
      { ...sources, flags: { ...sources.flags, ...(flags.stateDir !== undefined ? { STATE_DIR: flags.stateDir } : {}) }, modeFlag: 'live' },
      { forStart: false },
    );
    const config = resolved.config;
    const out = say(flags, io);
    if (flags.list) return listCommand(config.STATE_DIR, io, env, Boolean(flags.json));
    const pathMode = (flags.path ?? 'worst') as PathMode;
    if (!PATH_MODES.includes(pathMode)) throw new UsageError(`invalid --path ${JSON.stringify(flags.path)}: expected ${PATH_MODES.join(' or ')}`);
    const axes: SweepAxis[] = (flags.sweep ?? []).map(parseSweep);
    const top = positive('--top', flags.top, true) ?? 10;
    const holdout = parseHoldout(flags.holdout);
    if (holdout > 0 && axes.length === 0) throw new UsageError('--holdout needs --sweep: it keeps days out of the ranking of swept combinations');
    const workers = flags.workers !== undefined ? Number(flags.workers) : undefined;
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError(`invalid --workers ${JSON.stringify(flags.workers)}: expected a whole number ≥ 0 (0: no worker threads)`);

    const loaded = await loadBars(flags, config, env, out);
    // Refuse a strategy bar finer than the data before anything runs (and every swept INTERVAL).
    backtestSettings(config, loaded.instrument, loaded.intervalMs);
    const byDay = barsByDay(loaded.bars, loaded.from, loaded.to);
    if (byDay.size === 0) throw new UsageError(`no bars from ${loaded.from} to ${loaded.to} (${loaded.source}): expected --from/--to within the data`);
    const description = (c: Config, days: string[], skipped: RunDescription['skipped'], bars: number): RunDescription => ({
      symbol: loaded.instrument.symbol, exchange: loaded.instrument.exchange, from: loaded.from, to: loaded.to,
      interval: intervalText(loaded.intervalMs), path: pathMode, lotSize: loaded.instrument.lotSize, tick: loaded.instrument.tickSize,
      settingsHash: settingsHash(c), days, skipped, bars,
    });

    if (axes.length > 0) {
      const combos = combinations(axes);
      const days = [...byDay.keys()];
      const split = splitHoldout(days, holdout);
      const started = Date.now();
      const progress = progressPrinter(io, env.tty, started);
      io.err(`sweep: ${combos.length} combination${combos.length === 1 ? '' : 's'} × ${days.length} day${days.length === 1 ? '' : 's'}${split.holdout.length ? ` (holdout: the last ${split.holdout.length}, ${split.holdout[0]} … ${split.holdout[split.holdout.length - 1]})` : ''}`);
      const results = await runSweep(
        { instrument: loaded.instrument, days: [...byDay.entries()], intervalMs: loaded.intervalMs, config, path: pathMode, holdoutDays: split.holdout },
        combos,
        { ...(workers !== undefined ? { workers } : {}), onProgress: progress },
      );
      const run = description(config, days, [], loaded.bars.length);
      if (flags.json) io.out(JSON.stringify(sweepJson(run, axes, split, results), null, 2));
      else io.out(sweepTable(axes, results.slice(0, top), split.holdout.length > 0, combos.length).join('\n'));
      if (flags.csv !== undefined) {
        writeOutput(flags.csv, sweepCsv(axes, results), 'CSV');
        out(`wrote ${flags.csv}: ${results.length} combination${results.length === 1 ? '' : 's'}, best first`);
      }
      if (flags.html !== undefined) {
        writeOutput(flags.html, sweepHtml(axes, results, run), 'HTML');
        out(`wrote ${flags.html}`);
      }
      return EXIT.OK;
    }

    const result = await runBacktest({
      instrument: loaded.instrument, bars: loaded.bars, intervalMs: loaded.intervalMs, from: loaded.from, to: loaded.to, config, path: pathMode,
    });
    const run = description(config, result.days.map((d) => d.day), result.skipped, result.days.reduce((a, d) => a + d.bars, 0));
    const db = openBacktestJournal(config.STATE_DIR, env.now);
    let id: number;
    try {
      id = saveRun(
        db,
        {
          symbol: run.symbol, exchange: run.exchange, from: run.from, to: run.to, interval: run.interval, path: pathMode, source: loaded.source,
          settingsHash: run.settingsHash, settingsJson: settingsJson(config), days: run.days.length, bars: run.bars, dayList: JSON.stringify(run.days),
        },
        loaded.instrument,
        result.days.flatMap((d) => d.trades),
        env.now,
      );
    } finally {
      db.close();
    }
    const data = backtestReportData(run, result.trades, backtestJournalPath(config.STATE_DIR));
    emit(flags, io, env, data, run);
    for (const s of result.skipped) out(`skipped ${s.day}: ${s.reason}`);
    const notes = result.days.flatMap((d) => d.notes.map((n) => `${d.day} ${n.kind.toUpperCase()}: ${n.message}`));
    for (const n of notes.slice(0, 20)) out(n);
    out(`backtest run ${id} kept in ${backtestJournalPath(config.STATE_DIR)} (settings ${run.settingsHash}): random-scalp report --backtest ${id}`);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof BarsError || err instanceof JournalVersionError) return fail(err.message);
    // The engine refused to start on a day (e.g. LOTS × lot size above the contract's freeze quantity).
    if (err instanceof StartupError) return fail(err.message);
    if (err instanceof BrokerError) {
      io.err(`random-scalp backtest: OpenAlgo history: ${describeError(err)}`);
      return EXIT.BROKER;
    }
    throw err;
  }
}

function emit(flags: BacktestFlags, io: Io, env: BacktestEnv, data: ReportData, run: RunDescription): void {
  const out = say(flags, io);
  if (flags.json) io.out(JSON.stringify(backtestJson(run, data), null, 2));
  else if (data.trades.length === 0) out(`no round trips in ${data.rangeLabel} (${run.days.length} day${run.days.length === 1 ? '' : 's'} replayed)`);
  else io.out(renderTextReport(data, { width: env.columns }));
  if (flags.csv !== undefined) {
    writeOutput(flags.csv, renderCsv(data), 'CSV');
    out(`wrote ${flags.csv}: ${data.trades.length} round trip${data.trades.length === 1 ? '' : 's'}, one per row`);
  }
  if (flags.html !== undefined) {
    writeOutput(flags.html, renderHtml(data, env.now), 'HTML');
    out(`wrote ${flags.html}`);
  }
}

function listCommand(stateDir: string, io: Io, env: BacktestEnv, json: boolean): number {
  const file = backtestJournalPath(stateDir);
  if (!fs.existsSync(file)) {
    (json ? io.err : io.out)(`no backtest runs yet: there is no backtest journal at ${file}`);
    if (json) io.out('[]');
    return EXIT.OK;
  }
  const db = openBacktestJournal(stateDir, env.now);
  try {
    const runs = listRuns(db);
    if (json) {
      io.out(JSON.stringify(runs.map(({ settingsJson: _s, dayList: _d, ...r }) => r), null, 2));
      return EXIT.OK;
    }
    io.out(`${'RUN'.padStart(4)}  ${'SYMBOL'.padEnd(24)} ${'FROM'.padEnd(10)} ${'TO'.padEnd(10)} BARS PATH  ${'DAYS'.padStart(4)} ${'TRADES'.padStart(6)} ${'NET ₹'.padStart(12)}  SETTINGS`);
    for (const r of runs) {
      io.out(`${String(r.id).padStart(4)}  ${`${r.symbol}@${r.exchange}`.padEnd(24)} ${r.from} ${r.to} ${r.interval.padStart(4)} ${r.path.padEnd(5)} ${String(r.days).padStart(4)} ${String(r.trades).padStart(6)} ${money(r.net).padStart(12)}  ${r.settingsHash}`);
    }
    if (runs.length === 0) io.out('no backtest runs yet');
    return EXIT.OK;
  } finally {
    db.close();
  }
}

/** `report --backtest RUN`: one kept run, through the report's renderers. */
export function reportBacktest(run: string, flags: { json?: boolean; csv?: string; html?: string; stateDir?: string }, io: Io, sources: RawSources, env: { now: number; columns: number }): number {
  try {
    const id = Number(run);
    if (!Number.isInteger(id) || id <= 0) throw new UsageError(`invalid --backtest ${JSON.stringify(run)}: expected a run id (random-scalp backtest --list shows them)`);
    const resolved = resolveConfig({ ...sources, flags: { ...sources.flags, ...(flags.stateDir !== undefined ? { STATE_DIR: flags.stateDir } : {}) }, modeFlag: 'live' }, { forStart: false });
    const file = backtestJournalPath(resolved.config.STATE_DIR);
    if (!fs.existsSync(file)) throw new UsageError(`invalid --backtest ${id}: there is no backtest journal at ${file} yet (random-scalp backtest writes it)`);
    const db = openBacktestJournal(resolved.config.STATE_DIR, env.now);
    try {
      const stored = readRun(db, id);
      if (!stored) throw new UsageError(`invalid --backtest ${id}: no such run in ${file} (random-scalp backtest --list shows them)`);
      const days = JSON.parse(stored.dayList) as string[];
      const description: RunDescription = {
        symbol: stored.symbol, exchange: stored.exchange, from: stored.from, to: stored.to, interval: stored.interval, path: stored.path,
        lotSize: 0, tick: 0, settingsHash: stored.settingsHash, days, skipped: [], bars: stored.bars,
      };
      const data = backtestReportData(description, readRunTrades(db, id), file, `backtest run ${id}: ${stored.symbol}@${stored.exchange} ${stored.from} … ${stored.to}, ${stored.interval} bars, path ${stored.path}`);
      emit(flags, io, { now: env.now, columns: env.columns, tty: false }, data, description);
      return EXIT.OK;
    } finally {
      db.close();
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof JournalVersionError) {
      io.err(`random-scalp report: ${err.message}`);
      return EXIT.CONFIG;
    }
    throw err;
  }
}

// ---- sweep output -----------------------------------------------------------------------------

function progressPrinter(io: Io, tty: boolean, started: number): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    const elapsed = Date.now() - started;
    const eta = done > 0 ? Math.round(((total - done) * elapsed) / done / 1000) : 0;
    const etaText = `${Math.floor(eta / 60)}m${String(eta % 60).padStart(2, '0')}s`;
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ETA ${etaText}${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((done / total) * 10);
    if (tenth !== lastTenth || done === total) {
      lastTenth = tenth;
      io.err(`sweep: ${done}/${total} combinations, ${Math.round(elapsed / 1000)} s, ETA ${etaText}`);
    }
  };
}

function figureCells(f: ComboResult['inSample']): string[] {
  return [String(f.trades), winRateText(f), money(f.net), profitFactorText(f), money(f.maxDrawdown === 0 ? 0 : -f.maxDrawdown)];
}

export function sweepTable(axes: readonly SweepAxis[], best: readonly ComboResult[], holdout: boolean, total: number): string[] {
  const head = ['RANK', ...axes.map((a) => a.key), 'TRADES', 'WIN%', 'NET ₹', 'PF', 'MAX DD ₹', ...(holdout ? ['HOLDOUT TRADES', 'HOLDOUT NET ₹', 'HOLDOUT PF'] : [])];
  const rows = best.map((r, i) => [
    String(i + 1),
    ...axes.map((a) => r.combo[a.key] ?? ''),
    ...figureCells(r.inSample),
    ...(holdout && r.holdout ? [String(r.holdout.trades), money(r.holdout.net), profitFactorText(r.holdout)] : []),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c >= 1 && c <= axes.length ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  return [
    `${best.length} best of ${total} combination${total === 1 ? '' : 's'}, ranked by ${holdout ? 'in-sample ' : ''}net`,
    line(head),
    '─'.repeat(line(head).length),
    ...rows.map(line),
  ];
}

export function sweepJson(run: RunDescription, axes: readonly SweepAxis[], split: { inSample: string[]; holdout: string[] }, results: readonly ComboResult[]): unknown {
  return {
    mode: 'backtest-sweep',
    backtest: run,
    swept: axes,
    inSampleDays: split.inSample,
    holdoutDays: split.holdout,
    combinations: results.map((r, i) => ({ rank: i + 1, settings: r.combo, inSample: r.inSample, holdout: r.holdout })),
  };
}

export function sweepCsv(axes: readonly SweepAxis[], results: readonly ComboResult[]): string {
  const holdout = results.some((r) => r.holdout !== null);
  const head = ['rank', ...axes.map((a) => a.key), 'trades', 'wins', 'win_rate', 'gross', 'costs', 'net', 'profit_factor', 'expectancy', 'max_drawdown', ...(holdout ? ['holdout_trades', 'holdout_net', 'holdout_profit_factor', 'holdout_max_drawdown'] : [])];
  const pf = (f: ComboResult['inSample']): string => (f.profitFactorInfinite ? 'inf' : f.profitFactor === null ? '' : String(f.profitFactor));
  const rows = results.map((r, i) => {
    const f = r.inSample;
    return [
      String(i + 1), ...axes.map((a) => r.combo[a.key] ?? ''), String(f.trades), String(f.wins), f.winRate === null ? '' : f.winRate.toFixed(4), String(f.gross), String(f.costs), String(f.net), pf(f), f.expectancy === null ? '' : String(f.expectancy), String(f.maxDrawdown),
      ...(holdout && r.holdout ? [String(r.holdout.trades), String(r.holdout.net), pf(r.holdout), String(r.holdout.maxDrawdown)] : []),
    ].join(',');
  });
  return `${head.join(',')}\n${rows.join('\n')}\n`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A table of every combination, and with two swept keys a net heatmap (SVG, no script). */
export function sweepHtml(axes: readonly SweepAxis[], results: readonly ComboResult[], run: RunDescription): string {
  const parts: string[] = [];
  if (axes.length === 2) {
    const [ax, ay] = axes as [SweepAxis, SweepAxis];
    const cell = 48;
    const left = 90;
    const topPad = 30;
    const nets = results.map((r) => r.inSample.net);
    const max = Math.max(1, ...nets.map(Math.abs));
    const rects = results.map((r) => {
      const i = ax.values.indexOf(r.combo[ax.key] ?? '');
      const j = ay.values.indexOf(r.combo[ay.key] ?? '');
      const v = r.inSample.net / max;
      const color = v >= 0 ? `rgb(${Math.round(255 - 200 * v)},230,${Math.round(255 - 200 * v)})` : `rgb(240,${Math.round(255 + 200 * v)},${Math.round(255 + 200 * v)})`;
      return `<rect x="${left + i * cell}" y="${topPad + j * cell}" width="${cell}" height="${cell}" fill="${color}"><title>${esc(`${ax.key}=${r.combo[ax.key]} ${ay.key}=${r.combo[ay.key]}: net ₹${r.inSample.net}`)}</title></rect><text x="${left + i * cell + cell / 2}" y="${topPad + j * cell + cell / 2 + 4}" font-size="10" text-anchor="middle">${Math.round(r.inSample.net)}</text>`;
    });
    const xLabels = ax.values.map((v, i) => `<text x="${left + i * cell + cell / 2}" y="20" font-size="11" text-anchor="middle">${esc(v)}</text>`);
    const yLabels = ay.values.map((v, j) => `<text x="${left - 6}" y="${topPad + j * cell + cell / 2 + 4}" font-size="11" text-anchor="end">${esc(v)}</text>`);
    parts.push(`<h2>Net ₹ by ${esc(ax.key)} (across) and ${esc(ay.key)} (down)</h2>`);
    parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${left + ax.values.length * cell + 10}" height="${topPad + ay.values.length * cell + 10}">${rects.join('')}${xLabels.join('')}${yLabels.join('')}</svg>`);
  }
  const head = ['Rank', ...axes.map((a) => a.key), 'Trades', 'Win rate', 'Net ₹', 'PF', 'Max DD ₹'];
  const rows = results.map((r, i) => `<tr>${[String(i + 1), ...axes.map((a) => r.combo[a.key] ?? ''), ...figureCells(r.inSample)].map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>random-scalp sweep ${esc(run.symbol)}</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}</style></head><body>
<h1>Sweep: ${esc(run.symbol)}@${esc(run.exchange)} ${esc(run.from)} … ${esc(run.to)} (${esc(run.interval)} bars, path ${esc(run.path)})</h1>
${parts.join('\n')}
<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.join('')}</table></body></html>
`;
}
