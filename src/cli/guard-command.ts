import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_PAPER_SYMBOL } from '../broker/paper/setup.js';
import { ConfigError, resolveConfig, type RawSources, type ResolvedConfig } from '../config/resolve.js';
import { tradedInstruments, type TradedInstrument } from '../config/instruments.js';
import { figuresText, initialGuardState, lossBreached, reasonText, resumeRefusal, type GuardFigures, type GuardLimits, type GuardState } from '../engine/guard.js';
import { ResumeRequestFile, resumeRequestPath } from '../engine/guard-resume.js';
import { guardFigures, trailingLosses } from '../engine/guard-watch.js';
import { JsonStateFile, stateFileName } from '../engine/persistence.js';
import { formatIstTime, istParts } from '../time/ist.js';
import { heldQuantity, parseEngineState, type EngineState } from '../engine/state.js';
import { costConfig } from '../config/settings.js';
import { segmentOf } from '../broker/segment.js';
import { AccountGuardFile, accountResumeFileName } from '../desk/account-guard-file.js';
import { accountGuardLimits, instrumentGuardLimits } from '../desk/instrument-wiring.js';
import { formatLine } from '../log/logger.js';
import type { Io } from './config-command.js';
import { EXIT } from './exit-codes.js';

// `random-scalp guard status | resume`: the session guard from the shell, read from the saved
// state file of the configured mode, exchange and symbol in STATE_DIR — with SYMBOLS, the
// account's guard file first, then every instrument's state file. `resume` never writes
// the state file: it leaves a request that the bot takes (see src/engine/guard-resume.ts).

export interface GuardCommandOptions {
  io: Io;
  sources: RawSources;
  /** Asks a question on the terminal; null when stdin is not a terminal. */
  prompt: ((question: string) => Promise<string>) | null;
  /** `--confirm WORD`: the typed word given on the command line (for scripts, no terminal). */
  confirm?: string;
  /** How long `resume` waits to see a running bot take its request. */
  waitMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** One guarded book as saved on disk: an instrument's state file, or the account's guard file. */
interface Book {
  label: string;
  limits: GuardLimits;
  /** The file its guard state is saved in. */
  file: string;
  /** Where `resume` leaves its request for the running bot. */
  requestFile: string;
  /** Log files (base names) a resume from the shell is noted in. */
  logBases: string[];
  read(): Saved | null;
}

/** What a book's saved state says. */
interface Saved {
  guard: GuardState;
  figures: GuardFigures;
  /** Net quantity held (0 for the account: its instruments say). */
  held: number;
  /** The IST day of the day P&L the figures belong to. */
  pnlDay: string;
}

interface Located {
  resolved: ResolvedConfig;
  books: Book[];
}

/**
 * A saved book's figures with the same costs as the running bot: BROKERAGE (or the older flat
 * form), the charges model for the instrument's segment, on the day the open position opened.
 */
function figuresOf(state: EngineState, c: ResolvedConfig['config'], t: TradedInstrument): GuardFigures {
  return guardFigures(state, costConfig(c), segmentOf(t.symbol, t.exchange), null, state.openedAt ?? Date.now());
}

function instrumentBook(resolved: ResolvedConfig, t: TradedInstrument, several: boolean): Book {
  const c = resolved.config;
  const file = path.join(c.STATE_DIR, stateFileName(resolved.mode, t.exchange, t.symbol));
  const base = path.basename(file).replace(/\.state\.json$/, '');
  return {
    label: `${resolved.mode} ${t.key}`,
    limits: instrumentGuardLimits(c, several),
    file,
    requestFile: resumeRequestPath(file),
    logBases: [base],
    read: () => {
      const state = new JsonStateFile(file, parseEngineState).load();
      if (!state) return null;
      return { guard: state.guard, figures: figuresOf(state, c, t), held: heldQuantity(state), pnlDay: state.pnl.day };
    },
  };
}

/** The account over several instruments: its own guard file; its figures, the instruments' summed. */
function accountBook(resolved: ResolvedConfig, traded: TradedInstrument[], instruments: Book[]): Book {
  const c = resolved.config;
  const keys = traded.map((t) => t.key);
  const guardFile = new AccountGuardFile(c.STATE_DIR, resolved.mode, keys, () => istParts(Date.now()).day);
  const file = guardFile.path;
  return {
    label: `${resolved.mode} account (${keys.join(', ')})`,
    limits: accountGuardLimits(c),
    file,
    requestFile: path.join(c.STATE_DIR, accountResumeFileName(resolved.mode, keys)),
    logBases: instruments.flatMap((b) => b.logBases),
    read: () => {
      const states = traded.map((t) => new JsonStateFile(path.join(c.STATE_DIR, stateFileName(resolved.mode, t.exchange, t.symbol)), parseEngineState).load());
      // The account saves its file on its first change; until then it is ACTIVE on the instruments' day.
      const someDay = states.find((st) => st !== null)?.pnl.day;
      const guard = guardFile.load() ?? (someDay !== undefined ? initialGuardState(someDay) : null);
      if (!guard) return null;
      const figures = states.map((st, i) => {
        const t = traded[i];
        return st && t ? figuresOf(st, c, t) : null;
      });
      const sum = (pick: (f: GuardFigures) => number): number => Math.round(figures.reduce((acc, f) => acc + (f ? pick(f) : 0), 0) * 100) / 100;
      const closed = states.flatMap((st) => st?.trades ?? []).sort((x, y) => x.closedAt - y.closedAt);
      return {
        guard,
        figures: {
          realised: sum((f) => f.realised),
          open: sum((f) => f.open),
          dayPnl: sum((f) => f.dayPnl),
          trades: sum((f) => f.trades),
          lossStreak: trailingLosses(closed, guard.streakFrom),
          flat: figures.every((f) => f?.flat ?? true),
        },
        held: 0,
        pnlDay: guard.day,
      };
    },
  };
}

function locate(sources: RawSources): Located {
  const resolved = resolveConfig(sources, { forStart: false });
  const traded = tradedInstruments(resolved.config);
  if ('error' in traded) throw new ConfigError(traded.error);
  const list = traded.length > 0 ? traded : [{ symbol: DEFAULT_PAPER_SYMBOL, exchange: resolved.config.EXCHANGE, lots: resolved.config.LOTS, key: `${DEFAULT_PAPER_SYMBOL}@${resolved.config.EXCHANGE}` }];
  const several = list.length > 1;
  const instruments = list.map((t) => instrumentBook(resolved, t, several));
  return { resolved, books: several ? [accountBook(resolved, list, instruments), ...instruments] : instruments };
}

/** The reason as the bot worded it with its own limits when it tripped (ours may differ). */
function trippedReason(g: GuardState, limits: GuardLimits): string {
  const entry = [...g.history].reverse().find((h) => h.state === g.state && h.reason === g.reason);
  return entry?.note.split(/[:;]/)[0] ?? reasonText(g.reason, limits);
}

const rupees = (x: number): string => `${x < 0 ? '−' : ''}₹${Math.abs(x).toFixed(2)}`;
const pct = (part: number, whole: number): string => `${Math.round((100 * part) / whole)} %`;

export function guardStatusLines(book: Book, now: number): string[] {
  const { limits } = book;
  const saved = book.read();
  const today = istParts(now).day;
  if (!saved) return [`guard ACTIVE (no saved state for ${book.label} at ${book.file})`];
  const { guard: g, figures: f } = saved;
  const day = g.day || saved.pnlDay;
  const out: string[] = [];
  const since = g.since !== null ? ` since ${formatIstTime(g.since).slice(0, 8)} IST` : '';
  const why = g.state === 'ACTIVE' ? '' : `: ${trippedReason(g, limits)}`;
  const cooldown = g.reason === 'cooldown' && g.cooldownUntil !== null ? ` until ${formatIstTime(g.cooldownUntil).slice(0, 5)} IST` : '';
  out.push(`guard ${g.state}${since}${why}${cooldown} — ${book.label}, day ${day}`);
  if (day !== today) out.push(`note: this saved day is ${day}; today (${today}) starts ACTIVE at the bot's next look`);
  const loss = limits.maxDailyLoss > 0 ? ` / −₹${limits.maxDailyLoss.toFixed(0)} loss limit${f.dayPnl < 0 ? ` (${pct(-f.dayPnl, limits.maxDailyLoss)})` : ''}${lossBreached(f, limits) ? ' BREACHED' : ''}` : ' (loss limit off)';
  out.push(`day P&L      ${rupees(f.dayPnl)}${loss} | realised ${rupees(f.realised)}, open ${rupees(f.open)}`);
  if (saved.held !== 0) out.push(`position     ${saved.held > 0 ? 'LONG' : 'SHORT'} ${Math.abs(saved.held)}: open counted at the entry price here; the running bot counts it at LTP`);
  out.push(`profit       target ${limits.dailyProfitTarget > 0 ? `₹${limits.dailyProfitTarget.toFixed(0)}` : 'off'} | lock ${limits.profitLock > 0 ? `from ₹${limits.profitLock.toFixed(0)}, peak ₹${g.peak.toFixed(0)}, trips at ₹${(g.peak / 2).toFixed(2)}` : 'off'}`);
  out.push(`trades       ${f.trades}${limits.maxTradesPerDay > 0 ? ` / ${limits.maxTradesPerDay}` : ' (limit off)'}`);
  out.push(`losses       ${f.lossStreak} in a row${limits.maxConsecutiveLosses > 0 ? ` / ${limits.maxConsecutiveLosses}, cooldown ${limits.cooldownMinutes > 0 ? `${limits.cooldownMinutes} min` : 'rest of the day'}` : ' (limit off)'}`);
  if (g.tripped) out.push(`tripped at   ${figuresText(g.tripped)}`);
  if (g.waived.length > 0) out.push(`waived today ${g.waived.join(', ')} (guard resume)`);
  for (const h of g.history) out.push(`  ${formatIstTime(h.at).slice(0, 8)} ${h.state.padEnd(8)} day ${rupees(h.dayPnl)}: ${h.note}`);
  out.push(`state file   ${book.file}`);
  return out;
}

/** One line in the bot's log files for today, as the bot itself writes them. */
function appendLog(resolved: ResolvedConfig, book: Book, now: number, text: string): void {
  const c = resolved.config;
  if (!c.LOG_TO_FILE) return;
  for (const base of book.logBases) {
    const file = path.join(c.STATE_DIR, 'logs', `${base}-${istParts(now).day}.log`);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.appendFileSync(file, `${formatLine(now, 'INFO', 'GUARD', text)}\n`, { mode: 0o600 });
    } catch {
      // the log is a record, not a condition for the resume
    }
  }
}

/** How the trader confirmed, or null (with the reason already said). */
async function confirmation(opts: GuardCommandOptions): Promise<string | null> {
  const { io } = opts;
  if (opts.confirm !== undefined) {
    if (opts.confirm !== 'RESUME') {
      io.err(`random-scalp: --confirm must be the word RESUME (got ${JSON.stringify(opts.confirm)}): not resumed`);
      return null;
    }
    return 'guard resume --confirm';
  }
  if (opts.prompt) {
    const answer = (await opts.prompt('Type RESUME to allow new entries again today: ')).trim();
    if (answer !== 'RESUME') {
      io.err('random-scalp: not resumed (the word was not RESUME)');
      return null;
    }
    return 'guard resume (typed RESUME)';
  }
  io.err('random-scalp: guard resume needs a terminal to type RESUME; from a script pass --confirm RESUME');
  return null;
}

async function resume(loc: Located, opts: GuardCommandOptions): Promise<number> {
  const { io } = opts;
  const now = opts.now();
  const today = istParts(now).day;
  // Every book halted or reducing today; the account's refusal (a summed loss still past the
  // limit) refuses the whole resume: resuming one instrument would not let it trade anyway.
  const halted = loc.books.flatMap((book) => {
    const saved = book.read();
    return saved && saved.guard.day === today && saved.guard.state !== 'ACTIVE' ? [{ book, saved }] : [];
  });
  if (halted.length === 0) {
    io.out(`guard is ACTIVE for ${loc.books.map((b) => b.label).join(' and ')} today: nothing to resume`);
    return EXIT.OK;
  }
  for (const { book, saved } of halted) {
    const refusal = resumeRefusal(saved.guard, saved.figures, book.limits);
    if (refusal) {
      appendLog(loc.resolved, book, now, `resume from the shell refused: ${refusal}`);
      io.err(`random-scalp: ${loc.books.length > 1 ? `${book.label}: ` : ''}${refusal}`);
      return EXIT.CONFIG;
    }
  }
  for (const { book, saved } of halted) io.out(`guard ${saved.guard.state} for ${book.label}: ${trippedReason(saved.guard, book.limits)}`);
  const by = await confirmation(opts);
  if (by === null) return EXIT.CONFIG;
  const requests = halted.map(({ book }) => ({ book, file: new ResumeRequestFile(book.requestFile) }));
  for (const { book, file } of requests) {
    file.write({ day: today, at: now, by });
    appendLog(loc.resolved, book, now, `resume requested from the shell (${by})`);
  }
  // A running bot takes each request within a second; otherwise they wait for the next start.
  const pending = (): boolean => requests.some((r) => r.file.pending());
  for (let waited = 0; waited < opts.waitMs && pending(); waited += 200) await opts.sleep(200);
  if (pending()) {
    io.out(`resume requested: no running bot took it within ${(opts.waitMs / 1000).toFixed(0)} s; it applies when the bot starts today`);
    return EXIT.OK;
  }
  const after = halted.map(({ book }) => ({ book, saved: book.read() }));
  const still = after.filter((a) => a.saved?.guard.state !== 'ACTIVE');
  if (still.length === 0) {
    for (const { book, saved } of after) io.out(`resumed: the running bot is ACTIVE again for ${book.label} (${saved ? figuresText(saved.figures) : 'no figures'})`);
    return EXIT.OK;
  }
  io.err(`random-scalp: the running bot took the request but did not resume ${still.map((a) => a.book.label).join(', ')} (see its log: [GUARD] resume … refused)`);
  return EXIT.CONFIG;
}

export async function guardCommand(action: string | undefined, opts: GuardCommandOptions): Promise<number> {
  let loc: Located;
  try {
    loc = locate(opts.sources);
  } catch (err) {
    if (err instanceof ConfigError) {
      opts.io.err(`random-scalp: ${err.message}`);
      return EXIT.CONFIG;
    }
    throw err;
  }
  switch (action) {
    case undefined:
    case 'status':
      for (const [i, book] of loc.books.entries()) {
        if (i > 0) opts.io.out('');
        for (const line of guardStatusLines(book, opts.now())) opts.io.out(line);
      }
      return EXIT.OK;
    case 'resume':
      return resume(loc, opts);
    default:
      opts.io.err(`random-scalp: unknown guard action ${JSON.stringify(action)}: expected status or resume`);
      return EXIT.CONFIG;
  }
}
