import { IST_OFFSET_MS, formatIstTime } from '../time/ist.js';
import type { Figures } from './figures.js';

// Number words shared by the terminal, CSV and HTML reports.

const grouping = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Signed rupees with Indian grouping and no symbol (table cells): +1,23,456.50 / -48.75 / 0.00. */
/** An amount with no sign (charges by kind): 1,234.50. */
export function amount(x: number): string {
  return grouping.format(x);
}

export function money(x: number | null): string {
  if (x === null) return '—';
  const body = grouping.format(Math.abs(x));
  if (body === '0.00') return '0.00';
  return `${x > 0 ? '+' : '-'}${body}`;
}

export function rupees(x: number | null): string {
  if (x === null) return '—';
  const m = money(x);
  return m.startsWith('+') || m.startsWith('-') ? `${m[0]}₹${m.slice(1)}` : `₹${m}`;
}

export function winRateText(f: Pick<Figures, 'winRate'>): string {
  return f.winRate === null ? '—' : `${(f.winRate * 100).toFixed(1)}%`;
}

/** ∞ when nothing was lost, — when undefined (no trades). */
export function profitFactorText(f: Pick<Figures, 'profitFactor' | 'profitFactorInfinite'>): string {
  if (f.profitFactorInfinite) return '∞';
  return f.profitFactor === null ? '—' : f.profitFactor.toFixed(2);
}

/** 42s, 3m05s, 1h02m. */
export function holdText(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** 2026-12-01T14:05:09+05:30 */
export function istIso(ms: number): string {
  return `${new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 19)}+05:30`;
}

/** 14:05:09 (IST) */
export const istTime = formatIstTime;
