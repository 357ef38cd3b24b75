import { describeError } from '../broker/errors.js';
import type { Broker } from '../broker/types.js';
import type { Logger } from '../log/logger.js';
import type { AppStore } from '../store/store.js';
import type { Clock } from '../time/clock.js';
import { marketDayNote, resolveMarketDay, sessionsText, yearOf, type MarketDay } from '../time/market-calendar.js';
import { type TradingCalendar } from '../time/schedule.js';
import { formatIstTime } from '../time/ist.js';

// Asks the broker's exchange calendar what today is for the symbol's exchange, once at start and
// again when the IST day rolls, and tells the schedule (a holiday holds entries, a special
// session opens its own window). A server without the calendar routes means weekday rules,
// said once.

/** After a failed lookup, weekday rules apply and the lookup is tried again this much later. */
export const CALENDAR_RETRY_MS = 5 * 60_000;

export interface MarketDayDeps {
  broker: Broker;
  exchange: string;
  calendar: TradingCalendar;
  clock: Clock;
  log: Logger;
  store: AppStore;
  /** The day's answer changed what entries may do: re-evaluate the hold. */
  onChange: () => void;
}

export class MarketDayWatcher {
  /** The day whose answer is in (or known to be unavailable). */
  private known: string | null = null;
  private running: { day: string; done: Promise<void> } | null = null;
  private failed: { day: string; at: number } | null = null;
  private unsupportedSaid = false;

  constructor(private readonly deps: MarketDayDeps) {}

  /** Look `day` (YYYY-MM-DD, IST) up unless it is known, being looked up, or failed moments ago. */
  ensure(day: string): Promise<void> {
    if (this.known === day) return Promise.resolve();
    if (this.running?.day === day) return this.running.done;
    const f = this.failed;
    if (f && f.day === day && this.deps.clock.now() - f.at < CALENDAR_RETRY_MS) return Promise.resolve();
    const done = this.lookUp(day).finally(() => {
      if (this.running?.day === day) this.running = null;
    });
    this.running = { day, done };
    return done;
  }

  /** Why the calendar holds entries at `ms`, or null. */
  heldReason(ms: number): string | null {
    const day = this.deps.calendar.marketDay(ms);
    return day.kind === 'holiday' ? `trading holiday: ${day.name} (${this.deps.exchange} closed)` : null;
  }

  private async lookUp(day: string): Promise<void> {
    const { broker, exchange, log } = this.deps;
    try {
      const holidays = broker.marketHolidays ? await broker.marketHolidays(yearOf(day)) : null;
      if (holidays === null) {
        this.settle(day, { kind: 'regular' });
        if (!this.unsupportedSaid) {
          this.unsupportedSaid = true;
          log.warn('CALENDAR', `${broker.label} does not serve the exchange calendar (market/holidays; OpenAlgo since late 2025): holidays unknown, trading on weekdays only as configured`);
        }
        return;
      }
      const listed = holidays.some((h) => h.date === day && h.type !== 'SETTLEMENT_HOLIDAY');
      // The day's timings only matter on a listed day (whose sessions they confirm).
      const timings = listed && broker.marketTimings ? await broker.marketTimings(day).catch(() => null) : null;
      const answer = resolveMarketDay(day, exchange, holidays, timings);
      this.settle(day, answer);
      if (answer.kind === 'holiday') log.info('CALENDAR', `${day}: trading holiday for ${exchange} (${answer.name}): no entries today`);
      if (answer.kind === 'special') {
        const squareOff = this.deps.calendar.squareOffAt(answer.sessions[0]?.start ?? 0);
        log.info(
          'CALENDAR',
          `${day}: special session for ${exchange} (${answer.name}) ${sessionsText(answer.sessions)}: entries only inside SESSION_WINDOWS within it${squareOff !== null ? `, square-off ${formatIstTime(squareOff).slice(0, 5)}` : ''}`,
        );
      }
    } catch (err) {
      const first = this.failed === null;
      this.failed = { day, at: this.deps.clock.now() };
      this.deps.calendar.setMarketDay(day, { kind: 'regular' });
      if (first) log.warn('CALENDAR', `exchange calendar lookup failed (${describeError(err)}): weekday rules until it answers; trying again every ${CALENDAR_RETRY_MS / 60_000} min`);
    }
  }

  private settle(day: string, answer: MarketDay): void {
    this.known = day;
    this.failed = null;
    this.deps.calendar.setMarketDay(day, answer);
    this.deps.store.getState().marketDayChanged(marketDayNote(answer));
    this.deps.onChange();
  }
}
