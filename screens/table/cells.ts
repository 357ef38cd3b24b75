// The instruments table's text, cell by cell: pure functions from an instrument's store state
// to fixed-width strings, so the rows line up and tests read them without Ink. Meaning is in
// the words and marks (▶ focus, UNPROTECTED, PAUSED, T✓ S!), never in colour alone.

import { nearestLimitShare, NEAR_LIMIT } from '../panels/GuardLine.js';
import { cell, fmtPrice, positionPhaseWord, priceDecimals, shortId } from '../draw/format.js';
import { protectionOf } from '../draw/protection.js';
import { unrealisedRupees } from '../draw/pnl.js';
import type { Form } from '../app/layout.js';
import type { AppState } from '../../src/store/store.js';
import type { GuardView, LegView } from '../../src/store/types.js';

/** What one row shows, picked from the instrument's store (compared shallowly). */
export interface RowView {
  symbol: string;
  exchange: string;
  position: AppState['position'];
  legs: AppState['legs'];
  paused: boolean;
  entriesHeld: string | null;
  shutdown: AppState['shutdown']['phase'];
  ltp: number | null;
  tickSize: number;
  realised: number;
  guard: GuardView;
}

export function rowViewOf(s: AppState): RowView {
  return {
    symbol: s.symbol,
    exchange: s.exchange,
    position: s.position,
    legs: s.legs,
    paused: s.paused,
    entriesHeld: s.entriesHeld,
    shutdown: s.shutdown?.phase ?? 'idle',
    ltp: s.ltp,
    tickSize: s.tickSize,
    realised: s.pnl.realised,
    guard: s.guard,
  };
}

/** Column widths; 0 drops a column (the narrow form has no legs or guard). */
export interface TableColumns {
  mark: number;
  symbol: number;
  state: number;
  position: number;
  legs: number;
  ltp: number;
  unrealised: number;
  day: number;
  guard: number;
}

const COMPACT: Omit<TableColumns, 'symbol'> = { mark: 2, state: 12, position: 12, legs: 5, ltp: 8, unrealised: 8, day: 8, guard: 6 };
const WIDE: Omit<TableColumns, 'symbol'> = { mark: 2, state: 17, position: 16, legs: 6, ltp: 10, unrealised: 12, day: 12, guard: 8 };
const NARROW: Omit<TableColumns, 'symbol'> = { mark: 2, state: 12, position: 5, legs: 0, ltp: 8, unrealised: 8, day: 8, guard: 0 };

/** The columns for a form and frame width: the symbol takes what the others leave. */
export function tableColumns(form: Form, width: number): TableColumns {
  const base = form === 'wide' ? WIDE : form === 'compact' ? COMPACT : NARROW;
  const used = Object.values(base).filter((w) => w > 0);
  const others = used.reduce((a, w) => a + w, 0) + used.length; // one space after each
  return { ...base, symbol: Math.max(6, Math.min(24, width - others)) };
}

function join(c: TableColumns, parts: [keyof TableColumns, string, 'left' | 'right'][]): string[] {
  return parts.filter(([k]) => c[k] > 0).map(([k, text, align]) => cell(text, c[k], align));
}

/** The title row's cells. */
export function headerCells(c: TableColumns): string[] {
  return join(c, [
    ['mark', '#', 'left'],
    ['symbol', 'SYMBOL', 'left'],
    ['state', 'STATE', 'left'],
    ['position', c.position < 8 ? 'QTY' : 'POSITION', 'left'],
    ['legs', 'LEGS', 'left'],
    ['ltp', 'LTP', 'right'],
    ['unrealised', 'UNREAL', 'right'],
    ['day', 'DAY NET', 'right'],
    ['guard', 'GUARD', 'left'],
  ]);
}

const LEG_MARKS: Record<LegView['phase'], string> = {
  pending_submit: '…',
  working: '✓',
  partially_filled: '~',
  filled: '*',
  cancelled: '!',
  rejected: '!',
  unknown_outcome: '?',
};

/**
 * Both legs in five cells: T✓ S✓ (working), ~ part-filled, * filled, … sending, ? outcome
 * unknown, ! missing / rejected / cancelled while held; — when there is no position.
 */
export function legsText(v: Pick<RowView, 'position' | 'legs'>): string {
  const { position, legs } = v;
  if (position.phase === 'flat' && !legs.target && !legs.stop) return '—';
  const inPosition = position.phase === 'protected' || position.phase === 'unprotected';
  const one = (letter: string, leg: LegView | null): string => {
    if (!leg) return `${letter}${inPosition ? '!' : '·'}`;
    return `${letter}${LEG_MARKS[leg.phase] ?? '?'}`;
  };
  return `${one('T', legs.target)} ${one('S', legs.stop)}`;
}

const SHORT_PHASE: Record<AppState['position']['phase'], string> = {
  flat: 'flat',
  entering: 'enter',
  protected: 'prot',
  unprotected: 'UNPROT!',
  exiting: 'exit',
};

/** Position phase (or the shutdown), then PAUSED / HELD when entries are off. */
export function stateText(v: RowView, form: Form): { text: string; alarm: boolean } {
  const wide = form === 'wide';
  const unprotected = protectionOf(v.position, v.legs).unprotected;
  let phase: string;
  if (v.shutdown === 'critical') phase = 'STUCK!';
  else if (v.shutdown === 'flat') phase = 'closed';
  else if (v.shutdown !== 'idle') phase = wide ? 'SHUTTING' : 'QUIT…';
  else if (unprotected) phase = wide ? 'UNPROTECTED' : 'UNPROT!';
  else phase = wide ? positionPhaseWord(v.position.phase) : SHORT_PHASE[v.position.phase];
  const entries = v.paused ? ' PAUSED' : v.entriesHeld ? ' HELD' : '';
  return { text: `${phase}${entries}`, alarm: unprotected || v.shutdown === 'critical' };
}

export function positionText(v: RowView, form: Form): string {
  const { held, avgEntry, side } = v.position;
  if (held <= 0) return '—';
  // A short shows signed, as a broker's position book does: −130.
  const qty = side === 'short' ? `−${held}` : String(held);
  if (form === 'narrow') return qty;
  const price = fmtPrice(avgEntry, priceDecimals(v.tickSize));
  return form === 'wide' ? `${qty} @ ${price}` : `${qty}@${price}`;
}

/** The guard in a word: ACTIVE, NEAR (80 % of a limit), REDUCING, HALTED; — when no limit is set. */
export function guardWord(g: GuardView | null, form: Form): string {
  if (!g || (!g.on && g.state === 'ACTIVE')) return '—';
  if (g.state === 'ACTIVE') return nearestLimitShare(g) >= NEAR_LIMIT ? 'NEAR' : 'ACTIVE';
  if (g.state === 'REDUCING') return form === 'wide' ? 'REDUCING' : 'REDUCE';
  return 'HALTED';
}

/** An OpenAlgo option symbol: underlying, expiry (DDMMMYY), strike, CE/PE. */
const OPTION = /^([A-Z&-]+?)(\d{2}[A-Z]{3}\d{2})(\d+(?:\.\d+)?)(CE|PE)$/;

export function symbolText(v: Pick<RowView, 'symbol' | 'exchange'>, width: number): string {
  const withExchange = `${v.symbol}@${v.exchange}`;
  if (v.exchange && withExchange.length <= width) return withExchange;
  if (v.symbol.length <= width) return v.symbol;
  // An option too long for the column: the expiry goes first (the rows of one desk share it),
  // so the underlying, the strike and CE/PE stay readable: NIFTY25000CE, BANKNIFTY55000PE.
  const m = OPTION.exec(v.symbol);
  const compact = m ? `${m[1]}${m[3]}${m[4]}` : v.symbol;
  // Still too long: keep the tail, where the strike and CE/PE are.
  return shortId(compact || '?', width);
}

export interface RowCells {
  mark: string;
  symbol: string;
  state: { text: string; alarm: boolean };
  position: string;
  legs: string;
  ltp: string;
  unrealised: number;
  day: number;
  guard: string;
}

/** One instrument's row. `index` is 0-based; the row shows index + 1, ▶ when focused. */
export function rowCells(v: RowView, index: number, focused: boolean, form: Form, c: TableColumns): RowCells {
  return {
    mark: `${focused ? '▶' : ' '}${index + 1}`,
    symbol: symbolText(v, c.symbol),
    state: stateText(v, form),
    position: positionText(v, form),
    legs: legsText(v),
    ltp: fmtPrice(v.ltp, priceDecimals(v.tickSize)),
    unrealised: unrealisedRupees(v.position, v.ltp),
    day: v.realised,
    guard: guardWord(v.guard, form),
  };
}

/** The TOTAL row's figures: sums over the instruments. */
export interface Totals {
  unrealised: number;
  day: number;
  /** Instruments holding a position. */
  long: number;
  count: number;
}

export function totalsOf(states: readonly AppState[]): Totals {
  let unrealised = 0;
  let day = 0;
  let long = 0;
  for (const s of states) {
    unrealised += unrealisedRupees(s.position, s.ltp);
    day += s.pnl.realised;
    if (s.position.held > 0) long++;
  }
  return { unrealised: Math.round(unrealised * 100) / 100, day: Math.round(day * 100) / 100, long, count: states.length };
}

