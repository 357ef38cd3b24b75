// Text formatting shared by the panels: IST clock, prices on the tick's decimals, rupees,
// ages and text progress bars. Pure functions, no React.

import { decimalsOf } from '../../src/broker/ticks.js';
import type { OrderPhase, PositionPhase, SessionState } from '../../src/store/types.js';

/** India Standard Time is UTC+05:30 all year (no DST): never the machine's zone. */
const IST_OFFSET_MS = (5 * 60 + 30) * 60 * 1000;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** HH:MM:SS in IST, or --:--:-- before the clock has ticked. */
export function istClock(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs <= 0) return '--:--:--';
  const d = new Date(epochMs + IST_OFFSET_MS);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** A bar length as the config spells it: 5s, 1m, 15m, 1h, D. */
export function fmtInterval(ms: number): string {
  if (!(ms > 0) || ms >= 86_400_000) return 'D';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** Decimals for prices of an instrument: the tick's decimals, at least 2. */
export function priceDecimals(tickSize: number): number {
  if (!(tickSize > 0) || !Number.isFinite(tickSize)) return 2;
  return Math.max(2, decimalsOf(tickSize));
}

export function fmtPrice(price: number | null | undefined, decimals: number): string {
  if (price === null || price === undefined || !Number.isFinite(price)) return '—';
  return price.toFixed(decimals);
}

/** A signed number: +1.20 / -0.35 / 0.00 (ASCII minus keeps column widths predictable). */
export function fmtSigned(x: number, decimals: number): string {
  const s = Math.abs(x).toFixed(decimals);
  if (Number(s) === 0) return s;
  return (x > 0 ? '+' : '-') + s;
}

const rupeeFormat = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Signed rupees with Indian digit grouping: +₹1,23,456.50 / -₹48.75 / ₹0.00. */
export function fmtRupees(x: number): string {
  const body = rupeeFormat.format(Math.abs(x));
  if (body === '0.00') return '₹0.00';
  return `${x > 0 ? '+' : '-'}₹${body}`;
}

const wholeRupeeFormat = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });

/**
 * Signed rupees in at most `width` cells for a table column: with paise when they fit, else
 * whole rupees, else thousands (+₹12.3k): never a number cut short.
 */
export function fitRupees(x: number, width: number): string {
  const full = fmtRupees(x);
  if (full.length <= width) return full;
  const sign = x > 0 ? '+' : x < 0 ? '-' : '';
  const abs = Math.abs(x);
  for (const text of [`${sign}₹${wholeRupeeFormat.format(abs)}`, `${sign}₹${(abs / 1000).toFixed(1)}k`, `${sign}₹${Math.round(abs / 1000)}k`, `${sign}${Math.round(abs / 1000)}k`]) {
    if (text.length <= width) return text;
  }
  return '#'.repeat(Math.max(1, width));
}

/** 0.4s, 12s, 3m12s, 2h05m. */
export function fmtAge(ms: number): string {
  const t = Math.max(0, ms);
  if (t < 10_000) return `${(t / 1000).toFixed(1)}s`;
  const s = Math.floor(t / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
}

/** [██████░░░░] with `width` cells inside the brackets. */
export function progressBar(done: number, total: number, width: number): string {
  const cells = Math.max(1, Math.floor(width));
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const full = Math.round(ratio * cells);
  return `[${'█'.repeat(full)}${'░'.repeat(cells - full)}]`;
}

export function percent(done: number, total: number): string {
  if (total <= 0) return '—';
  return `${Math.round((Math.min(done, total) / total) * 100)}%`;
}

const SESSION_WORDS: Record<SessionState, string> = {
  weekend: 'WEEKEND',
  holiday: 'MARKET CLOSED',
  before_session: 'BEFORE SESSION',
  in_session: 'IN SESSION',
  between_windows: 'BETWEEN WINDOWS',
  after_session: 'AFTER SESSION',
  squared_off: 'SQUARED OFF',
};

export function sessionWord(session: SessionState): string {
  return SESSION_WORDS[session] ?? String(session).toUpperCase();
}

const ORDER_PHASE_WORDS: Record<OrderPhase, string> = {
  pending_submit: 'sending',
  working: 'working',
  partially_filled: 'partial',
  filled: 'filled',
  cancelled: 'cancelled',
  rejected: 'REJECTED',
  unknown_outcome: 'UNKNOWN?',
};

export function orderPhaseWord(phase: OrderPhase): string {
  return ORDER_PHASE_WORDS[phase] ?? String(phase);
}

const POSITION_PHASE_WORDS: Record<PositionPhase, string> = {
  flat: 'flat',
  entering: 'entering',
  protected: 'protected',
  unprotected: 'UNPROTECTED',
  exiting: 'exiting',
};

export function positionPhaseWord(phase: PositionPhase): string {
  return POSITION_PHASE_WORDS[phase] ?? String(phase);
}

/** Keep the tail of a long id: …0012345. */
export function shortId(id: string, width: number): string {
  if (id.length <= width) return id;
  return `…${id.slice(id.length - width + 1)}`;
}

/** Fit a string into exactly `width` cells (pad or cut), for table columns. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (text.length > width) return text.slice(0, width);
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}
