// Time in Asia/Kolkata, the exchange's zone. IST is UTC+05:30 all year (no DST), so local time is
// plain offset arithmetic on the injected clock, whatever zone the machine is in. Imports nothing:
// every layer (store, broker types, the calendar) may use it without a cycle.

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

/** The last day istParts formatted: the schedule asks about the same day thousands of times. */
let cachedMidnight = Number.NaN;
let cachedDay = '';
let cachedWeekday = 0;

export function istParts(ms: number): IstParts {
  const local = ms + IST_OFFSET_MS;
  const msOfDay = ((local % DAY_MS) + DAY_MS) % DAY_MS;
  const midnightLocal = local - msOfDay;
  if (midnightLocal !== cachedMidnight) {
    const d = new Date(midnightLocal);
    cachedDay = d.toISOString().slice(0, 10);
    cachedWeekday = d.getUTCDay();
    cachedMidnight = midnightLocal;
  }
  return {
    day: cachedDay,
    msOfDay,
    minuteOfDay: Math.floor(msOfDay / 60_000),
    weekday: cachedWeekday,
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
