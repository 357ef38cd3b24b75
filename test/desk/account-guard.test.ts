import { describe, expect, it } from 'vitest';
import { AccountGuard, type AccountMember } from '../../src/desk/account-guard.js';
import { NO_LIMITS, type GuardFigures, type GuardLimits, type GuardState } from '../../src/engine/guard.js';
import { MemoryResumeRequests } from '../../src/engine/guard-resume.js';
import { MemoryStateFile } from '../../src/engine/persistence.js';
import { createLogger } from '../../src/log/logger.js';
import { createAppStore } from '../../src/store/store.js';
import type { GuardView } from '../../src/store/types.js';
import { FakeClock } from '../../src/time/clock.js';
import type { EngineEvent } from '../../src/engine/events.js';

const ist = (iso: string): number => Date.parse(`${iso}+05:30`);

interface FakeMember extends AccountMember {
  f: GuardFigures;
  closed: { closedAt: number; net: number }[];
  inProgress: boolean;
  flattens: number;
  holds: number;
  events: EngineEvent[];
  lines(): string[];
}

function member(key: string, clock: FakeClock): FakeMember {
  const store = createAppStore();
  const m: FakeMember = {
    key,
    f: { realised: 0, open: 0, dayPnl: 0, trades: 0, lossStreak: 0, flat: true },
    closed: [],
    inProgress: false,
    flattens: 0,
    holds: 0,
    events: [],
    figures: () => m.f,
    trades: () => m.closed,
    tradeInProgress: () => m.inProgress,
    flatten: () => { m.flattens++; },
    holdChanged: () => { m.holds++; },
    log: createLogger({ store, clock, secrets: [] }),
    emit: (e) => { m.events.push(e); },
    lines: () => store.getState().log.map((l) => `${l.tag} ${l.text}`),
  };
  return m;
}

function account(limits: Partial<GuardLimits>, clock: FakeClock, file = new MemoryStateFile<GuardState>(), requests = new MemoryResumeRequests()) {
  const views: GuardView[] = [];
  const guard = new AccountGuard({ limits: { ...NO_LIMITS, ...limits }, clock, stateFile: file, resumeRequests: requests, publish: (v) => views.push(v) });
  const a = member('A@NFO', clock);
  const b = member('B@NFO', clock);
  guard.join(a);
  guard.join(b);
  return { guard, a, b, views, file, requests };
}

const holding = (realised: number, open: number): GuardFigures => ({ realised, open, dayPnl: realised + open, trades: 0, lossStreak: 0, flat: false });

describe('the account guard over several instruments', () => {
  it('a loss across both instruments — neither alone at the limit — halts and flattens both', () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    const { guard, a, b, views, file } = account({ maxDailyLoss: 1000 }, clock);
    a.f = holding(-300, -300);
    b.f = holding(0, -300);
    guard.look();
    expect(guard.heldReason()).toBeNull();
    b.f = holding(0, -450);
    guard.look();
    expect(a.flattens).toBe(1);
    expect(b.flattens).toBe(1);
    expect(guard.heldReason()).toMatch(/^account guard HALTED: daily loss limit −₹1000 reached/);
    expect(file.saved?.state).toBe('HALTED');
    expect(file.saved?.reason).toBe('loss_limit');
    expect(views.at(-1)).toMatchObject({ state: 'HALTED', dayPnl: -1050 });
    expect(a.lines().some((l) => l.startsWith('GUARD account HALTED'))).toBe(true);
    expect(b.lines().some((l) => l.startsWith('GUARD account HALTED'))).toBe(true);
    // One alert for the account, not one per instrument.
    expect(a.events.filter((e) => e.type === 'notable')).toHaveLength(1);
    expect(b.events).toHaveLength(0);
    expect(a.holds).toBeGreaterThan(0);
    // Flat again: no more flattens; still halted for the day.
    a.f = { ...a.f, open: 0, dayPnl: a.f.realised, flat: true };
    b.f = { realised: -450, open: 0, dayPnl: -450, trades: 1, lossStreak: 1, flat: true };
    guard.look();
    expect(a.flattens + b.flattens).toBe(2);
    expect(guard.heldReason()).not.toBeNull();
  });

  it('MAX_TRADES_PER_DAY counts every instrument together', () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    const { guard, a, b } = account({ maxTradesPerDay: 3 }, clock);
    a.f = { realised: 10, open: 0, dayPnl: 10, trades: 2, lossStreak: 0, flat: true };
    b.f = { realised: 5, open: 0, dayPnl: 5, trades: 0, lossStreak: 0, flat: true };
    guard.look();
    expect(guard.heldReason()).toBeNull();
    b.f = { ...b.f, trades: 1 };
    guard.look();
    expect(guard.heldReason()).toMatch(/account guard HALTED: 3 trades today/);
    expect(a.flattens + b.flattens).toBe(0);
  });

  it('MAX_TRADES_PER_DAY counts the other instruments\' trades in progress: two flat instruments at the limit − 1 cannot both enter', () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    const { guard, a } = account({ maxTradesPerDay: 3 }, clock);
    a.f = { realised: 10, open: 0, dayPnl: 10, trades: 2, lossStreak: 0, flat: true };
    guard.look();
    expect(guard.entryHeldReason('A@NFO')).toBeNull();
    expect(guard.entryHeldReason('B@NFO')).toBeNull();
    // A's entry went to the broker: B's is now the fourth trade of the day.
    a.inProgress = true;
    expect(guard.entryHeldReason('A@NFO')).toBeNull();
    expect(guard.entryHeldReason('B@NFO')).toBe('account trade limit: 2 closed + 1 in progress of 3 today (MAX_TRADES_PER_DAY)');
    // A's entry got no fill: B may go.
    a.inProgress = false;
    expect(guard.entryHeldReason('B@NFO')).toBeNull();
  });

  it('losses in a row count across instruments in closing order', () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    const { guard, a, b } = account({ maxConsecutiveLosses: 3 }, clock);
    a.closed = [{ closedAt: 1, net: -5 }, { closedAt: 3, net: -5 }];
    b.closed = [{ closedAt: 2, net: 8 }];
    expect(guard.figures().lossStreak).toBe(1);
    b.closed = [{ closedAt: 0, net: 8 }, { closedAt: 2, net: -1 }];
    expect(guard.figures().lossStreak).toBe(3);
    guard.look();
    expect(guard.heldReason()).toMatch(/3 losses in a row/);
  });

  it('its state is kept for the day across a restart, and a new day starts ACTIVE', () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    const first = account({ maxDailyLoss: 100 }, clock);
    first.a.f = holding(-150, 0);
    first.guard.look();
    const again = account({ maxDailyLoss: 100 }, clock, first.file);
    expect(again.guard.heldReason()).toMatch(/HALTED/);
    const tomorrow = new FakeClock(ist('2026-12-03T09:00:00'));
    const next = account({ maxDailyLoss: 100 }, tomorrow, first.file);
    expect(next.guard.heldReason()).toBeNull();
  });

  it('guard resume: refused while the summed loss is still past the limit, granted otherwise', () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    const { guard, a, b, requests } = account({ maxDailyLoss: 100, maxTradesPerDay: 1 }, clock);
    a.f = { realised: 20, open: 0, dayPnl: 20, trades: 1, lossStreak: 0, flat: true };
    guard.look();
    expect(guard.heldReason()).toMatch(/1 trades today/);
    requests.request = { day: '2026-12-02', at: clock.now(), by: 'test' };
    guard.takeResume();
    expect(guard.heldReason()).toBeNull();
    expect(b.lines().some((l) => l.includes('account ACTIVE: resumed by the trader (test)'))).toBe(true);
    a.f = holding(-200, 0);
    guard.look();
    requests.request = { day: '2026-12-02', at: clock.now(), by: 'test' };
    guard.takeResume();
    expect(guard.heldReason()).toMatch(/loss limit/);
    expect(a.lines().some((l) => l.includes('account resume (test) refused'))).toBe(true);
  });
});
