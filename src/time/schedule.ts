import type { Interval, TimeWindow } from '../config/schema.js';
import type { SessionState } from '../store/types.js';
import type { MarketDay } from './market-calendar.js';
import { istParts } from './ist.js';

const DAY_MS = 86_400_000;

// The strategy's calendar: bars, trading windows, square-off and market days, in IST (./ist.ts).

export interface ScheduleConfig {
  interval: Interval;
  windows: TimeWindow[];
  squareOffEnabled: boolean;
  /** Minute of day, IST. */
  squareOffMinute: number;
  tradeWeekends: boolean;
}

/** On a special session whose hours miss SQUARE_OFF_TIME, square off this long before it ends. */
export const SPECIAL_SQUARE_OFF_LEAD_MS = 15 * 60_000;
/** Days of exchange-calendar answers kept (today, and a day either side across midnight). */
const MARKET_DAYS_KEPT = 4;
const REGULAR: MarketDay = { kind: 'regular' };

/** A span in ms since IST midnight, start inclusive, end exclusive. */
interface DaySpan {
  start: number;
  end: number;
}

export class TradingCalendar {
  private readonly days = new Map<string, MarketDay>();

  constructor(private readonly cfg: ScheduleConfig) {}

  /** The exchange calendar's answer for an IST day (YYYY-MM-DD); a day never set is regular. */
  setMarketDay(day: string, marketDay: MarketDay): void {
    this.days.delete(day);
    this.days.set(day, marketDay);
    while (this.days.size > MARKET_DAYS_KEPT) {
      const oldest = this.days.keys().next().value;
      if (oldest === undefined) break;
      this.days.delete(oldest);
    }
  }

  /** What the day of `ms` is by the exchange calendar (regular when nothing is known). */
  marketDay(ms: number): MarketDay {
    return this.days.get(istParts(ms).day) ?? REGULAR;
  }

  isTradingDay(ms: number): boolean {
    const day = this.marketDay(ms);
    if (day.kind === 'holiday') return false;
    // A special session (Muhurat trading) opens its window even on a weekend.
    if (day.kind === 'special') return true;
    const { weekday } = istParts(ms);
    return this.cfg.tradeWeekends || (weekday !== 0 && weekday !== 6);
  }

  /**
   * Entry windows of the day of `ms`, ms since IST midnight: SESSION_WINDOWS, cut to the
   * exchange's hours on a special-session day.
   */
  private windowsOn(ms: number): DaySpan[] {
    const windows = this.cfg.windows.map((w) => ({ start: w.start * 60_000, end: w.end * 60_000 }));
    const day = this.marketDay(ms);
    if (day.kind !== 'special') return windows;
    const { midnight } = istParts(ms);
    const cut: DaySpan[] = [];
    for (const w of windows) {
      for (const s of day.sessions) {
        const start = Math.max(w.start, s.start - midnight);
        const end = Math.min(w.end, s.end - midnight);
        if (end > start) cut.push({ start, end });
      }
    }
    return cut.sort((a, b) => a.start - b.start);
  }

  /** Epoch ms of today's square-off, or null when square-off is off. */
  squareOffAt(ms: number): number | null {
    if (!this.cfg.squareOffEnabled) return null;
    const configured = istParts(ms).midnight + this.cfg.squareOffMinute * 60_000;
    const day = this.marketDay(ms);
    if (day.kind !== 'special' || day.sessions.length === 0) return configured;
    const first = Math.min(...day.sessions.map((s) => s.start));
    const last = Math.max(...day.sessions.map((s) => s.end));
    // SQUARE_OFF_TIME inside the special session stands; otherwise it would fall before the
    // session opens (15:15 on a Muhurat evening) and no entry could follow.
    if (configured >= first && configured < last) return configured;
    return Math.max(first, last - SPECIAL_SQUARE_OFF_LEAD_MS);
  }

  /** Inside an entry window (start inclusive, end exclusive) on a trading day. */
  inWindow(ms: number): boolean {
    if (!this.isTradingDay(ms)) return false;
    const { msOfDay } = istParts(ms);
    return this.windowsOn(ms).some((w) => msOfDay >= w.start && msOfDay < w.end);
  }

  /** May an entry be sent at `ms` (a bar open)? Inside a window and before square-off. */
  entryAllowedAt(ms: number): boolean {
    if (!this.inWindow(ms)) return false;
    const squareOff = this.squareOffAt(ms);
    return squareOff === null || ms < squareOff;
  }

  /** The next bar close strictly after `ms`. Bars are aligned to IST midnight. */
  nextBarClose(ms: number): number {
    const interval = this.cfg.interval;
    if (interval.kind === 'daily') return this.nextDailyOpen(ms);
    const { midnight, msOfDay } = istParts(ms);
    const next = (Math.floor(msOfDay / interval.ms) + 1) * interval.ms;
    // A bar never spans midnight: the last bar of the day closes at midnight.
    return midnight + Math.min(next, DAY_MS);
  }

  /** Daily bars: the "close" that queues an entry is the day's first window start. */
  private nextDailyOpen(ms: number): number {
    const fallback = this.cfg.windows[0]?.start ?? 0;
    let midnight = istParts(ms).midnight;
    for (let i = 0; i < 10; i++) {
      const first = this.windowsOn(midnight)[0];
      const at = midnight + (first ? first.start : fallback * 60_000);
      if (first && at > ms && this.isTradingDay(at)) return at;
      midnight += DAY_MS;
    }
    return midnight + fallback * 60_000;
  }

  session(ms: number, squaredOffToday: boolean): SessionState {
    if (this.marketDay(ms).kind === 'holiday') return 'holiday';
    if (!this.isTradingDay(ms)) return 'weekend';
    if (squaredOffToday) return 'squared_off';
    const { msOfDay } = istParts(ms);
    const squareOff = this.squareOffAt(ms);
    if (squareOff !== null && ms >= squareOff) return 'after_session';
    if (this.inWindow(ms)) return 'in_session';
    const windows = this.windowsOn(ms);
    const first = windows[0];
    const last = windows[windows.length - 1];
    if (!first || !last) {
      // A special session whose hours miss every entry window: before or after its hours.
      const day = this.marketDay(ms);
      const opens = day.kind === 'special' ? Math.min(...day.sessions.map((s) => s.start)) : Number.POSITIVE_INFINITY;
      return ms < opens ? 'before_session' : 'after_session';
    }
    if (msOfDay < first.start) return 'before_session';
    if (msOfDay >= last.end) return 'after_session';
    return 'between_windows';
  }
}
