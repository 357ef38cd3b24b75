import type { ExchangeSession, HolidayType, MarketHoliday } from '../../time/market-calendar.js';
import { IST_OFFSET_MS } from '../../time/ist.js';

// The paper market's exchange calendar, answering what OpenAlgo's market/holidays and
// market/timings answer. paper-server starts from a small built-in sample of NSE days; the
// in-process paper broker knows only what is configured (PAPER_HOLIDAYS), so the default paper
// run trades at any hour on any day.

export interface PaperCalendarDay {
  /** YYYY-MM-DD, IST. */
  date: string;
  name: string;
  type: HolidayType;
  /** A special session's hours, minutes since IST midnight. */
  session?: { start: number; end: number };
}

/**
 * A sample of 2026/2027 NSE days for paper-server: enough to see a holiday, a settlement holiday
 * (which trades normally) and a Muhurat session. Not the official list.
 */
export const BUILT_IN_PAPER_DAYS: readonly PaperCalendarDay[] = [
  { date: '2026-01-26', name: 'Republic Day', type: 'TRADING_HOLIDAY' },
  { date: '2026-02-19', name: 'Chhatrapati Shivaji Maharaj Jayanti', type: 'SETTLEMENT_HOLIDAY' },
  { date: '2026-04-03', name: 'Good Friday', type: 'TRADING_HOLIDAY' },
  { date: '2026-05-01', name: 'Maharashtra Day', type: 'TRADING_HOLIDAY' },
  { date: '2026-10-02', name: 'Mahatma Gandhi Jayanti', type: 'TRADING_HOLIDAY' },
  { date: '2026-11-08', name: 'Diwali Laxmi Pujan (Muhurat trading)', type: 'SPECIAL_SESSION', session: { start: 18 * 60 + 15, end: 19 * 60 + 15 } },
  { date: '2026-12-25', name: 'Christmas', type: 'TRADING_HOLIDAY' },
  { date: '2027-01-26', name: 'Republic Day', type: 'TRADING_HOLIDAY' },
  { date: '2027-03-26', name: 'Good Friday', type: 'TRADING_HOLIDAY' },
  { date: '2027-10-29', name: 'Diwali Laxmi Pujan (Muhurat trading)', type: 'SPECIAL_SESSION', session: { start: 18 * 60 + 15, end: 19 * 60 + 15 } },
];

/** Regular hours per exchange, minutes since IST midnight (OpenAlgo's seeded timings). */
const REGULAR_HOURS: Record<string, { start: number; end: number }> = {
  NSE: { start: 555, end: 930 },
  BSE: { start: 555, end: 930 },
  NFO: { start: 555, end: 940 },
  BFO: { start: 555, end: 940 },
  CDS: { start: 540, end: 1020 },
  BCD: { start: 540, end: 1020 },
  MCX: { start: 540, end: 1435 },
  NCO: { start: 540, end: 1435 },
};
const CLOSED_ON_HOLIDAYS = Object.keys(REGULAR_HOURS);
const CRYPTO_DAY = { start: 0, end: 24 * 60 };

export const PAPER_HOLIDAYS_FORMAT = 'YYYY-MM-DD[:name] for a holiday or YYYY-MM-DD@HH:MM-HH:MM[:name] for a special session, comma-separated';

const ENTRY = /^(\d{4}-\d{2}-\d{2})(?:@(\d{2}):(\d{2})-(\d{2}):(\d{2}))?(?::(.*))?$/;

function validDate(date: string): boolean {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}

/**
 * PAPER_HOLIDAYS / --holidays: "2026-12-01:Test holiday,2026-12-02@18:15-19:15:Muhurat".
 * Throws an Error naming the bad entry and the format.
 */
export function parsePaperHolidays(spec: string, field = 'PAPER_HOLIDAYS'): PaperCalendarDay[] {
  const days: PaperCalendarDay[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const m = ENTRY.exec(item);
    const date = m?.[1];
    if (!m || date === undefined || !validDate(date)) {
      throw new Error(`${field}: invalid entry ${JSON.stringify(item)}: expected ${PAPER_HOLIDAYS_FORMAT}`);
    }
    const name = (m[6] ?? '').trim();
    if (m[2] === undefined) {
      days.push({ date, name: name || 'Paper holiday', type: 'TRADING_HOLIDAY' });
      continue;
    }
    const start = Number(m[2]) * 60 + Number(m[3]);
    const end = Number(m[4]) * 60 + Number(m[5]);
    if (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 24 || Number(m[5]) > 59 || end > 24 * 60 || end <= start) {
      throw new Error(`${field}: invalid session hours in ${JSON.stringify(item)}: expected HH:MM-HH:MM with the end after the start`);
    }
    days.push({ date, name: name || 'Special session', type: 'SPECIAL_SESSION', session: { start, end } });
  }
  return days;
}

function midnightOf(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - IST_OFFSET_MS;
}

function sessionOn(date: string, exchange: string, hours: { start: number; end: number }): ExchangeSession {
  const midnight = midnightOf(date);
  return { exchange, start: midnight + hours.start * 60_000, end: midnight + hours.end * 60_000 };
}

export class PaperCalendar {
  private readonly byDate = new Map<string, PaperCalendarDay>();

  /** Later entries win over earlier ones for the same date (configured over built-in). */
  constructor(days: readonly PaperCalendarDay[] = []) {
    for (const d of days) this.byDate.set(d.date, d);
  }

  /** The built-in sample plus configured days (which win on the same date). */
  static withBuiltIns(configured: readonly PaperCalendarDay[] = []): PaperCalendar {
    return new PaperCalendar([...BUILT_IN_PAPER_DAYS, ...configured]);
  }

  /** OpenAlgo's market/holidays rows for a year. */
  holidays(year: number): MarketHoliday[] {
    return [...this.byDate.values()]
      .filter((d) => d.date.startsWith(`${year}-`))
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((d) => ({
        date: d.date,
        description: d.name,
        type: d.type,
        closedExchanges: d.type === 'TRADING_HOLIDAY' ? [...CLOSED_ON_HOLIDAYS] : [],
        openExchanges: d.type === 'SPECIAL_SESSION' && d.session ? CLOSED_ON_HOLIDAYS.map((e) => sessionOn(d.date, e, d.session as { start: number; end: number })) : [],
      }));
  }

  /** OpenAlgo's market/timings rows for a day: who trades, and when. */
  timings(date: string): ExchangeSession[] {
    const crypto = sessionOn(date, 'CRYPTO', CRYPTO_DAY);
    const day = this.byDate.get(date);
    if (day?.type === 'TRADING_HOLIDAY') return [crypto];
    if (day?.type === 'SPECIAL_SESSION' && day.session) {
      const hours = day.session;
      return [...CLOSED_ON_HOLIDAYS.map((e) => sessionOn(date, e, hours)), crypto];
    }
    const weekday = new Date(Date.parse(`${date}T00:00:00Z`)).getUTCDay();
    if (weekday === 0 || weekday === 6) return [crypto];
    return [...Object.entries(REGULAR_HOURS).map(([e, hours]) => sessionOn(date, e, hours)), crypto];
  }
}
