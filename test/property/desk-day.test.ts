import { describe, it } from 'vitest';
import { deskDayArbitrary } from './day-arbitrary.js';
import { DAYS_TIMEOUT_MS, propertyDays, RUNS, SOAK } from './property-days.js';

process.env.TZ = 'America/New_York';

// Desk days: the trading days of trading-day.test.ts on 2–3 instruments in one process (shared
// reads, one feed connection, aligned polls, the account guard always on), every invariant per
// instrument plus the account's (day-runner.ts lists them). 30 in `npm test` (DESK_DAYS=n), a
// fifth of SOAK_DAYS in the soak; saved desk days that once failed are among regressions.ts's.

const DESK_RUNS = Number(process.env.DESK_DAYS ?? (SOAK ? Math.max(1, Math.round(RUNS / 5)) : 30));

describe('desk days: several instruments in one process under faults, commands and crashes', () => {
  it(`${DESK_RUNS} generated desk days (2–3 instruments, account guard) keep every invariant, per instrument and for the account`, async () => {
    await propertyDays('desk days', deskDayArbitrary(), DESK_RUNS);
  }, DAYS_TIMEOUT_MS);
});
