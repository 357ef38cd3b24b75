import type { Interval, TimeWindow } from '../config/schema.js';
import type { SessionState } from '../store/types.js';

// The strategy's calendar in Asia/Kolkata. IST is UTC+05:30 all year (no DST), so local time is
// plain offset arithmetic on the injected clock, whatever zone the machine is in.

export const IST_OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;

export interface IstParts {
  /** YYYY-MM-DD in IST. */
  day: string;
  /** Milliseconds since IST midnight. */
  msOfDay: number;
  minuteOfDay: number;
  /** 0 Sunday … 6 Saturday, in IST. */
  weekday: number;
  /** Epoch ms of this IST day's midnight. */
  midnight: number;
}

export function istParts(ms: number): IstParts {
  const local = ms + IST_OFFSET_MS;
  const msOfDay = ((local % DAY_MS) + DAY_MS) % DAY_MS;
  const midnightLocal = local - msOfDay;
  const d = new Date(midnightLocal);
  return {
    day: d.toISOString().slice(0, 10),
    msOfDay,
    minuteOfDay: Math.floor(msOfDay / 60_000),
    weekday: d.getUTCDay(),
    midnight: midnightLocal - IST_OFFSET_MS,
  };
}

export function formatIstTime(ms: number): string {
  return new Date(ms + IST_OFFSET_MS).toISOString().slice(11, 19);
}

export function formatIstDateTime(ms: number): string {
  const iso = new Date(ms + IST_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} IST`;
}

export interface ScheduleConfig {
  interval: Interval;
  windows: TimeWindow[];
  squareOffEnabled: boolean;
  /** Minute of day, IST. */
  squareOffMinute: number;
  tradeWeekends: boolean;
}

export class TradingCalendar {
  constructor(private readonly cfg: ScheduleConfig) {}

  isTradingDay(ms: number): boolean {
    const { weekday } = istParts(ms);
    return this.cfg.tradeWeekends || (weekday !== 0 && weekday !== 6);
  }

  /** Epoch ms of today's square-off, or null when square-off is off. */
  squareOffAt(ms: number): number | null {
    if (!this.cfg.squareOffEnabled) return null;
    return istParts(ms).midnight + this.cfg.squareOffMinute * 60_000;
  }

  /** Inside an entry window (start inclusive, end exclusive) on a trading day. */
  inWindow(ms: number): boolean {
    if (!this.isTradingDay(ms)) return false;
    const { msOfDay } = istParts(ms);
    return this.cfg.windows.some((w) => msOfDay >= w.start * 60_000 && msOfDay < w.end * 60_000);
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
    const first = this.cfg.windows[0]?.start ?? 0;
    let midnight = istParts(ms).midnight;
    for (let i = 0; i < 10; i++) {
      const at = midnight + first * 60_000;
      if (at > ms && this.isTradingDay(at)) return at;
      midnight += DAY_MS;
    }
    return midnight + first * 60_000;
  }

  session(ms: number, squaredOffToday: boolean): SessionState {
    if (!this.isTradingDay(ms)) return 'weekend';
    if (squaredOffToday) return 'squared_off';
    const { msOfDay } = istParts(ms);
    const squareOff = this.squareOffAt(ms);
    if (squareOff !== null && ms >= squareOff) return 'after_session';
    if (this.inWindow(ms)) return 'in_session';
    const minutes = msOfDay / 60_000;
    const first = this.cfg.windows[0];
    const last = this.cfg.windows[this.cfg.windows.length - 1];
    if (first && minutes < first.start) return 'before_session';
    if (last && minutes >= last.end) return 'after_session';
    return 'between_windows';
  }
}
