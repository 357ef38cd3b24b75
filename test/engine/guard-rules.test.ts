import { describe, expect, it } from 'vitest';
import { evaluateGuard, guardHoldReason, initialGuardState, NO_LIMITS, resumeGuard, resumeRefusal, type GuardFigures, type GuardLimits, type GuardState } from '../../src/engine/guard.js';

// The guard's rules alone: figures and limits in, trading state out.

const T0 = Date.UTC(2026, 10, 24, 4, 0, 0);
const lim = (l: Partial<GuardLimits>): GuardLimits => ({ ...NO_LIMITS, ...l });
const fig = (f: Partial<GuardFigures>): GuardFigures => ({ realised: 0, open: 0, dayPnl: 0, trades: 0, lossStreak: 0, flat: true, ...f });

/** Feed a path of day P&L figures, returning the state after each. */
function walk(limits: GuardLimits, path: Partial<GuardFigures>[]): GuardState[] {
  let g = initialGuardState('2026-11-24');
  return path.map((f, i) => {
    g = evaluateGuard(g, fig(f), limits, T0 + i * 1000).next;
    return g;
  });
}

describe('guard rules', () => {
  it('the profit lock trips at a give-back to half the peak, only once the peak reached the lock', () => {
    const states = walk(lim({ profitLock: 400 }), [
      { dayPnl: 300, flat: false }, // peak 300 < 400: lock not armed
      { dayPnl: 140, flat: false }, // below half of 300, but not armed: ACTIVE
      { dayPnl: 520.9, flat: false }, // peak 520 (whole rupees)
      { dayPnl: 261, flat: false }, // above 260: ACTIVE
      { dayPnl: 260, flat: false }, // half of the peak: REDUCING
      { dayPnl: 255, flat: true }, // flat: HALTED
    ]);
    expect(states.map((s) => s.state)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'REDUCING', 'HALTED']);
    expect(states[2]?.peak).toBe(520);
    expect(states[5]).toMatchObject({ reason: 'profit_lock', tripped: { dayPnl: 255 } });
  });

  it('the loss limit wins over a REDUCING profit target and asks for a flatten', () => {
    const limits = lim({ dailyProfitTarget: 200, maxDailyLoss: 100 });
    let g = evaluateGuard(initialGuardState('d'), fig({ dayPnl: 210, flat: false }), limits, T0).next;
    expect(g).toMatchObject({ state: 'REDUCING', reason: 'profit_target' });
    // Sticky: a give-back does not reopen entries.
    g = evaluateGuard(g, fig({ dayPnl: 50, flat: false }), limits, T0 + 1).next;
    expect(g.state).toBe('REDUCING');
    const d = evaluateGuard(g, fig({ dayPnl: -100, realised: 0, open: -100, flat: false }), limits, T0 + 2);
    expect(d).toMatchObject({ changed: true, flatten: true, next: { state: 'HALTED', reason: 'loss_limit' } });
    // Halted and still holding: flatten again; halted and flat: nothing to do.
    expect(evaluateGuard(d.next, fig({ dayPnl: -120, flat: false }), limits, T0 + 3)).toMatchObject({ changed: false, flatten: true });
    expect(evaluateGuard(d.next, fig({ dayPnl: -120, flat: true }), limits, T0 + 4)).toMatchObject({ changed: false, flatten: false });
  });

  it('a cooldown holds entries until it ends, then the streak counts afresh', () => {
    const limits = lim({ maxConsecutiveLosses: 3, cooldownMinutes: 5 });
    const g = evaluateGuard(initialGuardState('d'), fig({ lossStreak: 3 }), limits, T0).next;
    expect(g).toMatchObject({ state: 'REDUCING', reason: 'cooldown', cooldownUntil: T0 + 300_000 });
    expect(guardHoldReason(g, limits, T0 + 299_999)).toMatch(/cooling down 5 min until 09:35 IST/);
    expect(guardHoldReason(g, limits, T0 + 300_000)).toBeNull();
    const after = evaluateGuard(g, fig({ lossStreak: 3 }), limits, T0 + 300_000).next;
    expect(after).toMatchObject({ state: 'ACTIVE', streakFrom: T0 + 300_000, cooldownUntil: null });
    // Without a cooldown the streak halts the day.
    expect(evaluateGuard(initialGuardState('d'), fig({ lossStreak: 3 }), lim({ maxConsecutiveLosses: 3 }), T0).next).toMatchObject({ state: 'HALTED', reason: 'consecutive_losses' });
  });

  it('resume: refused while the loss is breached; otherwise ACTIVE with the tripped limit waived for the day', () => {
    const limits = lim({ maxDailyLoss: 300, maxTradesPerDay: 5 });
    const byLoss = evaluateGuard(initialGuardState('d'), fig({ dayPnl: -300 }), limits, T0).next;
    expect(resumeRefusal(byLoss, fig({ dayPnl: -300 }), limits)).toMatch(/still breached/);
    expect(resumeRefusal(byLoss, fig({ dayPnl: -300 }), lim({ maxDailyLoss: 500 }))).toBeNull();
    const byTrades = evaluateGuard(initialGuardState('d'), fig({ trades: 5, dayPnl: 40 }), limits, T0).next;
    expect(byTrades).toMatchObject({ state: 'HALTED', reason: 'max_trades' });
    expect(resumeRefusal(byTrades, fig({ trades: 5, dayPnl: 40 }), limits)).toBeNull();
    const resumed = resumeGuard(byTrades, fig({ trades: 5, dayPnl: 40 }), T0 + 1);
    expect(resumed).toMatchObject({ state: 'ACTIVE', waived: ['max_trades'] });
    expect(evaluateGuard(resumed, fig({ trades: 9, dayPnl: 40 }), limits, T0 + 2).next.state).toBe('ACTIVE');
    // …but the loss limit still applies.
    expect(evaluateGuard(resumed, fig({ trades: 9, dayPnl: -300 }), limits, T0 + 3).next.state).toBe('HALTED');
    expect(resumeRefusal(initialGuardState('d'), fig({}), limits)).toMatch(/nothing to resume/);
  });
});
