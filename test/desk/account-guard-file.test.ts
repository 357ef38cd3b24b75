import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountGuardFile, accountGuardFileName } from '../../src/desk/account-guard-file.js';
import { initialGuardState, type GuardState } from '../../src/engine/guard.js';

// The account's day is the set of instruments', not the SYMBOLS order's: reordering, adding or
// dropping an instrument keeps a halt and the profit-lock peak.

const TODAY = '2026-12-03';
const A = 'NIFTY29DEC2625000CE@NFO';
const B = 'NIFTY29DEC2625000PE@NFO';
const C = 'BANKNIFTY29DEC2655000CE@NFO';

function dir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rs-account-'));
}
const halted = (day = TODAY): GuardState => ({ ...initialGuardState(day), state: 'HALTED', reason: 'profit_lock', peak: 2400 });

describe('the account guard file', () => {
  it('is named by the set of instruments: the SYMBOLS order does not matter', () => {
    expect(accountGuardFileName('live', [B, A])).toBe(accountGuardFileName('live', [A, B]));
    const d = dir();
    new AccountGuardFile(d, 'live', [A, B], () => TODAY).save(halted());
    expect(new AccountGuardFile(d, 'live', [B, A], () => TODAY).load()).toMatchObject({ state: 'HALTED', peak: 2400 });
  });

  it('an instrument added during the day carries today\'s state over, and says so', () => {
    const d = dir();
    new AccountGuardFile(d, 'live', [A, B], () => TODAY).save(halted());
    const told: string[] = [];
    const grown = new AccountGuardFile(d, 'live', [A, B, C], () => TODAY, (l) => told.push(l));
    expect(grown.load()).toMatchObject({ state: 'HALTED', reason: 'profit_lock', peak: 2400 });
    expect(told).toEqual([`account guard: today's state carried over from ${accountGuardFileName('live', [A, B])} (the instruments changed): HALTED`]);
    // Dropped again (A and C only): still the account's day.
    expect(new AccountGuardFile(d, 'live', [A, C], () => TODAY).load()).toMatchObject({ state: 'HALTED' });
  });

  it('a file of the SYMBOLS order (before this change) is carried over too', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, `live-account-${B}+${A}.guard.json`), JSON.stringify(halted()));
    expect(new AccountGuardFile(d, 'live', [B, A], () => TODAY).load()).toMatchObject({ state: 'HALTED' });
  });

  it('never from another day, another mode, or a desk with no instrument in common', () => {
    const d = dir();
    new AccountGuardFile(d, 'live', [A, B], () => '2026-12-02').save(halted('2026-12-02'));
    new AccountGuardFile(d, 'paper', [A, C], () => TODAY).save(halted());
    fs.writeFileSync(path.join(d, accountGuardFileName('live', ['Y@NSE', 'X@NSE'])), JSON.stringify(halted()));
    expect(new AccountGuardFile(d, 'live', [A, C], () => TODAY).load()).toBeNull();
    // Its own file of another day is what load() gives (the guard starts the new day ACTIVE from it).
    expect(new AccountGuardFile(d, 'live', [A, B], () => TODAY).load()).toMatchObject({ day: '2026-12-02' });
  });
});
