import type { EngineState } from './state.js';

// What commit() compares to skip a save that would change nothing. commit runs after every
// locked task and at every write-ahead point, a dozen thousand times on a fast-forwarded day
// (a backtest), and almost always finds nothing changed: so the state as last saved is kept as a
// copy and compared value by value, which stops at the first difference and builds nothing
// (serialising the state each time was a quarter of a backtest day).
//
// The day's round trips (up to 1,000) and the order ids seen (up to 500) only ever grow at the
// end, are trimmed from the front, or are replaced by a new day's empty list: their length with
// their first and last elements tells every change apart.

/** A deep copy of plain data (what the state is: it is saved as JSON). */
function copyOf<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((x: unknown) => copyOf(x)) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyOf((value as Record<string, unknown>)[key]);
  return out as T;
}

/** Deep equality of plain data; a key present as undefined on one side only counts as a difference. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let keys = 0;
  for (const key in ra) {
    keys++;
    if (!(key in rb) || !sameValue(ra[key], rb[key])) return false;
  }
  // Same keys on both sides: b has no key a lacks.
  return Object.keys(rb).length === keys;
}

interface Saved {
  /** A copy of every field but the two lists. */
  fields: Record<string, unknown>;
  keys: number;
  trades: { length: number; first: unknown; last: unknown };
  knownOrderIds: { length: number; first: string | undefined; last: string | undefined };
}

function ends<T>(list: readonly T[]): { length: number; first: T | undefined; last: T | undefined } {
  return { length: list.length, first: list[0], last: list[list.length - 1] };
}

/** What changed since the state was last remembered. */
export interface StateChange {
  /** Anything at all: the state must be saved. */
  any: boolean;
  /** Anything but the fields the tracker was told to overlook. */
  beyondOverlooked: boolean;
}

const NOTHING: StateChange = { any: false, beyondOverlooked: false };
const EVERYTHING: StateChange = { any: true, beyondOverlooked: true };

/**
 * The state as last saved, to tell whether (and where) it changed since. `overlooking` names
 * fields whose change alone does not count as `beyondOverlooked`.
 */
export class SavedState {
  private saved: Saved | null = null;
  private readonly overlooked: ReadonlySet<string>;

  constructor(overlooking: readonly (keyof EngineState)[] = []) {
    this.overlooked = new Set<string>(overlooking);
  }

  /** What changed since the state last remembered (everything, before the first). */
  changes(state: EngineState): StateChange {
    const { saved } = this;
    if (saved === null) return EVERYTHING;
    const t = ends(state.trades);
    const k = ends(state.knownOrderIds);
    if (
      t.length !== saved.trades.length ||
      !sameValue(t.first, saved.trades.first) ||
      !sameValue(t.last, saved.trades.last) ||
      k.length !== saved.knownOrderIds.length ||
      k.first !== saved.knownOrderIds.first ||
      k.last !== saved.knownOrderIds.last
    ) {
      return EVERYTHING;
    }
    let keys = 0;
    let any = false;
    const fields = state as unknown as Record<string, unknown>;
    for (const key in fields) {
      if (key === 'trades' || key === 'knownOrderIds') continue;
      keys++;
      if (!(key in saved.fields)) return EVERYTHING;
      if (sameValue(fields[key], saved.fields[key])) continue;
      if (!this.overlooked.has(key)) return EVERYTHING;
      any = true;
    }
    if (keys !== saved.keys) return EVERYTHING; // a field gone
    return any ? { any, beyondOverlooked: false } : NOTHING;
  }

  /** Remember `state` as saved now. */
  remember(state: EngineState): void {
    const fields: Record<string, unknown> = {};
    let keys = 0;
    for (const [key, value] of Object.entries(state)) {
      if (key === 'trades' || key === 'knownOrderIds') continue;
      fields[key] = copyOf(value);
      keys++;
    }
    const t = ends(state.trades);
    this.saved = { fields, keys, trades: { length: t.length, first: copyOf(t.first), last: copyOf(t.last) }, knownOrderIds: ends(state.knownOrderIds) };
  }
}
