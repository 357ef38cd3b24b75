// History for paper-server's `history` route: past days of the paper market, generated on demand.
// Each trading day (Monday–Friday, not a trading holiday of the paper calendar) is the market's
// own seeded walk from 09:15 to 15:30 IST, its seed derived from the server's seed, the symbol
// and the day, so the same request always gets the same bars. Stamps are epoch seconds of each
// bar's open, as OpenAlgo sends them.

import type { Clock } from '../../time/clock.js';
import { IST_OFFSET_MS } from '../../time/ist.js';
import type { Instrument } from '../types.js';
import { PaperMarket } from './market.js';
import { deriveSeed, textStream } from './rng.js';

export interface HistoryRow {
  timestamp: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  oi: number;
}

/** OpenAlgo's intervals reply for the paper market. */
export const PAPER_INTERVALS = { seconds: [] as string[], minutes: ['1m', '3m', '5m', '10m', '15m', '30m'], hours: ['1h'], days: ['D'] };

/** Most days one history request may span (brokers cap minute bars similarly). */
export const PAPER_HISTORY_MAX_DAYS = 30;

const SESSION_START = 9 * 60 + 15;
const SESSION_END = 15 * 60 + 30;

/** Minutes per bar of an OpenAlgo interval the paper market serves, or null. */
export function intervalMinutes(interval: string): number | null {
  if (interval === 'D') return SESSION_END - SESSION_START;
  const m = /^(\d+)(m|h)$/.exec(interval);
  if (!m || ![...PAPER_INTERVALS.minutes, ...PAPER_INTERVALS.hours].includes(interval)) return null;
  return Number(m[1]) * (m[2] === 'h' ? 60 : 1);
}

function tradingDay(date: string, holiday: (date: string) => boolean): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holiday(date);
}

/** One day of 1-minute bars of the paper walk. */
function dayOfMinutes(instrument: Instrument, seed: number, startPrice: number, date: string): HistoryRow[] {
  const open = Date.parse(`${date}T00:00:00Z`) - IST_OFFSET_MS + SESSION_START * 60_000;
  let now = open;
  const clock: Clock = { now: () => now, sleep: () => Promise.resolve() };
  const market = new PaperMarket({ clock, seed: deriveSeed(seed, textStream(`${instrument.symbol}|${date}`)), instrument, startPrice, stepMs: 1000 });
  const rows: HistoryRow[] = [];
  for (let minute = 0; minute < SESSION_END - SESSION_START; minute++) {
    const start = market.quote().ltp;
    let high = start;
    let low = start;
    const off = market.onPrice((e) => {
      const p = market.grid.fromTicks(e.ltp);
      if (p > high) high = p;
      if (p < low) low = p;
    });
    now += 60_000;
    const close = market.ltpPrice();
    off();
    rows.push({ timestamp: Math.floor((open + minute * 60_000) / 1000), open: start, high, low, close, volume: instrument.lotSize * (50 + ((minute * 7) % 40)), oi: 0 });
  }
  return rows;
}

function aggregate(rows: readonly HistoryRow[], minutes: number): HistoryRow[] {
  const out: HistoryRow[] = [];
  for (let i = 0; i < rows.length; i += minutes) {
    const part = rows.slice(i, i + minutes);
    const first = part[0];
    const last = part[part.length - 1];
    if (!first || !last) continue;
    out.push({
      timestamp: first.timestamp,
      open: first.open,
      high: Math.max(...part.map((r) => r.high)),
      low: Math.min(...part.map((r) => r.low)),
      close: last.close,
      volume: part.reduce((a, r) => a + r.volume, 0),
      oi: 0,
    });
  }
  return out;
}

/** The bars of every trading day from `start` to `end` (YYYY-MM-DD, IST, inclusive). */
export function paperHistory(instrument: Instrument, seed: number, startPrice: number, interval: string, start: string, end: string, holiday: (date: string) => boolean): HistoryRow[] {
  const minutes = intervalMinutes(interval);
  if (minutes === null) throw new RangeError(`interval ${interval}`);
  const rows: HistoryRow[] = [];
  for (let ms = Date.parse(`${start}T00:00:00Z`); ms <= Date.parse(`${end}T00:00:00Z`); ms += 86_400_000) {
    const date = new Date(ms).toISOString().slice(0, 10);
    if (!tradingDay(date, holiday)) continue;
    rows.push(...aggregate(dayOfMinutes(instrument, seed, startPrice, date), minutes));
  }
  return rows;
}
