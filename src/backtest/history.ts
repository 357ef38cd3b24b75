// Bars from OpenAlgo's history route, through the cache: the interval is checked against the
// broker's `intervals`, the days the cache lacks are fetched in chunks of at most
// HISTORY_CHUNK_DAYS (brokers cap a minute-bar request at 30–60 days), every row is checked
// (a bad one refuses the run, naming it), and finished days are cached.

import { BrokerError } from '../broker/errors.js';
import type { HistoryBarRow } from '../broker/openalgo/client.js';
import { istParts, IST_OFFSET_MS } from '../time/ist.js';
import { barDay, barProblem, BarsError, type Bar } from './bars.js';
import type { BarCache, SeriesKey } from './cache.js';
import { daysBetween } from './backtest.js';

export const HISTORY_CHUNK_DAYS = 30;

/** What the history fetch needs of the OpenAlgo client. */
export interface HistorySource {
  historyBars(symbol: string, exchange: string, interval: string, startDate: string, endDate: string): Promise<HistoryBarRow[]>;
  intervals(): Promise<string[]>;
}

export interface FetchResult {
  bars: Bar[];
  /** Requests sent to the broker (0: everything came from the cache). */
  requests: number;
  fromCache: number;
}

/** Consecutive runs of days, each at most `max` days long. */
export function chunkDays(days: readonly string[], max: number): { start: string; end: string; days: string[] }[] {
  const chunks: { start: string; end: string; days: string[] }[] = [];
  let current: string[] = [];
  const flush = (): void => {
    if (current.length > 0) chunks.push({ start: current[0] as string, end: current[current.length - 1] as string, days: current });
    current = [];
  };
  for (const day of [...days].sort()) {
    const prev = current[current.length - 1];
    const next = prev === undefined ? null : new Date(Date.parse(`${prev}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    if (prev !== undefined && (day !== next || current.length >= max)) flush();
    current.push(day);
  }
  flush();
  return chunks;
}

function toBar(row: HistoryBarRow, where: string): Bar {
  if (row.timestamp === null) throw new BarsError(`${where}: timestamp ${JSON.stringify(row.raw)}: expected epoch seconds or an IST date-time`);
  const bar: Bar = { t: row.timestamp, o: row.open, h: row.high, l: row.low, c: row.close, v: row.volume };
  const problem = barProblem(bar);
  if (problem) throw new BarsError(`${where}: ${problem}: expected low ≤ open, close ≤ high, all > 0`);
  return bar;
}

/** Epoch ms of IST midnight starting `day`. */
export function istMidnight(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - IST_OFFSET_MS;
}

export async function fetchBars(
  source: HistorySource,
  cache: BarCache | null,
  key: SeriesKey,
  from: string,
  to: string,
  now: number,
): Promise<FetchResult> {
  const days = daysBetween(from, to);
  const have = cache ? cache.cachedDays(key, days) : new Set<string>();
  const missing = days.filter((d) => !have.has(d));
  let requests = 0;
  const fetched: Bar[] = [];
  if (missing.length > 0) {
    let allowed: string[] | null = null;
    try {
      allowed = await source.intervals();
      requests++;
    } catch (err) {
      // An older server without the route: the history call itself will say if the interval is wrong.
      if (!(err instanceof BrokerError) || err.kind !== 'not_found') throw err;
    }
    if (allowed !== null && allowed.length > 0 && !allowed.includes(key.interval)) {
      throw new BarsError(`invalid --interval ${JSON.stringify(key.interval)}: the broker's history serves ${allowed.join(', ')}`);
    }
    const today = istParts(now).day;
    for (const chunk of chunkDays(missing, HISTORY_CHUNK_DAYS)) {
      const rows = await source.historyBars(key.symbol, key.exchange, key.interval, chunk.start, chunk.end);
      requests++;
      const wanted = new Set(chunk.days);
      const bars = rows
        .map((row, i) => toBar(row, `history ${key.symbol}@${key.exchange} ${key.interval} ${chunk.start}…${chunk.end} row ${i + 1}`))
        .filter((b) => wanted.has(barDay(b)));
      cache?.store(key, bars, chunk.days.filter((d) => d < today), barDay, now);
      fetched.push(...bars);
    }
  }
  if (!cache) return { bars: dedupe(fetched), requests, fromCache: 0 };
  const bars = cache.bars(key, istMidnight(from), istMidnight(to) + 86_400_000);
  return { bars, requests, fromCache: missing.length === 0 ? bars.length : 0 };
}

/** Sorted by time, one bar per stamp (the last row wins). */
function dedupe(bars: Bar[]): Bar[] {
  const byT = new Map<number, Bar>();
  for (const b of bars) byT.set(b.t, b);
  return [...byT.values()].sort((a, b) => a.t - b.t);
}
