// Historical bars: the one shape every source (OpenAlgo's history route, a CSV file, the cache)
// is turned into before a backtest replays it. A bar is stamped with its OPEN time (OpenAlgo's
// convention) in epoch ms; prices in rupees; sorted by time, one bar per stamp.

import { parseTimestamp } from '../broker/openalgo/timestamp.js';
import { istParts } from '../time/ist.js';

export interface Bar {
  /** Open time, epoch ms. */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

/** A bad bar or a bad input file: one line naming where, what and what is allowed. */
export class BarsError extends Error {
  override readonly name = 'BarsError';
}

/** The IST calendar day a bar belongs to. */
export function barDay(bar: Pick<Bar, 't'>): string {
  return istParts(bar.t).day;
}

/**
 * A timestamp as adapters and files give it: epoch seconds or ms (number or digits), or an IST
 * date-time string ("2026-11-24 09:15:00", ISO with a zone, day-first). Null when unreadable.
 * Free-form text Date.parse might guess at is refused.
 */
export function barTime(value: unknown): number | null {
  if (typeof value === 'string') {
    const s = value.trim();
    if (!/^\d+(\.\d+)?$/.test(s) && !/^\d{1,4}[-/][0-9A-Za-z]{2,3}[-/]\d{2,4}[ T]\d{2}:\d{2}/.test(s)) return null;
  }
  return parseTimestamp(value);
}

/** Why a bar is impossible, or null: positive finite prices, low ≤ open/close ≤ high, volume ≥ 0. */
export function barProblem(b: Bar): string | null {
  for (const [name, v] of [['open', b.o], ['high', b.h], ['low', b.l], ['close', b.c]] as const) {
    if (!Number.isFinite(v) || v <= 0) return `${name} ${v} is not a price > 0`;
  }
  if (!Number.isFinite(b.v) || b.v < 0) return `volume ${b.v} is not a number ≥ 0`;
  if (b.l > b.h) return `low ${b.l} is above high ${b.h}`;
  if (b.o > b.h || b.o < b.l) return `open ${b.o} is outside low ${b.l} … high ${b.h}`;
  if (b.c > b.h || b.c < b.l) return `close ${b.c} is outside low ${b.l} … high ${b.h}`;
  return null;
}

const CSV_COLUMNS = ['timestamp', 'open', 'high', 'low', 'close'] as const;

/**
 * A CSV of bars: a header naming at least timestamp,open,high,low,close (volume optional; other
 * columns ignored; any order, any case), then one bar a row. The first bad row refuses the whole
 * file with its line number: a backtest never guesses at a price.
 */
export function parseBarsCsv(text: string, file: string): Bar[] {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw new BarsError(`${file}: empty file: expected a header line timestamp,open,high,low,close[,volume]`);
  const header = (lines[headerIndex] ?? '').replace(/^\uFEFF/, '').split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string): number => header.indexOf(name);
  for (const name of CSV_COLUMNS) {
    if (col(name) < 0) {
      throw new BarsError(`${file} line ${headerIndex + 1}: no "${name}" column in the header ${JSON.stringify(lines[headerIndex])}: expected timestamp,open,high,low,close[,volume]`);
    }
  }
  const at = { t: col('timestamp'), o: col('open'), h: col('high'), l: col('low'), c: col('close'), v: col('volume') };
  const bars: Bar[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const where = `${file} line ${i + 1}`;
    const cells = raw.split(',').map((c) => c.trim());
    if (cells.length < header.length) throw new BarsError(`${where}: ${cells.length} fields, the header has ${header.length}: expected one value per column`);
    const t = barTime(cells[at.t]);
    if (t === null) throw new BarsError(`${where}: timestamp ${JSON.stringify(cells[at.t])}: expected epoch seconds or an IST date-time YYYY-MM-DD HH:MM[:SS]`);
    const num = (index: number, name: string): number => {
      const cell = cells[index] ?? '';
      const n = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(n)) throw new BarsError(`${where}: ${name} ${JSON.stringify(cell)}: expected a number`);
      return n;
    };
    const bar: Bar = { t, o: num(at.o, 'open'), h: num(at.h, 'high'), l: num(at.l, 'low'), c: num(at.c, 'close'), v: at.v >= 0 && (cells[at.v] ?? '') !== '' ? num(at.v, 'volume') : 0 };
    const problem = barProblem(bar);
    if (problem) throw new BarsError(`${where}: ${problem}: expected low ≤ open, close ≤ high, all > 0`);
    const last = bars[bars.length - 1];
    if (last && bar.t <= last.t) {
      throw new BarsError(`${where}: timestamp ${JSON.stringify(cells[at.t])} is ${bar.t === last.t ? 'the same as' : 'before'} the row above: expected rows in time order, one per bar`);
    }
    bars.push(bar);
  }
  if (bars.length === 0) throw new BarsError(`${file}: no bars after the header: expected one row per bar`);
  return bars;
}

/** Bars as CSV (the format parseBarsCsv reads), IST stamps. */
export function barsToCsv(bars: readonly Bar[]): string {
  const rows = bars.map((b) => `${istStamp(b.t)},${b.o},${b.h},${b.l},${b.c},${b.v}`);
  return `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`;
}

/** "2026-11-24 09:15:00" (IST). */
export function istStamp(ms: number): string {
  const iso = new Date(ms + 330 * 60_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The bar length of a series: the most common gap between consecutive bars of one day (ms), or null with fewer than two. */
export function inferIntervalMs(bars: readonly Bar[]): number | null {
  const counts = new Map<number, number>();
  for (let i = 1; i < bars.length; i++) {
    const a = bars[i - 1] as Bar;
    const b = bars[i] as Bar;
    if (barDay(a) !== barDay(b)) continue;
    const gap = b.t - a.t;
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best: number | null = null;
  let n = 0;
  for (const [gap, count] of counts) if (count > n || (count === n && best !== null && gap < best)) [best, n] = [gap, count];
  return best;
}

/** Bars grouped by IST day, days in order, keeping only days within from…to (inclusive). */
export function barsByDay(bars: readonly Bar[], from?: string, to?: string): Map<string, Bar[]> {
  const out = new Map<string, Bar[]>();
  for (const b of bars) {
    const day = barDay(b);
    if ((from !== undefined && day < from) || (to !== undefined && day > to)) continue;
    const list = out.get(day);
    if (list) list.push(b);
    else out.set(day, [b]);
  }
  return out;
}

/** "1m", "5m", "1h" for a bar length in ms. */
export function intervalText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
