import { istParts } from './ist.js';

// NSE's monthly index-option expiry, for a paper instrument that looks current: since
// September 2025 NIFTY's monthly contracts expire on the month's last Tuesday. (An exchange
// holiday moves a real expiry a day earlier; a paper symbol does not need that.)

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const TUESDAY = 2;

/** The last Tuesday of a month (month 0–11), as YYYY-MM-DD. */
export function lastTuesday(year: number, month: number): string {
  const last = new Date(Date.UTC(year, month + 1, 0));
  const back = (last.getUTCDay() - TUESDAY + 7) % 7;
  last.setUTCDate(last.getUTCDate() - back);
  return last.toISOString().slice(0, 10);
}

/** The nearest monthly expiry on or after the IST day of `ms`. */
export function nearMonthExpiry(ms: number): string {
  const today = istParts(ms).day;
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7)) - 1;
  const thisMonth = lastTuesday(year, month);
  return today <= thisMonth ? thisMonth : lastTuesday(month === 11 ? year + 1 : year, (month + 1) % 12);
}

/** OpenAlgo's option symbol: NIFTY + DDMMMYY + strike + CE/PE, e.g. NIFTY29DEC2625000CE. */
export function optionSymbol(underlying: string, expiry: string, strike: number, type: 'CE' | 'PE'): string {
  const [yyyy, mm, dd] = expiry.split('-');
  return `${underlying}${dd}${MONTHS[Number(mm) - 1]}${(yyyy ?? '').slice(2)}${strike}${type}`;
}

/** The paper market's default instrument: the near-month NIFTY 25000 call at `ms`. */
export function defaultPaperSymbol(ms: number): string {
  return optionSymbol('NIFTY', nearMonthExpiry(ms), 25000, 'CE');
}
