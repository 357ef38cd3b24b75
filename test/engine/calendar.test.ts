import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../src/broker/errors.js';
import { PaperCalendar, parsePaperHolidays } from '../../src/broker/paper/calendar.js';
import type { Broker } from '../../src/broker/types.js';
import { formatIstTime } from '../../src/time/ist.js';
import { ist, scenario, settings } from './harness.js';

process.env.TZ = 'America/New_York';

const calendar = (spec: string): PaperCalendar => new PaperCalendar(parsePaperHolidays(spec));
/** Slow polls for runs that cross midnight: the point is the day roll, not the loops. */
const slowPolls = { quotePollMs: 60_000, ocoPollMs: 60_000, reconcileMs: 600_000 };
const count = (lines: string[], text: string): number => lines.filter((l) => l.includes(text)).length;

/** The broker with some methods replaced (undefined removes one), everything else as it is. */
function override(broker: Broker, methods: Partial<Record<keyof Broker, unknown>>): Broker {
  return new Proxy(broker, {
    get(target, prop, _receiver) {
      if (prop in methods) return methods[prop as keyof Broker];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** An OpenAlgo server older than late 2025: no calendar routes. */
const withoutCalendar = (broker: Broker): Broker => override(broker, { marketHolidays: undefined, marketTimings: undefined });

describe('exchange calendar: trading holidays', () => {
  it('a holiday for the exchange holds every entry all day, says why, and the next day trades again', async () => {
    const s = await scenario({ start: '2026-11-24T14:00:00', calendar: calendar('2026-11-24:Guru Nanak Jayanti'), settings: slowPolls });
    await s.clock.advance(30 * 60_000);
    expect(s.broker.placedOrders).toHaveLength(0);
    const st = s.store.getState();
    expect(st.entriesHeld).toBe('trading holiday: Guru Nanak Jayanti (NFO closed)');
    expect(st.marketDayNote).toBe('HOLIDAY: Guru Nanak Jayanti — no entries today');
    expect(st.session).toBe('holiday');
    expect(count(s.logs(), '[CALENDAR] 2026-11-24: trading holiday for NFO (Guru Nanak Jayanti)')).toBe(1);
    // Across midnight into a regular day: looked up again, entries resume at 09:20.
    await s.clock.advanceUntil(() => s.broker.placedOrders.length > 0, 20 * 3_600_000, 60_000);
    expect(formatIstTime(s.broker.placedOrders[0]?.at ?? 0)).toBe('09:20:00');
    expect(s.store.getState().marketDayNote).toBeNull();
    expect(s.broker.receivedCalls.marketHolidays).toBe(2);
  });

  it('a settlement holiday trades normally', async () => {
    const s = await scenario({ calendar: new PaperCalendar([{ date: '2026-11-24', name: 'Clearing holiday', type: 'SETTLEMENT_HOLIDAY' }]) });
    await s.clock.advanceUntil(() => s.broker.placedOrders.length > 0, 5 * 60_000);
    expect(s.store.getState().marketDayNote).toBeNull();
  });

  it('the paper default (no holidays configured, weekends allowed) trades on a Sunday night', async () => {
    const s = await scenario({
      start: '2026-11-29T23:00:00',
      calendar: new PaperCalendar(),
      settings: { schedule: { ...settings().schedule, windows: [{ start: 0, end: 23 * 60 + 59 }], squareOffMinute: 23 * 60 + 59, tradeWeekends: true } },
    });
    await s.clock.advanceUntil(() => s.broker.placedOrders.length > 0, 5 * 60_000);
    expect(s.broker.placedOrders.length).toBeGreaterThan(0);
    expect(s.store.getState().marketDayNote).toBeNull();
  });
});

describe('exchange calendar: special sessions', () => {
  const evening = { ...settings().schedule, windows: [{ start: 9 * 60 + 20, end: 15 * 60 + 15 }, { start: 18 * 60, end: 19 * 60 + 30 }] };

  it('Muhurat trading on a Sunday opens 18:15–19:15 cut to SESSION_WINDOWS, and squares off before it ends', async () => {
    const s = await scenario({
      start: '2026-11-08T17:50:00',
      calendar: calendar('2026-11-08@18:15-19:15:Diwali Muhurat'),
      settings: { schedule: evening },
    });
    expect(s.store.getState().marketDayNote).toBe('SPECIAL SESSION 18:15–19:15');
    expect(s.store.getState().session).toBe('before_session');
    await s.clock.advanceUntil(() => s.broker.placedOrders.length > 0, 60 * 60_000, 1_000);
    // 18:15 is the first bar close inside both the session and a window: its entry goes out then.
    expect(formatIstTime(s.broker.placedOrders[0]?.at ?? 0)).toBe('18:15:00');
    // Square-off: SQUARE_OFF_TIME 15:15 misses the session, so 15 minutes before its end.
    await s.clock.advanceUntil(() => s.logs().some((l) => l.includes('square-off time')), 2 * 3_600_000, 1_000);
    expect(formatIstTime(s.clock.now())).toMatch(/^19:00/);
    const after = s.broker.placedOrders.filter((o) => o.at > ist('2026-11-08T19:00:30') && o.request.action === 'BUY');
    expect(after).toHaveLength(0);
    expect(s.logs().some((l) => l.includes('special session for NFO (Diwali Muhurat) 18:15–19:15') && l.includes('square-off 19:00'))).toBe(true);
  });

  it('with SESSION_WINDOWS that miss the special session, nothing is entered', async () => {
    const s = await scenario({ start: '2026-11-08T17:50:00', calendar: calendar('2026-11-08@18:15-19:15:Muhurat'), settings: slowPolls });
    await s.clock.advance(2 * 3_600_000);
    expect(s.broker.placedOrders).toHaveLength(0);
  });
});

describe('exchange calendar: servers without it', () => {
  it('an older server without the routes: weekday rules, one warning for the whole run', async () => {
    const s = await scenario({ start: '2026-11-24T15:00:00', wrap: withoutCalendar, settings: slowPolls });
    await s.clock.advance(20 * 3_600_000);
    expect(s.broker.placedOrders.length).toBeGreaterThan(0);
    expect(count(s.logs(), 'does not serve the exchange calendar')).toBe(1);
    expect(s.store.getState().marketDayNote).toBeNull();
  });

  it('a failing lookup means weekday rules, is said once, and is tried again later', async () => {
    let failures = 0;
    const s = await scenario({
      calendar: calendar('2026-11-24:Test holiday'),
      wrap: (broker) => {
        const real = broker.marketHolidays?.bind(broker);
        return override(broker, {
          marketHolidays: async (year: number) => {
            if (failures < 3) {
              failures++;
              throw new BrokerError('server', 'market/holidays: HTTP 502');
            }
            return real ? real(year) : null;
          },
        });
      },
    });
    // Until it answers, the day counts as regular: the 09:20 entry goes out.
    await s.clock.advanceUntil(() => s.broker.placedOrders.length > 0, 5 * 60_000);
    expect(count(s.logs(), 'exchange calendar lookup failed')).toBe(1);
    // Retried every 5 minutes: the third retry answers and the holiday holds entries from then on.
    await s.clock.advance(16 * 60_000);
    expect(failures).toBe(3);
    expect(s.store.getState().marketDayNote).toBe('HOLIDAY: Test holiday — no entries today');
    expect(count(s.logs(), 'exchange calendar lookup failed')).toBe(1);
  });
});
