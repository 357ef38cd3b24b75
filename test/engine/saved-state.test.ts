import { describe, expect, it } from 'vitest';
import { SavedState } from '../../src/engine/saved-state.js';
import type { TrackedOrder } from '../../src/engine/order-machine.js';
import { initialEngineState, type EngineState } from '../../src/engine/state.js';

// commit() saves only when the state differs from the one last saved: a change it missed would
// be a state file that lags the engine, a change it invents a needless fsync and a version bump.

const order = (role: TrackedOrder['role']): TrackedOrder => ({
  role,
  orderId: `o-${role}`,
  phase: 'working',
  request: { symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO', action: 'SELL', quantity: 130, priceType: 'LIMIT', product: 'MIS', price: 102 },
  filled: 0,
  avgPrice: null,
  placedAt: 1,
  misses: 0,
});

function saved(state: EngineState): SavedState {
  const s = new SavedState();
  expect(s.changes(state).any).toBe(true); // nothing saved yet
  s.remember(state);
  expect(s.changes(state).any).toBe(false);
  return s;
}

describe('SavedState', () => {
  it('sees a change deep inside an order, and forgets nothing because the state is mutated in place', () => {
    const state = initialEngineState('2026-11-24', false);
    state.orders.push(order('target'), order('stop'));
    const s = saved(state);
    (state.orders[1] as TrackedOrder).request.triggerPrice = 99;
    expect(s.changes(state).any).toBe(true);
    s.remember(state);
    (state.orders[0] as TrackedOrder).filled = 65;
    expect(s.changes(state).any).toBe(true);
    (state.orders[0] as TrackedOrder).filled = 0;
    expect(s.changes(state).any).toBe(false); // back to what was saved
  });

  it('counts a key added (even as undefined) or removed as a change, and a value of another type', () => {
    const state = initialEngineState('2026-11-24', false);
    const s = saved(state);
    state.partialTaken = undefined;
    expect(s.changes(state).any).toBe(true);
    s.remember(state);
    expect(s.changes(state).any).toBe(false);
    delete state.partialTaken;
    expect(s.changes(state).any).toBe(true);
    s.remember(state);
    state.anchor = 0;
    expect(s.changes(state).any).toBe(true);
    s.remember(state);
    state.outsideTaken = {};
    expect(s.changes(state).any).toBe(true);
    s.remember(state);
    state.outsideTaken = { x: 1 };
    expect(s.changes(state).any).toBe(true);
  });

  it('tells the append-only lists apart by length and ends: a trade booked, the front trimmed, an order id seen, a new day', () => {
    const state = initialEngineState('2026-11-24', false);
    const trade = { openedAt: 0, closedAt: 1, entry: 100, exit: 102, quantity: 130, reason: 'target' } as EngineState['trades'][number];
    state.trades.push(trade, { ...trade, closedAt: 2 });
    state.knownOrderIds.push('a', 'b');
    const s = saved(state);
    state.trades.push({ ...trade, closedAt: 3 });
    expect(s.changes(state).any).toBe(true);
    s.remember(state);
    state.trades.shift();
    state.trades.push({ ...trade, closedAt: 4 });
    expect(s.changes(state).any).toBe(true); // same length, other ends
    s.remember(state);
    state.knownOrderIds.shift();
    state.knownOrderIds.push('c');
    expect(s.changes(state).any).toBe(true);
    s.remember(state);
    state.trades = [];
    expect(s.changes(state).any).toBe(true);
  });

  it('overlooked fields: a change of the guard\'s marks or the bar count is saved but is not beyond them; an order\'s is', () => {
    const state = initialEngineState('2026-11-24', false);
    state.orders.push(order('target'));
    const s = new SavedState(['guard', 'barCount']);
    s.remember(state);
    state.barCount += 1;
    state.guard = { ...state.guard, peak: 500 };
    expect(s.changes(state)).toEqual({ any: true, beyondOverlooked: false });
    (state.orders[0] as TrackedOrder).request.quantity = 65;
    expect(s.changes(state)).toEqual({ any: true, beyondOverlooked: true });
    s.remember(state);
    expect(s.changes(state)).toEqual({ any: false, beyondOverlooked: false });
    state.trades.push({ openedAt: 0, closedAt: 1, entry: 100, exit: 102, quantity: 130, reason: 'target' } as EngineState['trades'][number]);
    expect(s.changes(state)).toEqual({ any: true, beyondOverlooked: true });
  });
});
