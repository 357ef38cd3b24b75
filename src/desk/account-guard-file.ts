import fs from 'node:fs';
import path from 'node:path';
import { guardStateSchema, type GuardState } from '../engine/guard.js';
import { JsonStateFile, type StateFile } from '../engine/persistence.js';

// Where the account guard's day is kept: `<mode>-account-<SYM@EXCH>+<…>.guard.json` in
// STATE_DIR, named by the set of instruments, not by their order in SYMBOLS (reordering them
// keeps the day). A set that changed during the day (an instrument added or dropped) starts
// from today's state of the newest account file of this mode that shares an instrument, so a
// halt or a profit-lock peak survives the change; two desks with no instrument in common in one
// STATE_DIR keep apart.

const SUFFIX = '.guard.json';

const safe = (text: string): string => text.replace(/[^A-Za-z0-9_.+@-]/g, '_');

/** The account guard's file name for these instruments (in any order). */
export function accountGuardFileName(mode: string, keys: readonly string[]): string {
  return safe(`${mode}-account-${[...keys].sort().join('+')}`) + SUFFIX;
}

/** Where `random-scalp guard resume` leaves a request for the account. */
export function accountResumeFileName(mode: string, keys: readonly string[]): string {
  return accountGuardFileName(mode, keys).replace(/\.guard\.json$/, '.guard-resume.json');
}

/** A saved account guard state, or null when the file is not one (then the day starts ACTIVE). */
export function parseAccountGuardState(raw: unknown): GuardState | null {
  const parsed = guardStateSchema.safeParse(raw);
  return parsed.success ? (parsed.data as GuardState) : null;
}

/** The account guard's state file; `today()` is the IST day, `told` hears where a carried-over day came from. */
export class AccountGuardFile implements StateFile<GuardState> {
  readonly path: string;
  private readonly own: JsonStateFile<GuardState>;

  constructor(
    private readonly dir: string,
    private readonly mode: string,
    private readonly keys: readonly string[],
    private readonly today: () => string,
    private readonly told: (line: string) => void = () => {},
  ) {
    this.path = path.join(dir, accountGuardFileName(mode, keys));
    this.own = new JsonStateFile(this.path, parseAccountGuardState);
  }

  load(): GuardState | null {
    const mine = this.own.load();
    if (mine && mine.day === this.today()) return mine;
    const carried = this.carriedOver();
    if (!carried) return mine;
    this.told(`account guard: today's state carried over from ${path.basename(carried.file)} (the instruments changed): ${carried.state.state}`);
    return carried.state;
  }

  save(state: GuardState): void {
    this.own.save(state);
  }

  /** Today's state from the newest other account file of this mode sharing an instrument with ours. */
  private carriedOver(): { file: string; state: GuardState } | null {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return null;
    }
    const prefix = safe(`${this.mode}-account-`);
    const ours = new Set(this.keys.map(safe));
    const today = this.today();
    let best: { file: string; state: GuardState; mtime: number } | null = null;
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith(SUFFIX) || name === path.basename(this.path)) continue;
      const theirs = name.slice(prefix.length, -SUFFIX.length).split('+');
      if (!theirs.some((k) => ours.has(k))) continue;
      const file = path.join(this.dir, name);
      const state = new JsonStateFile(file, parseAccountGuardState).load();
      if (!state || state.day !== today) continue;
      let mtime = 0;
      try {
        mtime = fs.statSync(file).mtimeMs;
      } catch {
        continue;
      }
      if (!best || mtime > best.mtime) best = { file, state, mtime };
    }
    return best;
  }
}
