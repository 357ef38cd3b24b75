import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { initialGuardState } from '../../src/engine/guard.js';
import { ResumeRequestFile } from '../../src/engine/guard-resume.js';
import { JsonStateFile } from '../../src/engine/persistence.js';
import { istParts } from '../../src/time/ist.js';
import { defaultPaperSymbol } from '../../src/time/expiry.js';
import { initialEngineState, parseEngineState, type EngineState } from '../../src/engine/state.js';

// `random-scalp guard status | resume` against a saved state file in STATE_DIR.

// The paper default symbol is the near-month contract, derived from the clock.
const SYM = defaultPaperSymbol(Date.now());
const STATE = `paper-NFO-${SYM}.state.json`;

function harness(env: Record<string, string> = {}, prompt: ((q: string) => Promise<string>) | null = null) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-guard-'));
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const run = (argv: string[]): Promise<number> =>
    main(argv, {
      io: { out: (l) => out.push(l), err: (l) => err.push(l) },
      env: { STATE_DIR: dir, MAX_DAILY_LOSS_RUPEES: '300', ...env },
      cwd: dir,
      confCwd: dir,
      prompt: prompt ? (q) => (questions.push(q), prompt(q)) : null,
      guardWaitMs: 0,
    });
  const save = (state: EngineState): void => new JsonStateFile(path.join(dir, STATE), parseEngineState).save(state);
  const requests = new ResumeRequestFile(path.join(dir, STATE.replace('.state.json', '.guard-resume.json')));
  return { dir, out, err, questions, run, save, requests };
}

const today = istParts(Date.now()).day;

/** A day halted by the loss limit: two losing trades, −₹320. */
function haltedByLoss(): EngineState {
  const s = initialEngineState(today, false);
  s.pnl = { day: today, realised: -320, trades: 2, wins: 0, losses: 2 };
  const at = Date.now() - 60_000;
  s.trades = [
    { openedAt: at - 120_000, closedAt: at - 60_000, entry: 100, exit: 98.9, quantity: 150, reason: 'stop', gross: -165, costs: 40, net: -205 },
    { openedAt: at - 30_000, closedAt: at, entry: 99, exit: 98.5, quantity: 150, reason: 'loss_limit', gross: -75, costs: 40, net: -115 },
  ];
  s.guard = {
    ...initialGuardState(today),
    state: 'HALTED',
    reason: 'loss_limit',
    since: at,
    tripped: { realised: -205, open: -107.5, dayPnl: -312.5, trades: 1, lossStreak: 1, flat: false },
    history: [{ at, state: 'HALTED', reason: 'loss_limit', dayPnl: -312.5, note: 'daily loss limit −₹300 reached: flattening at market' }],
  };
  return s;
}

/** A day halted by MAX_TRADES_PER_DAY with the day up. */
function haltedByTrades(): EngineState {
  const s = haltedByLoss();
  s.pnl = { day: today, realised: 120, trades: 2, wins: 2, losses: 0 };
  s.trades = [];
  s.guard = { ...s.guard, reason: 'max_trades', tripped: { realised: 120, open: 0, dayPnl: 120, trades: 2, lossStreak: 0, flat: true } };
  return s;
}

describe('random-scalp guard', () => {
  it('guard status prints the day against the limits from the saved state', async () => {
    const h = harness({ MAX_TRADES_PER_DAY: '20' });
    h.save(haltedByLoss());
    expect(await h.run(['guard', 'status'])).toBe(0);
    const text = h.out.join('\n');
    expect(text).toMatch(new RegExp(`^guard HALTED since \\d\\d:\\d\\d:\\d\\d IST: daily loss limit −₹300 reached — paper ${SYM}@NFO, day \\d{4}-\\d\\d-\\d\\d`));
    expect(text).toContain('day P&L      −₹320.00 / −₹300 loss limit (107 %) BREACHED | realised −₹320.00, open ₹0.00');
    expect(text).toContain('trades       2 / 20');
    expect(text).toContain('losses       2 in a row (limit off)');
    expect(text).toContain('tripped at   day −₹312.50 (realised −₹205.00, open −₹107.50), trades 1, losses in a row 1');
    expect(text).toContain(`state file   ${path.join(h.dir, STATE)}`);
  });

  it('guard status with no saved state says ACTIVE', async () => {
    const h = harness();
    expect(await h.run(['guard', 'status'])).toBe(0);
    expect(h.out[0]).toMatch(new RegExp(`^guard ACTIVE \\(no saved state for paper ${SYM}@NFO`));
  });

  it('guard resume is refused while the loss limit is still breached (exit 1, logged, no request)', async () => {
    const h = harness({}, async () => 'RESUME');
    h.save(haltedByLoss());
    expect(await h.run(['guard', 'resume'])).toBe(1);
    expect(h.err.join('\n')).toMatch(/the daily loss limit is still breached .*resume refused/);
    expect(h.questions).toEqual([]);
    expect(h.requests.pending()).toBe(false);
    const log = fs.readFileSync(path.join(h.dir, 'logs', `paper-NFO-${SYM}-${today}.log`), 'utf8');
    expect(log).toMatch(/\[GUARD\] resume from the shell refused/);
  });

  it('guard resume without a terminal needs --confirm RESUME', async () => {
    const h = harness({ MAX_TRADES_PER_DAY: '2' });
    h.save(haltedByTrades());
    expect(await h.run(['guard', 'resume'])).toBe(1);
    expect(h.err.at(-1)).toBe('random-scalp: guard resume needs a terminal to type RESUME; from a script pass --confirm RESUME');
    expect(await h.run(['guard', 'resume', '--confirm', 'yes'])).toBe(1);
    expect(h.err.at(-1)).toMatch(/--confirm must be the word RESUME \(got "yes"\)/);
    expect(h.requests.pending()).toBe(false);
    expect(await h.run(['guard', 'resume', '--confirm', 'RESUME'])).toBe(0);
    expect(h.out.at(-1)).toMatch(/resume requested: no running bot took it within 0 s; it applies when the bot starts today/);
    expect(h.requests.take()).toMatchObject({ day: today, by: 'guard resume --confirm' });
  });

  it('guard resume on a terminal asks to type RESUME; anything else does not resume', async () => {
    const answers = ['yes', 'RESUME'];
    const h = harness({ MAX_TRADES_PER_DAY: '2' }, async () => answers.shift() ?? '');
    h.save(haltedByTrades());
    expect(await h.run(['guard', 'resume'])).toBe(1);
    expect(h.err.at(-1)).toBe('random-scalp: not resumed (the word was not RESUME)');
    expect(h.requests.pending()).toBe(false);
    expect(await h.run(['guard', 'resume'])).toBe(0);
    expect(h.questions).toEqual(['Type RESUME to allow new entries again today: ', 'Type RESUME to allow new entries again today: ']);
    expect(h.requests.take()).toMatchObject({ day: today, by: 'guard resume (typed RESUME)' });
  });

  it('guard resume when ACTIVE has nothing to do; an unknown action is a usage error', async () => {
    const h = harness();
    h.save(initialEngineState(today, false));
    expect(await h.run(['guard', 'resume'])).toBe(0);
    expect(h.out.at(-1)).toMatch(/guard is ACTIVE .*nothing to resume/);
    expect(await h.run(['guard', 'halt'])).toBe(1);
    expect(h.err.at(-1)).toBe('random-scalp: unknown guard action "halt": expected status or resume');
  });
});

describe('guard status and resume with several instruments (SYMBOLS)', () => {
  const CE = 'NIFTY29DEC2625000CE';
  const PE = 'NIFTY29DEC2625000PE';
  const ACCOUNT = `paper-account-${CE}@NFO+${PE}@NFO.guard.json`;

  function desk(env: Record<string, string> = {}) {
    const h = harness({ SYMBOLS: `${CE},${PE}`, ...env });
    const saveFor = (symbol: string, state: EngineState): void => new JsonStateFile(path.join(h.dir, `paper-NFO-${symbol}.state.json`), parseEngineState).save(state);
    const at = Date.now() - 60_000;
    const losing = (net: number): EngineState => {
      const s = initialEngineState(today, false);
      s.pnl = { day: today, realised: net, trades: 1, wins: 0, losses: 1 };
      s.trades = [{ openedAt: at - 60_000, closedAt: at, entry: 100, exit: 99, quantity: 150, reason: 'stop', gross: net, costs: 0, net }];
      return s;
    };
    // Neither instrument alone reached −₹300; together they did.
    saveFor(CE, losing(-180));
    saveFor(PE, losing(-150));
    const account = {
      ...initialGuardState(today),
      state: 'HALTED' as const,
      reason: 'loss_limit' as const,
      since: at,
      tripped: { realised: -330, open: 0, dayPnl: -330, trades: 2, lossStreak: 2, flat: true },
      history: [{ at, state: 'HALTED' as const, reason: 'loss_limit' as const, dayPnl: -330, note: 'daily loss limit −₹300 reached; no entries for the rest of the day' }],
    };
    fs.writeFileSync(path.join(h.dir, ACCOUNT), JSON.stringify(account));
    return h;
  }

  it('status shows the account (summed figures) first, then every instrument', async () => {
    const h = desk();
    expect(await h.run(['guard', 'status'])).toBe(0);
    const text = h.out.join('\n');
    expect(h.out[0]).toMatch(new RegExp(`^guard HALTED since .*: daily loss limit −₹300 reached — paper account \\(${CE}@NFO, ${PE}@NFO\\), day ${today}$`));
    expect(text).toMatch(/day P&L      −₹330.00 \/ −₹300 loss limit \(110 %\) BREACHED/);
    expect(text).toMatch(/trades       2 \(limit off\)/);
    expect(text).toMatch(new RegExp(`guard ACTIVE — paper ${CE}@NFO, day ${today}`));
    expect(text).toMatch(new RegExp(`guard ACTIVE — paper ${PE}@NFO, day ${today}`));
    expect(text).toContain(path.join(h.dir, ACCOUNT));
  });

  it('resume is refused while the summed loss is past the limit, and granted (a request for the account) when the limit was raised', async () => {
    const h = desk();
    expect(await h.run(['guard', 'resume', '--confirm', 'RESUME'])).toBe(1);
    expect(h.err.join('\n')).toMatch(/paper account .*: the daily loss limit is still breached \(day −₹330.00/);
    const raised = desk({ MAX_DAILY_LOSS_RUPEES: '500' });
    expect(await raised.run(['guard', 'resume', '--confirm', 'RESUME'])).toBe(0);
    expect(raised.out.join('\n')).toMatch(/no running bot took it/);
    const request = new ResumeRequestFile(path.join(raised.dir, ACCOUNT.replace('.guard.json', '.guard-resume.json')));
    expect(request.take()).toMatchObject({ day: today, by: 'guard resume --confirm' });
  });
});
