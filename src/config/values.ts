import { ALERTS_ALLOWED, parseAlertLevels } from '../alerts/levels.js';
import { BROKERAGE_ALLOWED, parseBrokerage } from '../engine/charges.js';
import type { FieldSpec, Interval, MinuteOfDay, SymbolEntry, TimeWindow } from './schema.js';
import { AUTO_BUFFER, type LimitBuffer } from '../engine/protective-price.js';

// Parsers for one value of each field kind. Each returns the value, or a description of what
// is allowed, so the caller can name the field, the value and where it came from.

export type Parsed<T> = { ok: true; value: T } | { ok: false; allowed: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (allowed: string): Parsed<never> => ({ ok: false, allowed });

export function parseTime(raw: string): Parsed<MinuteOfDay> {
  const m = /^(\d{1,2}):(\d{2})$/.exec(raw.trim());
  const allowed = 'a time HH:MM between 00:00 and 23:59';
  if (!m) return bad(allowed);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return bad(allowed);
  return ok(h * 60 + min);
}

export function parseInterval(raw: string): Parsed<Interval> {
  const s = raw.trim();
  const allowed = 'an interval like 30s, 5m, 1h (whole number ≥ 1 and s/m/h) or D for daily';
  if (s.toUpperCase() === 'D' || s === '1d' || s === '1D') return ok({ kind: 'daily' });
  const m = /^(\d+)([smh])$/.exec(s);
  if (!m) return bad(allowed);
  const n = Number(m[1]);
  if (n < 1) return bad(allowed);
  const unit = m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 3_600_000;
  const ms = n * unit;
  if (ms > 24 * 3_600_000) return bad(`${allowed}, at most 24h`);
  return ok({ kind: 'seconds', ms });
}

export function parseWindows(raw: string): Parsed<TimeWindow[]> {
  const allowed = 'comma-separated windows HH:MM-HH:MM with start before end, e.g. 09:20-11:30,13:00-15:15';
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return bad(allowed);
  const windows: TimeWindow[] = [];
  for (const part of parts) {
    const [a, b, extra] = part.split('-');
    if (a === undefined || b === undefined || extra !== undefined) return bad(allowed);
    const start = parseTime(a);
    const end = parseTime(b);
    if (!start.ok || !end.ok || start.value >= end.value) return bad(allowed);
    windows.push({ start: start.value, end: end.value });
  }
  return ok(windows.sort((x, y) => x.start - y.start));
}

export function parseBool(raw: string): Parsed<boolean> {
  const s = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return ok(true);
  if (['false', '0', 'no', 'off'].includes(s)) return ok(false);
  return bad('true or false (also yes/no, on/off, 1/0)');
}

function rangeText(spec: FieldSpec, what: string): string {
  const low = spec.min === undefined ? '' : spec.exclusiveMin ? `> ${spec.min}` : `≥ ${spec.min}`;
  const high = spec.max === undefined ? '' : `≤ ${spec.max}`;
  const range = [low, high].filter(Boolean).join(' and ');
  return range ? `${what} ${range}` : what;
}

export function parseNumber(raw: string, spec: FieldSpec, integer: boolean): Parsed<number> {
  const what = integer ? 'a whole number' : 'a number';
  const allowed = rangeText(spec, what);
  const s = raw.trim();
  if (s === '' || !/^-?\d+(\.\d+)?$/.test(s)) return bad(allowed);
  const n = Number(s);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return bad(allowed);
  if (spec.min !== undefined && (n < spec.min || (spec.exclusiveMin && n === spec.min))) return bad(allowed);
  if (spec.max !== undefined && n > spec.max) return bad(allowed);
  return ok(n);
}

export function parseUrl(raw: string, schemes: string[]): Parsed<string> {
  const allowed = `a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}`;
  try {
    const u = new URL(raw.trim());
    if (!schemes.includes(u.protocol) || !u.hostname) return bad(allowed);
    return ok(raw.trim().replace(/\/+$/, ''));
  } catch {
    return bad(allowed);
  }
}

export function parseDate(raw: string): Parsed<string> {
  const s = raw.trim();
  const allowed = 'a date YYYY-MM-DD';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return bad(allowed);
  const d = new Date(`${s}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) return bad(allowed);
  return ok(s);
}

/** STOP_LIMIT_BUFFER: `auto`, `N%` (0 < N ≤ 20) or `Nticks` (whole N, 1–1000). */
export function parseBuffer(raw: string): Parsed<LimitBuffer> {
  const s = raw.trim().toLowerCase();
  const allowed = 'auto, a percent of the price like 3% (above 0, up to 20), or whole ticks like 4ticks (1 to 1000)';
  if (s === 'auto') return ok(AUTO_BUFFER);
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  if (pct) {
    const percent = Number(pct[1]);
    return percent > 0 && percent <= 20 ? ok({ kind: 'percent', percent }) : bad(allowed);
  }
  const ticks = /^(\d+)\s*ticks?$/.exec(s);
  if (ticks) {
    const n = Number(ticks[1]);
    return n >= 1 && n <= 1000 ? ok({ kind: 'ticks', ticks: n }) : bad(allowed);
  }
  return bad(allowed);
}

/** Parse one raw string according to its field spec. */
export function parseValue(spec: FieldSpec, raw: string): Parsed<unknown> {
  switch (spec.kind) {
    case 'int': return parseNumber(raw, spec, true);
    case 'number': return parseNumber(raw, spec, false);
    case 'bool': return parseBool(raw);
    case 'time': return parseTime(raw);
    case 'interval': return parseInterval(raw);
    case 'windows': return parseWindows(raw);
    case 'date': return parseDate(raw);
    case 'symbols': return parseSymbols(raw, spec.values ?? []);
    case 'buffer': return parseBuffer(raw);
    case 'brokerage': {
      const brokerage = parseBrokerage(raw);
      return brokerage ? ok(brokerage) : bad(BROKERAGE_ALLOWED);
    }
    case 'alerts': {
      const levels = parseAlertLevels(raw);
      return levels ? ok(levels) : bad(ALERTS_ALLOWED);
    }
    case 'url': return parseUrl(raw, spec.help.includes('WebSocket') ? ['ws:', 'wss:'] : ['http:', 'https:']);
    case 'enum': {
      // Any case is accepted; the value takes the schema's own spelling (NFO, auto).
      const v = raw.trim().toUpperCase();
      const found = spec.values?.find((allowed) => allowed.toUpperCase() === v);
      return found !== undefined ? ok(found) : bad(`one of ${spec.values?.join(', ')}`);
    }
    case 'string':
    case 'secret':
    case 'path': {
      const v = raw.trim();
      return v === '' && !spec.allowEmpty ? bad('a non-empty value') : ok(v);
    }
  }
}


/** OpenAlgo symbols: letters, digits and the few marks real ones carry (M&M, BAJAJ-AUTO, NIFTY 50 indices aside). */
const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9&_-]*$/;

/** SYMBOLS: `SYM[@EXCHANGE][:LOTS]`, comma-separated; a bad entry is named by its position and text. */
export function parseSymbols(raw: string, exchanges: readonly string[]): Parsed<SymbolEntry[]> {
  const form = 'SYM[@EXCHANGE][:LOTS], comma-separated, e.g. NIFTY29DEC2625000CE,NIFTY29DEC2625000PE@NFO:2';
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) return bad(form);
  const entries: SymbolEntry[] = [];
  const seen = new Set<string>();
  for (const [i, part] of parts.entries()) {
    const named = `${form}; entry ${i + 1} ${JSON.stringify(part)}`;
    const m = /^([^@:]*)(?:@([^@:]*))?(?::([^@:]*))?$/.exec(part);
    if (!m || part === '') return bad(`${named} is ${part === '' ? 'empty' : 'not of that form'}`);
    const symbol = (m[1] ?? '').trim().toUpperCase();
    if (!SYMBOL_PATTERN.test(symbol)) return bad(`${named}: the symbol must be letters, digits, &, _ or -`);
    const entry: SymbolEntry = { symbol };
    if (m[2] !== undefined) {
      const exchange = exchanges.find((e) => e === m[2]?.trim().toUpperCase());
      if (!exchange) return bad(`${named}: the exchange must be one of ${exchanges.join(', ')}`);
      entry.exchange = exchange;
    }
    if (m[3] !== undefined) {
      const lots = m[3].trim();
      if (!/^\d+$/.test(lots) || Number(lots) < 1 || Number(lots) > 1000) return bad(`${named}: LOTS must be a whole number ≥ 1 and ≤ 1000`);
      entry.lots = Number(lots);
    }
    const key = `${symbol}@${entry.exchange ?? ''}`;
    if (seen.has(key)) return bad(`${named}: ${symbol} is listed twice`);
    seen.add(key);
    entries.push(entry);
  }
  return ok(entries);
}
