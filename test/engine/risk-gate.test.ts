import { describe, expect, it } from 'vitest';
import { entryHoldReason, gateRefusal, type HoldFacts } from '../../src/engine/risk-gate.js';
import type { OrderRequest } from '../../src/broker/types.js';
import { scenario } from './harness.js';

// One gate on the order path: every send is asked, every attempt; one hold list for the bar
// close, the re-send and the dashboard.

const has = (lines: string[], text: string): boolean => lines.some((l) => l.includes(text));

const clear: HoldFacts = {
  shuttingDown: () => false,
  recovered: () => true,
  sessionExpired: () => false,
  reachable: () => true,
  positionUnknown: () => false,
  positionDiffers: () => false,
  marketClosed: () => null,
  sessionGuard: () => null,
  accountGuard: () => null,
  paused: () => false,
  squaredOff: () => false,
  notFlat: () => null,
};

const sell = (quantity: number): OrderRequest => ({ symbol: 'X', exchange: 'NFO', product: 'MIS', action: 'SELL', quantity, priceType: 'MARKET' });
const buy = (quantity: number): OrderRequest => ({ ...sell(quantity), action: 'BUY' });

describe('the hold list', () => {
  it('nothing applies: null; each reason alone is named', () => {
    expect(entryHoldReason(clear)).toBeNull();
    expect(entryHoldReason({ ...clear, paused: () => true })).toBe('paused by trader (p to resume)');
    expect(entryHoldReason({ ...clear, reachable: () => false })).toBe('broker unreachable');
    expect(entryHoldReason({ ...clear, positionDiffers: () => true })).toMatch(/^position differs from the broker/);
    expect(entryHoldReason({ ...clear, squaredOff: () => true })).toBe('after square-off');
    expect(entryHoldReason({ ...clear, notFlat: () => 'already long protected' })).toBe('already long protected');
  });

  it('in its one order: the first reason is the one shown, later facts are not even asked', () => {
    const asked: string[] = [];
    const spy = Object.fromEntries(Object.entries(clear).map(([k, f]) => [k, () => { asked.push(k); return (f as () => unknown)(); }])) as unknown as HoldFacts;
    const all: HoldFacts = { ...spy, shuttingDown: () => { asked.push('shuttingDown'); return true; }, paused: () => true, accountGuard: () => 'account guard HALTED: …' };
    expect(entryHoldReason(all)).toBe('shutting down');
    expect(asked).toEqual(['shuttingDown']);
    expect(entryHoldReason({ ...clear, paused: () => true, accountGuard: () => 'account guard HALTED: x', marketClosed: () => 'holiday' })).toBe('holiday');
    expect(entryHoldReason({ ...clear, paused: () => true, accountGuard: () => 'account guard HALTED: x' })).toBe('account guard HALTED: x');
  });
});

describe('the gate', () => {
  it('an entry is asked of the hold list; closing orders are not held by it', () => {
    expect(gateRefusal('entry', buy(150), 0, () => 'paused by trader (p to resume)')).toBe('paused by trader (p to resume)');
    expect(gateRefusal('entry', buy(150), 0, () => null)).toBeNull();
    for (const role of ['target', 'stop', 'exit'] as const) expect(gateRefusal(role, sell(150), 150, () => 'shutting down')).toBeNull();
    expect(gateRefusal('cover', buy(75), -75, () => 'shutting down')).toBeNull();
  });

  it('a closing order on the wrong side, or past flat, is refused', () => {
    expect(gateRefusal('exit', sell(150), 0, () => null)).toBe('a exit SELL of 150 would open a position: nothing long is held');
    expect(gateRefusal('stop', sell(150), 75, () => null)).toBe('a stop SELL of 150 is more than the 75 held');
    expect(gateRefusal('cover', buy(75), 75, () => null)).toBe('a cover BUY of 75 would open a position: nothing short is held');
    expect(gateRefusal('cover', buy(150), -75, () => null)).toBe('a cover BUY of 150 is more than the 75 held');
  });
});

describe('the gate on the engine', () => {
  it('paused while the order book is read before the entry: the BUY is never sent (it was before the gate)', async () => {
    const s = await scenario({ settings: { ignoreEntryDelta: true } });
    // The pre-placement order-book read takes 800 ms; the trader presses p meanwhile.
    s.broker.injectOnce('latencyMs', { call: 'orderBook', ms: 800 });
    await s.clock.advanceUntil(() => has(s.logs(), '[ENTRY] MARKET BUY 150'), 120_000, 50);
    s.engine.togglePause();
    await s.clock.advance(5_000);
    expect(s.orders()).toEqual([]);
    expect(has(s.logs(), '[GATE] BUY 150 MARKET not sent: paused by trader (p to resume)')).toBe(true);
    expect(s.store.getState().position.phase).toBe('flat');
    expect(s.broker.netQuantity()).toBe(0);
  });

  it('paused while an entry that timed out is looked up: it is not re-sent (the re-send asked only the guards)', async () => {
    const s = await scenario({ settings: { maxOrderRetries: 2 } });
    s.broker.injectOnce('timeoutNotPlaced', { action: 'BUY' });
    await s.clock.advanceUntil(() => has(s.logs(), 'checking the order book before any retry'), 120_000, 50);
    s.engine.togglePause();
    await s.clock.advance(10_000);
    expect(s.orders()).toEqual(['BUY 150 MARKET']);
    expect(has(s.logs(), 'BUY 150 MARKET not re-sent: paused by trader')).toBe(true);
    expect(s.broker.netQuantity()).toBe(0);
    expect(s.store.getState().position.phase).toBe('flat');
  });
});
