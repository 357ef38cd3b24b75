import { describeError } from '../broker/errors.js';
import type { Broker } from '../broker/types.js';
import { calendarExchange, resolveMarketDay, sessionsText } from '../time/market-calendar.js';
import { istParts } from '../time/ist.js';
import type { DoctorRow } from './doctor-row.js';

// doctor's calendar row: is today a trading day for the symbol's exchange, and its hours, from
// the server's own calendar (POST /api/v1/market/holidays and market/timings) — the same
// reading the engine makes at start.

export async function calendarRow(
  broker: Pick<Broker, 'marketHolidays' | 'marketTimings'>,
  exchange: string,
  now: number,
  tradeWeekends: boolean,
): Promise<DoctorRow> {
  const today = istParts(now).day;
  const ex = calendarExchange(exchange);
  let holidays;
  let timings;
  try {
    holidays = (await broker.marketHolidays?.(Number(today.slice(0, 4)))) ?? null;
    timings = (await broker.marketTimings?.(today)) ?? null;
  } catch (err) {
    return { check: 'calendar', status: 'warn', figure: `could not read the exchange calendar: ${describeError(err)}`, advice: 'the bot then trades weekdays inside SESSION_WINDOWS; check the exchange holiday list yourself' };
  }
  if (holidays === null) {
    return { check: 'calendar', status: 'warn', figure: 'this server has no calendar routes (an older OpenAlgo): Monday–Friday assumed', advice: 'update OpenAlgo (market/holidays and market/timings since late 2025) so holidays hold entries by themselves' };
  }
  const day = resolveMarketDay(today, ex, holidays, timings);
  if (day.kind === 'holiday') {
    return { check: 'calendar', status: 'warn', figure: `${today} is a trading holiday on ${ex}: ${day.name} — no entries today`, advice: 'nothing to fix: the bot holds entries all day; start it again on the next trading day' };
  }
  if (day.kind === 'special') {
    return { check: 'calendar', status: 'ok', figure: `${today}: SPECIAL SESSION ${sessionsText(day.sessions)} on ${ex} (${day.name}); entries only inside it and SESSION_WINDOWS` };
  }
  const weekday = new Date(`${today}T00:00:00Z`).getUTCDay();
  const hours = (timings ?? []).filter((s) => calendarExchange(s.exchange) === ex && s.end > s.start);
  if ((weekday === 0 || weekday === 6) && !tradeWeekends && hours.length === 0) {
    return { check: 'calendar', status: 'warn', figure: `${today} is a ${weekday === 0 ? 'Sunday' : 'Saturday'}: no session on ${ex}`, advice: 'nothing to fix: no entries today' };
  }
  return { check: 'calendar', status: 'ok', figure: `${today} is a trading day on ${ex}${hours.length ? `, hours ${sessionsText(hours)} IST` : ''}` };
}
