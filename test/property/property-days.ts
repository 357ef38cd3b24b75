import fc from 'fast-check';
import { expect } from 'vitest';
import { runDay, type DayReport, type DayScenario } from './day-runner.js';

// Running generated days under fast-check (trading-day.test.ts, desk-day.test.ts): a failure
// names the broken invariant, prints the day's log, the seed and the path to replay it.

export const SOAK = Boolean(process.env.SOAK);
export const RUNS = SOAK ? Number(process.env.SOAK_DAYS ?? 10_000) : Number(process.env.DAYS ?? 200);
/** The time limit of a test that runs generated days. */
export const DAYS_TIMEOUT_MS = SOAK ? 24 * 3_600_000 : 900_000;

export async function dayHolds(sc: DayScenario): Promise<DayReport> {
  const r = await runDay(sc);
  if (r.violations.length > 0) {
    const tail = r.log.slice(-150).join('\n');
    throw new Error(`${r.violations.length} violation(s):\n  ${r.violations.join('\n  ')}\n--- log (last 150 lines) ---\n${tail}`);
  }
  return r;
}

/** fast-check over generated days: every invariant holds on each, the failure says which broke and how to replay it. */
export async function propertyDays(what: string, days: fc.Arbitrary<DayScenario>, runs: number): Promise<void> {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 2 ** 31);
  const stats = { days: 0, trades: 0, shortTrades: 0, ruleExits: 0, stopMoves: 0, partials: 0, crashes: 0, doubleReconciles: 0, guardDays: 0, halts: 0, lossHalts: 0, positions: 0 };
  const property = fc.asyncProperty(days, async (sc) => {
    stats.days++;
    const r = await dayHolds(sc);
    stats.trades += r.trades;
    stats.shortTrades += r.shortTrades;
    stats.ruleExits += r.ruleExits;
    stats.stopMoves += r.stopMoves;
    stats.partials += r.partials;
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
  console.log(`${what}: ${stats.days} days, ${stats.trades} round trips (${stats.shortTrades} short, ${stats.ruleExits} closed by the exit rules after ${stats.stopMoves} stop moves, ${stats.partials} partial targets; ${stats.positions} positions), ${stats.crashes} crashes, ${stats.doubleReconciles} double reconciliations, ${stats.guardDays} days with guard limits of which ${stats.halts} halted (${stats.lossHalts} account loss halts) (seed ${seed})`);
  expect(stats.days).toBeGreaterThanOrEqual(runs);
}

