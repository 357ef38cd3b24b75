// The session guard's line on the dashboard: words for every state, amber from 80 % of a limit,
// a banner while HALTED, the bell once per halt, and a frame that still fits 80×24.

import { afterEach, describe, expect, test } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { createAppStore } from '../../src/store/store.js';
import type { GuardView } from '../../src/store/types.js';
import { BELL } from '../../screens/hooks/useBell.js';
import { guardLineText } from '../../screens/panels/GuardLine.js';
import { FIXTURE_NOW, putStoreIn } from './fixtures.js';
import { linesOf, renderApp, wait } from './harness.js';

afterEach(() => cleanup());

function view(over: Partial<GuardView> = {}): GuardView {
  return {
    on: true,
    state: 'ACTIVE',
    reason: null,
    since: null,
    dayPnl: -1240,
    realised: -1100,
    open: -140,
    trades: 7,
    lossStreak: 2,
    peak: 0,
    cooldownUntil: null,
    limits: { maxDailyLoss: 2000, dailyProfitTarget: 0, profitLock: 0, maxTradesPerDay: 20, maxConsecutiveLosses: 3, cooldownMinutes: 15 },
    halts: 0,
    ...over,
  };
}

function storeWith(g: GuardView) {
  const store = putStoreIn(createAppStore(), 'protected');
  store.getState().guardChanged(g);
  return store;
}

describe('guard line', () => {
  test('ACTIVE: the day against the loss limit with a bar, trades and losses in a row against theirs', () => {
    const r = renderApp({ store: storeWith(view()), columns: 120, rows: 34 });
    const line = linesOf(r.frame()).find((l) => l.startsWith('GUARD')) ?? '';
    expect(line).toBe('GUARD ACTIVE | day -₹1,240.00 / -₹2,000 [██████░░░░] 62% | trades 7/20 | losses in a row 2/3');
  });

  test('from 80 % of a limit it says NEAR LIMIT (amber)', () => {
    const t = guardLineText(view({ dayPnl: -1600 }), 'wide');
    expect(t).toMatchObject({ state: 'GUARD ACTIVE, NEAR LIMIT', stateTone: 'warn' });
    expect(guardLineText(view({ dayPnl: -1590 }), 'wide').stateTone).toBe('good');
    expect(guardLineText(view({ dayPnl: 0, lossStreak: 3, limits: { ...view().limits, maxConsecutiveLosses: 3 } }), 'wide').state).toContain('NEAR LIMIT');
  });

  test('REDUCING says why and that no new entries go out; a cooldown says until when', () => {
    const until = FIXTURE_NOW + 15 * 60_000;
    const t = guardLineText(view({ state: 'REDUCING', reason: '3 losses in a row: cooling down 15 min', cooldownUntil: until }), 'compact');
    expect(t.state).toBe('GUARD REDUCING');
    expect(t.rest).toMatch(/^3 losses in a row: cooling down 15 min until 10:30: no new entries/);
  });

  test('HALTED: red banner with the reason and the time, and the frame still fits 80×24', () => {
    const g = view({ state: 'HALTED', reason: 'daily loss limit −₹2000 reached', since: FIXTURE_NOW, dayPnl: -2050, open: 0 });
    const r = renderApp({ store: storeWith(g), columns: 80, rows: 24 });
    const f = r.frame();
    expect(f).toContain('GUARD HALTED');
    expect(f).toContain('!! HALTED 10:15:30 IST: daily loss limit −₹2000 reached; flat, no entries today');
    expect(linesOf(f).length).toBeLessThanOrEqual(23);
  });

  test('no limit set: no guard line at all', () => {
    const r = renderApp({ state: 'protected', columns: 80, rows: 24 });
    expect(r.frame()).not.toContain('GUARD');
  });

  test('the bell rings once per halt', async () => {
    const store = storeWith(view());
    const r = renderApp({ store });
    await wait();
    const bells = (): number => r.frames.filter((f) => f === BELL).length;
    expect(bells()).toBe(0);
    store.getState().guardChanged(view({ state: 'HALTED', reason: 'x', since: FIXTURE_NOW, halts: 1 }));
    await wait();
    expect(bells()).toBe(1);
    store.getState().guardChanged(view({ state: 'HALTED', reason: 'x', since: FIXTURE_NOW, halts: 1, dayPnl: -2100 }));
    await wait();
    expect(bells()).toBe(1);
  });
});
