import { describe, it } from 'vitest';
import { dayArbitrary } from './day-arbitrary.js';
import { dayHolds, DAYS_TIMEOUT_MS, propertyDays, RUNS } from './property-days.js';
import { REGRESSIONS } from './regressions.js';

process.env.TZ = 'America/New_York';

// Whole trading days through the real engine on fake time, with a moving paper market, broker
// faults, trader commands and crashes; the broker's books are checked every 250 ms of fake time
// (the invariants are listed and explained in day-runner.ts).
//
// `npm test` runs 200 days with a fresh seed each time; `npm run test:soak` (SOAK=1) runs
// 10,000 (SOAK_DAYS=n for another count); desk days (several instruments) are desk-day.test.ts's.
// A failure prints the seed, the path and the shrunk day (fast-check's report)
// plus the engine's log; FC_SEED=<seed> FC_PATH=<path> replays it.
// A day that failed goes into regressions.ts as it is printed ("Counterexample: [{…}]").


describe('trading days under faults, commands and crashes', () => {
  it(`${RUNS} generated days keep every invariant`, async () => {
    await propertyDays('trading days', dayArbitrary(), RUNS);
  }, DAYS_TIMEOUT_MS);

  describe('regressions: days that once failed', () => {
    for (const reg of REGRESSIONS) {
      it(`${reg.name}: ${reg.why}`, async () => {
        await dayHolds(reg.scenario);
      }, 60_000);
    }
  });
});
