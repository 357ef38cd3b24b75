import { describe, expect, it } from 'vitest';
import type { BrokerCallName } from '../../src/broker/paper/fault-plan.js';
import { NO_LIMITS } from '../../src/engine/guard.js';
import { enterAndProtect, scenario, type Scenario } from './harness.js';

process.env.TZ = 'America/New_York';

// The engine on the paper push feed: pushed order updates are acted on at once, polling slows
// to its safety interval while the feed is trusted, and comes back at full rate the moment the
// feed is down, silent or found missing something.

const calls = (s: Scenario): Record<BrokerCallName, number> => ({ ...s.broker.receivedCalls });
const diff = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]).filter(([, v]) => v !== 0));

describe('push feed', () => {
  it('cancels the stop as soon as the target fill is pushed, without waiting for a poll', async () => {
    const s = await scenario({ feed: true });
    await enterAndProtect(s);
    expect(s.store.getState().feed).toMatchObject({ mode: 'auto', state: 'live', ordersTrusted: true });
    const filledAt = s.clock.now();
    s.market.setPrice(102.1);
    await s.clock.advance(50);
    // No OCO poll ran in those 50 ms: the push did it.
    expect(s.broker.cancelRequests).toHaveLength(1);
    expect(s.broker.cancelRequests[0]!.at - filledAt).toBeLessThan(50);
    expect(s.broker.cancelRequests[0]!.outcome).toBe('cancelled');
    await s.clock.advance(1_000);
    expect(s.store.getState().position.phase).toBe('flat');
    expect(s.store.getState().tradesToday[0]).toMatchObject({ reason: 'target', gross: 300, net: 216.67 }); // less ₹83.33 charges (see cycle.test.ts)
    expect(s.logs().some((l) => l.includes('[FILL] target') && l.includes('(pushed)'))).toBe(true);
  });

  it('polls at the safety interval with the order book alone and takes prices from ticks while the feed is trusted', async () => {
    const s = await scenario({ feed: true });
    await enterAndProtect(s);
    await s.clock.advance(2_000);
    const before = calls(s);
    await s.clock.advance(60_000);
    const used = diff(before, calls(s));
    const total = Object.values(used).reduce((a, b) => a + b, 0);
    // 12 safety polls (order book), 3 of them with fills, 2 reconciliations; no quote calls
    // (the market is frozen, so no ticks: quotes are still polled once a second — see below).
    expect(used.orderBook ?? 0).toBeLessThanOrEqual(13);
    expect(used.tradeBook ?? 0).toBe(0); // the paper broker's book carries fills itself
    expect(used.positionBook ?? 0).toBeLessThanOrEqual(3);
    expect(total - (used.quote ?? 0)).toBeLessThanOrEqual(20);
  });

  it('falls back to full-rate polling at once when the feed drops, and goes back to push when it returns', async () => {
    const s = await scenario({ feed: true });
    await enterAndProtect(s);
    s.feed!.drop('paper: dropped by the test', 10_000);
    expect(s.store.getState().feed).toMatchObject({ state: 'down', ordersTrusted: false });
    const before = calls(s).orderBook;
    await s.clock.advance(5_000);
    // Full rate: one poll a second (OCO_POLL_SECONDS = 1).
    expect(calls(s).orderBook - before).toBeGreaterThanOrEqual(4);
    expect(s.logs().some((l) => l.includes('[FEED] down: paper: dropped by the test; polling at full rate'))).toBe(true);
    // A fill while the feed is down is caught by the poll.
    s.market.setPrice(102.1);
    await s.clock.advance(1_100);
    expect(s.store.getState().position.phase).toBe('flat');
    await s.clock.advance(5_000);
    expect(s.store.getState().feed).toMatchObject({ state: 'live', ordersTrusted: true });
    expect(s.logs().some((l) => l.includes('subscribed again: re-reading'))).toBe(true);
  });

  it('catches a fill the feed never sent (silent order updates) from the pushed price, and stops trusting the feed', async () => {
    const s = await scenario({ feed: true, faults: {} });
    await enterAndProtect(s);
    s.broker.setFaults({ feedSilentOrders: true });
    s.market.freeze(false);
    s.market.setPrice(102.1);
    const crossedAt = s.clock.now();
    await s.clock.advanceUntil(() => s.broker.cancelRequests.length > 0, 10_000, 50);
    // About two OCO intervals after the price crossed, not the 5 s safety interval.
    expect(s.broker.cancelRequests[0]!.at - crossedAt).toBeLessThanOrEqual(2_100);
    await s.clock.advance(3_000);
    expect(s.store.getState().feed?.unreliable).toMatch(/never sent/);
    expect(s.store.getState().feed?.ordersTrusted).toBe(false);
    expect(s.logs().some((l) => l.includes('order updates unreliable'))).toBe(true);
  });

  it('ignores duplicated and late, reordered updates: nothing is done twice, nothing moves backwards', async () => {
    const s = await scenario({ feed: true, faults: { feedDuplicate: 1, feedDelayMs: 400 } });
    await enterAndProtect(s);
    s.market.setPrice(102.1);
    await s.clock.advance(3_000);
    expect(s.broker.cancelRequests).toHaveLength(1);
    expect(s.store.getState().pnl.trades).toBe(1);
    expect(s.logs().filter((l) => l.includes('not an allowed transition'))).toEqual([]);
    expect(s.logs().filter((l) => l.includes('[TRADE] closed'))).toHaveLength(1);
  });

  it('reconciles at once when a pushed order on our symbol is not ours (closed from the broker terminal)', async () => {
    const s = await scenario({ feed: true });
    await enterAndProtect(s);
    s.broker.closePositionExternally();
    await s.clock.advance(500);
    // Both legs cancelled within half a second, not at the next scheduled reconcile (30 s).
    expect(s.broker.cancelRequests.map((c) => c.outcome)).toEqual(['cancelled', 'cancelled']);
    expect(s.store.getState().position.phase).toBe('flat');
    expect(s.logs().some((l) => l.includes('not ours, seen by push'))).toBe(true);
    expect(s.broker.netQuantity()).toBe(0);
  });

  it('with FEED=poll, a new outside order in the polled order book triggers the reconciliation', async () => {
    const s = await scenario();
    await enterAndProtect(s);
    s.broker.closePositionExternally();
    await s.clock.advance(1_500);
    expect(s.broker.cancelRequests.map((c) => c.outcome)).toEqual(['cancelled', 'cancelled']);
    expect(s.logs().some((l) => l.includes('not ours, seen by order book'))).toBe(true);
    expect(s.store.getState().feed).toMatchObject({ mode: 'poll', ordersTrusted: false });
  });

  it('a push for an order that is not ours on another symbol changes nothing', async () => {
    const s = await scenario({ feed: true });
    await enterAndProtect(s);
    const link = (s.engine as unknown as { feedLink: { onOrderUpdate(r: unknown): void } }).feedLink;
    link.onOrderUpdate({ orderId: 'X1', symbol: 'BANKNIFTY', exchange: 'NFO', action: 'SELL', quantity: 30, priceType: 'MARKET', product: 'MIS', price: 0, triggerPrice: 0, status: 'complete', filledQuantity: 30, averagePrice: 50, timestamp: null });
    await s.clock.advance(2_000);
    expect(s.broker.cancelRequests).toEqual([]);
    expect(s.store.getState().position.phase).toBe('protected');
  });

  it('a push that arrives after a poll already applied it is a no-op and does not mark the feed unreliable', async () => {
    const s = await scenario({ feed: true, faults: { feedDelayMs: 1_500 } });
    await enterAndProtect(s);
    await s.clock.advance(2_000);
    s.market.setPrice(102.1);
    // The crossing net polls after one OCO interval and finds the fill; the push comes ~1.5 s late.
    await s.clock.advance(4_000);
    expect(s.broker.cancelRequests).toHaveLength(1);
    expect(s.store.getState().pnl.trades).toBe(1);
    expect(s.store.getState().feed?.unreliable).toBeNull();
  });
});

describe('a pushed fill never waits behind a poll\'s reads (they happen outside the lock)', () => {
  for (const [what, call] of [['the safety poll reads the order book', 'orderBook'], ['a reconciliation reads the position book', 'positionBook']] as const) {
    it(`${what} for 800 ms: the target's pushed fill cancels the stop at once`, async () => {
      const s = await scenario({ feed: true });
      await enterAndProtect(s);
      await s.clock.advance(1_000);
      s.broker.injectOnce('latencyMs', { call, ms: 800 });
      const before = s.broker.receivedCalls[call];
      await s.clock.advanceUntil(() => s.broker.receivedCalls[call] > before, 20_000, 10);
      await s.clock.advance(100); // well inside the slow read
      const filledAt = s.clock.now();
      s.market.setPrice(102.1);
      await s.clock.advance(50);
      expect(s.broker.cancelRequests).toHaveLength(1);
      expect(s.broker.cancelRequests[0]!.at - filledAt).toBeLessThan(50);
      await s.clock.advance(2_000);
      expect(s.store.getState().position.phase).toBe('flat');
      expect(s.broker.netQuantity()).toBe(0);
      expect(s.store.getState().tradesToday[0]).toMatchObject({ reason: 'target' });
    });
  }
});

describe('a poll\'s reads made outside the lock', () => {
  it('stand when only the session guard\'s mark moved meanwhile (a desk shares them); one order-book read per poll', async () => {
    // Polling, profit lock on: every price in favour raises the guard's peak, a saved change.
    const s = await scenario({ settings: { guard: { ...NO_LIMITS, profitLock: 50 } } });
    await enterAndProtect(s);
    await s.clock.advance(1_000);
    s.broker.injectOnce('latencyMs', { call: 'orderBook', ms: 1_500 });
    const before = s.broker.receivedCalls.orderBook;
    await s.clock.advanceUntil(() => s.broker.receivedCalls.orderBook > before, 5_000, 10);
    const readAt = s.clock.now();
    const peak = s.engine.state.guard.peak;
    s.market.setPrice(101.6); // in favour, short of the target at 102
    const quotes = s.broker.receivedCalls.quote;
    await s.clock.advanceUntil(() => s.broker.receivedCalls.quote > quotes, 1_200, 10);
    await s.clock.advance(10);
    expect(s.clock.now() - readAt).toBeLessThan(1_500); // the quote poll marked it during the read
    expect(s.engine.state.guard.peak).toBeGreaterThan(peak);
    await s.clock.advance(readAt + 1_700 - s.clock.now());
    // The slow read was applied at 1.5 s and the next poll is a second after it: one read, not
    // a second one of the same poll under the lock.
    expect(s.broker.receivedCalls.orderBook - before).toBe(1);
    expect(s.store.getState().position.phase).toBe('protected');
  });
});

describe('a pushed fill of the market exit being confirmed', () => {
  it('ends the flatten\'s wait at once, not at its next 250 ms read', async () => {
    const s = await scenario({ feed: true });
    await enterAndProtect(s);
    s.broker.setFaults({ marketHangMs: 600 });
    s.engine.flatten();
    await s.clock.advanceUntil(() => s.broker.netQuantity() === 0, 5_000, 5);
    const filledAt = s.clock.now();
    await s.clock.advanceUntil(() => s.logs().some((l) => l.includes('[FLATTEN] flat;')), 1_000, 5);
    expect(s.clock.now() - filledAt).toBeLessThanOrEqual(10);
    expect(s.store.getState().position.phase).toBe('flat');
    expect(s.logs().some((l) => l.includes('[FILL] exit') && l.includes('(pushed)'))).toBe(true);
  });
});

describe('a pushed update that arrives while its placement is still unanswered', () => {
  it('is applied once the placement is adopted, not dropped until the next safety poll', async () => {
    const s = await scenario({ feed: true, safetyPollMs: 5_000 });
    // The target's placement times out (it did reach the broker) and fills while the client waits.
    s.broker.injectOnce('acceptThenTimeout', { action: 'SELL', priceType: 'LIMIT' });
    await s.clock.advanceUntil(() => s.orders().some((o) => o.startsWith('SELL 150 LIMIT')), 120_000, 50);
    s.market.setPrice(102.1);
    await s.clock.advanceUntil(() => s.orders().some((o) => o.startsWith('SELL 150 SL')), 30_000, 50);
    const stopAt = s.broker.placedOrders.at(-1)!.at;
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'flat', 30_000, 50);
    // The stop went out over a flat account (the target had filled): it is cancelled on the
    // parked push, right after the placement that was holding the lock.
    expect(s.broker.cancelRequests.at(-1)!.at - stopAt).toBeLessThan(1_000);
    expect(s.store.getState().tradesToday[0]?.reason).toBe('target');
    expect(s.broker.netQuantity()).toBe(0);
  });
});
