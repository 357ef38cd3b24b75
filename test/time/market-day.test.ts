import { describe, expect, it } from 'vitest';
import { marketDayNote, resolveMarketDay, type MarketHoliday } from '../../src/time/market-calendar.js';
import { defaultPaperSymbol, lastTuesday, nearMonthExpiry } from '../../src/time/expiry.js';
import { TradingCalendar } from '../../src/time/schedule.js';

process.env.TZ = 'America/New_York';
const ist = (iso: string): number => Date.parse(`${iso}+05:30`);

const live = (): TradingCalendar =>
  new TradingCalendar({
    interval: { kind: 'seconds', ms: 60_000 },
    windows: [{ start: 9 * 60 + 20, end: 15 * 60 + 15 }, { start: 18 * 60, end: 19 * 60 + 30 }],
    squareOffEnabled: true,
    squareOffMinute: 15 * 60 + 15,
    tradeWeekends: false,
  });

const muhurat: MarketHoliday = {
  date: '2026-11-08', description: 'Diwali', type: 'SPECIAL_SESSION', closedExchanges: [],
  openExchanges: [{ exchange: 'NSE', start: ist('2026-11-08T18:15:00'), end: ist('2026-11-08T19:15:00') }],
};

describe('what a day is for one exchange', () => {
  it('holiday, special session, settlement, other exchanges, index symbols', () => {
    const holiday: MarketHoliday = { date: '2026-12-25', description: 'Christmas', type: 'TRADING_HOLIDAY', closedExchanges: ['NSE', 'NFO'], openExchanges: [{ exchange: 'MCX', start: ist('2026-12-25T17:00:00'), end: ist('2026-12-25T23:55:00') }] };
    expect(resolveMarketDay('2026-12-25', 'NFO', [holiday], null)).toEqual({ kind: 'holiday', name: 'Christmas' });
    expect(resolveMarketDay('2026-12-25', 'MCX', [holiday], null)).toEqual({ kind: 'special', name: 'Christmas', sessions: [{ start: ist('2026-12-25T17:00:00'), end: ist('2026-12-25T23:55:00') }] });
    expect(resolveMarketDay('2026-11-08', 'NSE_INDEX', [muhurat], null).kind).toBe('special');
    // The day's own timings win over the holiday row.
    expect(resolveMarketDay('2026-11-08', 'NSE', [muhurat], [])).toEqual({ kind: 'regular' });
    expect(resolveMarketDay('2026-11-09', 'NSE', [muhurat], null)).toEqual({ kind: 'regular' });
    expect(resolveMarketDay('2026-02-19', 'NSE', [{ date: '2026-02-19', description: 's', type: 'SETTLEMENT_HOLIDAY', closedExchanges: ['NSE'], openExchanges: [] }], null)).toEqual({ kind: 'regular' });
    expect(marketDayNote({ kind: 'holiday', name: 'Christmas' })).toBe('HOLIDAY: Christmas — no entries today');
    expect(marketDayNote(resolveMarketDay('2026-11-08', 'NSE', [muhurat], null))).toBe('SPECIAL SESSION 18:15–19:15');
  });
});

describe('the schedule on calendar days', () => {
  it('a holiday is no trading day and its session word is holiday', () => {
    const cal = live();
    cal.setMarketDay('2026-11-24', { kind: 'holiday', name: 'x' });
    expect(cal.entryAllowedAt(ist('2026-11-24T10:00:00'))).toBe(false);
    expect(cal.session(ist('2026-11-24T10:00:00'), false)).toBe('holiday');
    expect(cal.entryAllowedAt(ist('2026-11-25T10:00:00'))).toBe(true);
  });

  it('a special session on a Sunday: windows cut to its hours, square-off 15 min before its end', () => {
    const cal = live();
    cal.setMarketDay('2026-11-08', resolveMarketDay('2026-11-08', 'NSE', [muhurat], null));
    expect(cal.entryAllowedAt(ist('2026-11-08T18:10:00'))).toBe(false);
    expect(cal.entryAllowedAt(ist('2026-11-08T18:15:00'))).toBe(true);
    expect(cal.entryAllowedAt(ist('2026-11-08T18:59:00'))).toBe(true);
    expect(cal.entryAllowedAt(ist('2026-11-08T19:00:00'))).toBe(false);
    expect(cal.entryAllowedAt(ist('2026-11-08T10:00:00'))).toBe(false);
    expect(cal.squareOffAt(ist('2026-11-08T12:00:00'))).toBe(ist('2026-11-08T19:00:00'));
    expect(cal.session(ist('2026-11-08T17:00:00'), false)).toBe('before_session');
    expect(cal.session(ist('2026-11-08T18:30:00'), false)).toBe('in_session');
    expect(cal.session(ist('2026-11-08T19:05:00'), false)).toBe('after_session');
    // An ordinary Sunday stays closed.
    expect(cal.isTradingDay(ist('2026-11-15T18:30:00'))).toBe(false);
  });
});

describe('the paper instrument follows the calendar', () => {
  it("NIFTY's monthly expiry is the month's last Tuesday; after it, next month's", () => {
    expect(lastTuesday(2026, 11)).toBe('2026-12-29');
    expect(lastTuesday(2026, 1)).toBe('2026-02-24');
    expect(nearMonthExpiry(ist('2026-12-29T15:00:00'))).toBe('2026-12-29');
    expect(nearMonthExpiry(ist('2026-12-30T09:00:00'))).toBe('2027-01-26');
    expect(defaultPaperSymbol(ist('2026-12-02T03:00:00'))).toBe('NIFTY29DEC2625000CE');
    expect(defaultPaperSymbol(ist('2027-01-27T10:00:00'))).toBe('NIFTY23FEB2725000CE');
  });
});
