import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_PAPER_SYMBOL } from '../broker/paper/index.js';
import { ConfigError, resolveConfig, type RawSources, type ResolvedConfig } from '../config/resolve.js';
import { engineSettings } from '../config/settings.js';
import { NO_LIMITS, figuresText, lossBreached, reasonText, resumeRefusal, type GuardLimits } from '../engine/guard.js';
import { ResumeRequestFile, resumeRequestPath } from '../engine/guard-resume.js';
import { guardFigures } from '../engine/guard-watch.js';
import { JsonStateFile, stateFileName } from '../engine/persistence.js';
import { formatIstTime, istParts } from '../time/schedule.js';
import { heldQuantity, parseEngineState, type EngineState } from '../engine/state.js';
import { formatLine } from '../log/logger.js';
import type { Io } from './config-command.js';
import { EXIT } from './exit-codes.js';

// `random-scalp guard status | resume`: the session guard from the shell, read from the saved
// state file of the configured mode, exchange and symbol in STATE_DIR. `resume` never writes
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

interface Located {
  resolved: ResolvedConfig;
  limits: GuardLimits;
  stateFile: string;
  label: string;
  state: EngineState | null;
}

function locate(sources: RawSources): Located {
  const resolved = resolveConfig(sources, { forStart: false });
  const c = resolved.config;
  const symbol = c.SYMBOL ?? DEFAULT_PAPER_SYMBOL;
  const stateFile = path.join(c.STATE_DIR, stateFileName(resolved.mode, c.EXCHANGE, symbol));
  return {
    resolved,
    limits: engineSettings(c).guard ?? NO_LIMITS,
    stateFile,
    label: `${resolved.mode} ${symbol}@${c.EXCHANGE}`,
    state: new JsonStateFile(stateFile, parseEngineState).load(),
  };
}

/** The reason as the bot worded it with its own limits when it tripped (ours may differ). */
function trippedReason(state: EngineState, limits: GuardLimits): string {
  const g = state.guard;
  const entry = [...g.history].reverse().find((h) => h.state === g.state && h.reason === g.reason);
  return entry?.note.split(/[:;]/)[0] ?? reasonText(g.reason, limits);
}

const rupees = (x: number): string => `${x < 0 ? '−' : ''}₹${Math.abs(x).toFixed(2)}`;
const pct = (part: number, whole: number): string => `${Math.round((100 * part) / whole)} %`;

export function guardStatusLines(loc: Located, now: number): string[] {
  const { state, limits } = loc;
  const today = istParts(now).day;
  if (!state) return [`guard ACTIVE (no saved state for ${loc.label} at ${loc.stateFile})`];
  const g = state.guard;
  const day = g.day || state.pnl.day;
  const f = guardFigures(state, { brokeragePerLeg: loc.resolved.config.BROKERAGE_PER_TRADE_RUPEES, slippagePerTrade: loc.resolved.config.SLIPPAGE_RUPEES }, null);
  const out: string[] = [];
  const since = g.since !== null ? ` since ${formatIstTime(g.since).slice(0, 8)} IST` : '';
  const why = g.state === 'ACTIVE' ? '' : `: ${trippedReason(state, limits)}`;
  const cooldown = g.reason === 'cooldown' && g.cooldownUntil !== null ? ` until ${formatIstTime(g.cooldownUntil).slice(0, 5)} IST` : '';
  out.push(`guard ${g.state}${since}${why}${cooldown} — ${loc.label}, day ${day}`);
  if (day !== today) out.push(`note: this saved day is ${day}; today (${today}) starts ACTIVE at the bot's next look`);
  const loss = limits.maxDailyLoss > 0 ? ` / −₹${limits.maxDailyLoss.toFixed(0)} loss limit${f.dayPnl < 0 ? ` (${pct(-f.dayPnl, limits.maxDailyLoss)})` : ''}${lossBreached(f, limits) ? ' BREACHED' : ''}` : ' (loss limit off)';
  out.push(`day P&L      ${rupees(f.dayPnl)}${loss} | realised ${rupees(f.realised)}, open ${rupees(f.open)}`);
  const held = heldQuantity(state);
  if (held !== 0) out.push(`position     ${held > 0 ? 'LONG' : 'SHORT'} ${Math.abs(held)}: open counted at the entry price here; the running bot counts it at LTP`);
  out.push(`profit       target ${limits.dailyProfitTarget > 0 ? `₹${limits.dailyProfitTarget.toFixed(0)}` : 'off'} | lock ${limits.profitLock > 0 ? `from ₹${limits.profitLock.toFixed(0)}, peak ₹${g.peak.toFixed(0)}, trips at ₹${(g.peak / 2).toFixed(2)}` : 'off'}`);
  out.push(`trades       ${f.trades}${limits.maxTradesPerDay > 0 ? ` / ${limits.maxTradesPerDay}` : ' (limit off)'}`);
  out.push(`losses       ${f.lossStreak} in a row${limits.maxConsecutiveLosses > 0 ? ` / ${limits.maxConsecutiveLosses}, cooldown ${limits.cooldownMinutes > 0 ? `${limits.cooldownMinutes} min` : 'rest of the day'}` : ' (limit off)'}`);
  if (g.tripped) out.push(`tripped at   ${figuresText(g.tripped)}`);
  if (g.waived.length > 0) out.push(`waived today ${g.waived.join(', ')} (guard resume)`);
  for (const h of g.history) out.push(`  ${formatIstTime(h.at).slice(0, 8)} ${h.state.padEnd(8)} day ${rupees(h.dayPnl)}: ${h.note}`);
  out.push(`state file   ${loc.stateFile}`);
  return out;
}

/** One line in the bot's log file for today, as the bot itself writes them. */
function appendLog(loc: Located, now: number, text: string): void {
  const c = loc.resolved.config;
  if (!c.LOG_TO_FILE) return;
  const base = path.basename(loc.stateFile).replace(/\.state\.json$/, '');
  const file = path.join(c.STATE_DIR, 'logs', `${base}-${istParts(now).day}.log`);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(file, `${formatLine(now, 'INFO', 'GUARD', text)}\n`, { mode: 0o600 });
  } catch {
    // the log is a record, not a condition for the resume
  }
}

async function resume(loc: Located, opts: GuardCommandOptions): Promise<number> {
  const { io } = opts;
  const now = opts.now();
  const today = istParts(now).day;
  const state = loc.state;
  if (!state || state.guard.day !== today || state.guard.state === 'ACTIVE') {
    io.out(`guard is ACTIVE for ${loc.label} today: nothing to resume`);
    return EXIT.OK;
  }
  const costs = { brokeragePerLeg: loc.resolved.config.BROKERAGE_PER_TRADE_RUPEES, slippagePerTrade: loc.resolved.config.SLIPPAGE_RUPEES };
  const refusal = resumeRefusal(state.guard, guardFigures(state, costs, null), loc.limits);
  if (refusal) {
    appendLog(loc, now, `resume from the shell refused: ${refusal}`);
    io.err(`random-scalp: ${refusal}`);
    return EXIT.CONFIG;
  }
  io.out(`guard ${state.guard.state} for ${loc.label}: ${trippedReason(state, loc.limits)}`);
  let by: string;
  if (opts.confirm !== undefined) {
    if (opts.confirm !== 'RESUME') {
      io.err(`random-scalp: --confirm must be the word RESUME (got ${JSON.stringify(opts.confirm)}): not resumed`);
      return EXIT.CONFIG;
    }
    by = 'guard resume --confirm';
  } else if (opts.prompt) {
    const answer = (await opts.prompt('Type RESUME to allow new entries again today: ')).trim();
    if (answer !== 'RESUME') {
      io.err('random-scalp: not resumed (the word was not RESUME)');
      return EXIT.CONFIG;
    }
    by = 'guard resume (typed RESUME)';
  } else {
    io.err('random-scalp: guard resume needs a terminal to type RESUME; from a script pass --confirm RESUME');
    return EXIT.CONFIG;
  }
  const requests = new ResumeRequestFile(resumeRequestPath(loc.stateFile));
  requests.write({ day: today, at: now, by });
  appendLog(loc, now, `resume requested from the shell (${by})`);
  // A running bot takes the request within a quote poll; otherwise it waits for the next start.
  for (let waited = 0; waited < opts.waitMs && requests.pending(); waited += 200) await opts.sleep(200);
  if (requests.pending()) {
    io.out(`resume requested: no running bot took it within ${(opts.waitMs / 1000).toFixed(0)} s; it applies when the bot starts today`);
    return EXIT.OK;
  }
  const after = new JsonStateFile(loc.stateFile, parseEngineState).load();
  if (after?.guard.state === 'ACTIVE') {
    io.out(`resumed: the running bot is ACTIVE again (${figuresText(guardFigures(after, costs, null))})`);
    return EXIT.OK;
  }
  io.err('random-scalp: the running bot took the request but did not resume (see its log: [GUARD] resume … refused)');
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
      for (const line of guardStatusLines(loc, opts.now())) opts.io.out(line);
      return EXIT.OK;
    case 'resume':
      return resume(loc, opts);
    default:
      opts.io.err(`random-scalp: unknown guard action ${JSON.stringify(action)}: expected status or resume`);
      return EXIT.CONFIG;
  }
}
