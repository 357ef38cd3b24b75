import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayArbitrary, deskDayArbitrary } from './day-arbitrary.js';
import { runDay, type DayReport, type DayScenario } from './day-runner.js';
import { REGRESSIONS } from './regressions.js';

process.env.TZ = 'America/New_York';

// Whole trading days through the real engine on fake time, with a moving paper market, broker
// faults, trader commands and crashes; the broker's books are checked every 250 ms of fake time
// (the invariants are listed and explained in day-runner.ts).
//
// `npm test` runs 200 days with a fresh seed each time; `npm run test:soak` (SOAK=1) runs
// 10,000 (SOAK_DAYS=n for another count). Desk days (2–3 instruments in one process, the account
// guard on) run beside them: 30 in `npm test`, a fifth of SOAK_DAYS in the soak (DESK_DAYS=n for
// another count). A failure prints the seed, the path and the shrunk day (fast-check's report)
// plus the engine's log; FC_SEED=<seed> FC_PATH=<path> replays it.
// A day that failed goes into regressions.ts as it is printed ("Counterexample: [{…}]").

const SOAK = Boolean(process.env.SOAK);
const RUNS = SOAK ? Number(process.env.SOAK_DAYS ?? 10_000) : Number(process.env.DAYS ?? 200);
// Desk days (several instruments in one process): a fifth of the soak's days, 30 in `npm test`.
const DESK_RUNS = Number(process.env.DESK_DAYS ?? (SOAK ? Math.max(1, Math.round(RUNS / 5)) : 30));

async function dayHolds(sc: DayScenario): Promise<DayReport> {
  const r = await runDay(sc);
  if (r.violations.length > 0) {
    const tail = r.log.slice(-150).join('\n');
    throw new Error(`${r.violations.length} violation(s):\n  ${r.violations.join('\n  ')}\n--- log (last 150 lines) ---\n${tail}`);
  }
  return r;
}

/** fast-check over generated days: every invariant holds on each, the failure says which broke and how to replay it. */
async function propertyDays(what: string, days: fc.Arbitrary<DayScenario>, runs: number): Promise<void> {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 2 ** 31);
  const stats = { days: 0, trades: 0, crashes: 0, doubleReconciles: 0, guardDays: 0, halts: 0, lossHalts: 0, positions: 0 };
  const property = fc.asyncProperty(days, async (sc) => {
    stats.days++;
    const r = await dayHolds(sc);
    stats.trades += r.trades;
    stats.crashes += r.crashes;
    stats.doubleReconciles += r.doubleReconciles;
    stats.positions += r.positions.reduce((a, b) => a + b, 0);
    if (sc.guard) stats.guardDays++;
    if (r.guardHalted) stats.halts++;
    if (r.accountLossHalted) stats.lossHalts++;
  });
  try {
    await fc.assert(property, {
      numRuns: runs,
      seed,
      verbose: 1,
      ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
      // Shrinking re-runs whole days: bound it so a failure is reported in reasonable time.
      interruptAfterTimeLimit: SOAK ? 6 * 3_600_000 : 600_000,
      markInterruptAsFailure: false,
    });
  } catch (err) {
    // fast-check's report has the seed, the path and the shrunk day; say how to replay it too.
    // fast-check 4 keeps the predicate's own error (which invariant broke, and the day's log)
    // in `cause`: print it, not just fast-check's summary.
    const cause = err instanceof Error && err.cause instanceof Error ? `\n--- the day's failure ---\n${err.cause.message}` : '';
    throw new Error(`replay with FC_SEED=${seed} (and FC_PATH from the report)\n${err instanceof Error ? err.message : String(err)}${cause}`);
  }
  console.log(`${what}: ${stats.days} days, ${stats.trades} round trips (${stats.positions} positions), ${stats.crashes} crashes, ${stats.doubleReconciles} double reconciliations, ${stats.guardDays} days with guard limits of which ${stats.halts} halted (${stats.lossHalts} account loss halts) (seed ${seed})`);
  expect(stats.days).toBeGreaterThanOrEqual(runs);
}

describe('trading days under faults, commands and crashes', () => {
  it(`${RUNS} generated days keep every invariant`, async () => {
    await propertyDays('trading days', dayArbitrary(), RUNS);
  }, SOAK ? 24 * 3_600_000 : 900_000);

  it(`${DESK_RUNS} generated desk days (2–3 instruments, account guard) keep every invariant, per instrument and for the account`, async () => {
    await propertyDays('desk days', deskDayArbitrary(), DESK_RUNS);
  }, SOAK ? 24 * 3_600_000 : 900_000);

  describe('regressions: days that once failed', () => {
    for (const reg of REGRESSIONS) {
      it(`${reg.name}: ${reg.why}`, async () => {
        await dayHolds(reg.scenario);
      }, 60_000);
    }
  });
});
