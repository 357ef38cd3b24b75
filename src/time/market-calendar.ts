import { formatIstTime } from './ist.js';

// The exchange calendar as OpenAlgo serves it (POST /api/v1/market/holidays and
// /api/v1/market/timings), reduced to what one trading day means for one exchange: a regular
// day (weekday rules apply), a trading holiday (no entries), or a special session (Muhurat
// trading) that opens its own window.

export type HolidayType = 'TRADING_HOLIDAY' | 'SETTLEMENT_HOLIDAY' | 'SPECIAL_SESSION';

/** One exchange's session: epoch ms, start inclusive, end exclusive. */
export interface ExchangeSession {
  exchange: string;
  start: number;
  end: number;
}

/** One row of the holiday list. */
export interface MarketHoliday {
  /** YYYY-MM-DD, IST. */
  date: string;
  description: string;
  type: HolidayType;
  closedExchanges: string[];
  /** Sessions that run anyway that day (MCX's evening on an NSE holiday, Muhurat trading). */
  openExchanges: ExchangeSession[];
}

/** What one IST day is for one exchange. */
export type MarketDay =
  | { kind: 'regular' }
  | { kind: 'holiday'; name: string }
  | { kind: 'special'; name: string; sessions: { start: number; end: number }[] };

/** The calendar lists the cash/derivative segment names; index symbols trade on their parent's hours. */
export function calendarExchange(exchange: string): string {
  const upper = exchange.trim().toUpperCase();
  const parent: Record<string, string> = { NSE_INDEX: 'NSE', BSE_INDEX: 'BSE', MCX_INDEX: 'MCX' };
  return parent[upper] ?? upper;
}

/**
 * The day `date` for `exchange`, from the year's holiday list and (when the server has it) the
 * day's timings. Settlement holidays trade normally. A trading holiday or special session that
 * leaves a session open for the exchange is a special day with those sessions; a trading
 * holiday that closes it (or lists it closed) is a holiday.
 */
export function resolveMarketDay(
  date: string,
  exchange: string,
  holidays: readonly MarketHoliday[],
  timings: readonly ExchangeSession[] | null,
): MarketDay {
  const ex = calendarExchange(exchange);
  const row = holidays.find((h) => h.date === date && h.type !== 'SETTLEMENT_HOLIDAY');
  if (!row) return { kind: 'regular' };
  const name = row.description.trim() || (row.type === 'SPECIAL_SESSION' ? 'special session' : 'trading holiday');
  // The day's own timings are the server's answer for that date; the holiday row's open
  // sessions stand in when the server has no timings route.
  const sessions = (timings ?? row.openExchanges)
    .filter((s) => calendarExchange(s.exchange) === ex && s.end > s.start)
    .map((s) => ({ start: s.start, end: s.end }))
    .sort((a, b) => a.start - b.start);
  if (sessions.length > 0) return { kind: 'special', name, sessions };
  const closed = row.closedExchanges.some((e) => calendarExchange(e) === ex);
  if (row.type === 'TRADING_HOLIDAY' || closed) return { kind: 'holiday', name };
  // A special session for other exchanges only: a regular day here.
  return { kind: 'regular' };
}

/** "18:15–19:15" (IST) for a special day's sessions. */
export function sessionsText(sessions: readonly { start: number; end: number }[]): string {
  return sessions.map((s) => `${formatIstTime(s.start).slice(0, 5)}–${formatIstTime(s.end).slice(0, 5)}`).join(', ');
}

/** The header's note for a day, or null on a regular day. */
export function marketDayNote(day: MarketDay): string | null {
  if (day.kind === 'holiday') return `HOLIDAY: ${day.name} — no entries today`;
  if (day.kind === 'special') return `SPECIAL SESSION ${sessionsText(day.sessions)}`;
  return null;
}

/** The IST year of a YYYY-MM-DD day. */
export function yearOf(day: string): number {
  return Number(day.slice(0, 4));
}
