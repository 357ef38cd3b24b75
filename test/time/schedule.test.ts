import { describe, expect, it } from 'vitest';
import { TradingCalendar } from '../../src/time/schedule.js';
import { istParts, formatIstTime } from '../../src/time/ist.js';

// The machine's zone must not matter: run these as a New York machine would.
process.env.TZ = 'America/New_York';

// Epoch ms for an IST wall time.
const ist = (iso: string): number => Date.parse(`${iso}+05:30`);

const live = new TradingCalendar({
  interval: { kind: 'seconds', ms: 5 * 60_000 },
  windows: [{ start: 9 * 60 + 20, end: 15 * 60 + 15 }],
  squareOffEnabled: true,
  squareOffMinute: 15 * 60 + 15,
  tradeWeekends: false,
});

describe('the IST schedule', () => {
  it('is Asia/Kolkata whatever the machine zone (TZ=America/New_York)', () => {
    expect(new Date(ist('2026-11-24T09:20:00')).getHours()).not.toBe(9); // the machine really is elsewhere
    const t = ist('2026-11-24T09:20:00');
    expect(formatIstTime(t)).toBe('09:20:00');
    expect(istParts(t).day).toBe('2026-11-24');
    expect(istParts(ist('2026-11-24T23:59:59')).day).toBe('2026-11-24');
    expect(istParts(ist('2026-11-25T00:00:00')).day).toBe('2026-11-25');
  });

  it('closes 5-minute bars on the IST grid', () => {
    expect(live.nextBarClose(ist('2026-11-24T09:21:10'))).toBe(ist('2026-11-24T09:25:00'));
    expect(live.nextBarClose(ist('2026-11-24T09:25:00'))).toBe(ist('2026-11-24T09:30:00'));
  });

  it('allows entries only inside windows, before square-off, on weekdays', () => {
    expect(live.entryAllowedAt(ist('2026-11-24T09:19:59'))).toBe(false);
    expect(live.entryAllowedAt(ist('2026-11-24T09:20:00'))).toBe(true);
    expect(live.entryAllowedAt(ist('2026-11-24T15:10:00'))).toBe(true);
    expect(live.entryAllowedAt(ist('2026-11-24T15:15:00'))).toBe(false);
    expect(live.entryAllowedAt(ist('2026-11-28T10:00:00'))).toBe(false); // Saturday
    expect(live.session(ist('2026-11-29T10:00:00'), false)).toBe('weekend');
    expect(live.session(ist('2026-11-24T08:00:00'), false)).toBe('before_session');
    expect(live.session(ist('2026-11-24T10:00:00'), false)).toBe('in_session');
    expect(live.session(ist('2026-11-24T15:20:00'), false)).toBe('after_session');
  });

  it('square-off is 15:15 IST', () => {
    expect(live.squareOffAt(ist('2026-11-24T11:00:00'))).toBe(ist('2026-11-24T15:15:00'));
  });

  it('daily bars queue the entry at the first window of the next trading day', () => {
    const daily = new TradingCalendar({ interval: { kind: 'daily' }, windows: [{ start: 9 * 60 + 20, end: 15 * 60 }], squareOffEnabled: true, squareOffMinute: 915, tradeWeekends: false });
    expect(daily.nextBarClose(ist('2026-11-24T10:00:00'))).toBe(ist('2026-11-25T09:20:00'));
    expect(daily.nextBarClose(ist('2026-11-27T10:00:00'))).toBe(ist('2026-11-30T09:20:00')); // Fri → Mon
  });
});
