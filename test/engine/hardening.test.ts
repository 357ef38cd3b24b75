import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../src/broker/errors.js';
import type { Broker } from '../../src/broker/types.js';
import { enterAndProtect, FUTURE, scenario } from './harness.js';

process.env.TZ = 'America/New_York';

const has = (lines: string[], text: string): boolean => lines.some((l) => l.includes(text));

// Every scenario runs twice: polling only (FEED=poll) and on the push feed (FEED=auto).
for (const feed of [false, true]) {
describe(`${feed ? 'on the push feed' : 'polling only'}`, () => {
  describe('v1.2 hardening: the original seven scenarios', () => {
    it('partial entry: exits are sized to the filled quantity, the unfilled rest is cancelled', async () => {
      const s = await scenario({ feed });
      s.broker.injectOnce('partialFill', { action: 'BUY', priceType: 'MARKET', fillQuantity: 75 });
      await enterAndProtect(s);
      expect(s.orders()).toEqual(['BUY 150 MARKET', 'SELL 75 LIMIT @102.05', 'SELL 75 SL @96.05 trg 99.05']);
      expect(s.broker.cancelRequests).toHaveLength(1);
      expect(has(s.logs(), '[PARTIAL_FILL] Entry filled 75/150 @ ₹100.05')).toBe(true);
      expect(s.store.getState().position).toMatchObject({ requested: 150, entryFilled: 75, held: 75 });
      expect(s.broker.netQuantity()).toBe(75);
    });

    it('SL-M refused (a future): the stop falls back to SL with its limit a protective buffer under the trigger', async () => {
      const s = await scenario({ feed, faults: { slmRefused: true }, instrument: FUTURE });
      await enterAndProtect(s);
      expect(s.orders()).toEqual(['BUY 150 MARKET', 'SELL 150 LIMIT @102.05', 'SELL 150 SL-M trg 99.05', 'SELL 150 SL @96.05 trg 99.05']);
      expect(s.store.getState().legs.stop).toMatchObject({ type: 'SL', trigger: 99.05, price: 96.05 });
      expect(has(s.logs(), 'SL-M refused')).toBe(true);
    });

    it('timeout retry: an order that timed out but reached the broker is adopted, never sent twice', async () => {
      const s = await scenario({ feed });
      s.broker.injectOnce('acceptThenTimeout', { action: 'BUY', priceType: 'MARKET' });
      await enterAndProtect(s);
      expect(s.orders().filter((o) => o.startsWith('BUY'))).toEqual(['BUY 150 MARKET']);
      expect(s.broker.netQuantity()).toBe(150);
      expect(has(s.logs(), 'did reach the broker: adopted, not re-sent')).toBe(true);
    });

    it('partial exit sync: target fills 75 of 150, the stop is resized to the 75 still held', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      s.broker.injectOnce('partialFill', { action: 'SELL', priceType: 'LIMIT', fillQuantity: 75 });
      s.market.setPrice(102.1);
      await s.clock.advance(1_500);
      const orders = s.orders();
      expect(orders.slice(3)).toEqual(['SELL 75 SL @96.05 trg 99.05']);
      expect(s.store.getState().position.held).toBe(75);
      expect(s.store.getState().legs.stop).toMatchObject({ quantity: 75 });
      // Open exit quantity never exceeds what is held.
      expect(s.broker.netQuantity()).toBe(75);
      expect(has(s.logs(), '[SYNC] stop')).toBe(true);
    });

    it('graceful exit escalation: a hanging market order is cancelled, re-sent once, then kept alive and CRITICAL', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      s.broker.setFaults({ marketHangMs: 600_000 });
      const done = s.engine.shutdown();
      let code: number | null = null;
      void done.then((c) => { code = c; });
      await s.clock.advanceUntil(() => code !== null, 60_000);
      expect(code).toBe(3);
      const sells = s.orders().filter((o) => o === 'SELL 150 MARKET');
      expect(sells).toHaveLength(2);
      const phases = s.logs().filter((l) => l.includes('[ESCALATE]')).join('\n');
      expect(phases).toMatch(/cancelling legs/);
      expect(phases).toMatch(/market sell/);
      expect(phases).toMatch(/retry market/);
      expect(phases).toMatch(/keep alive/);
      expect(has(s.logs(), 'CRITICAL [CRITICAL] shutdown: STILL LONG 150')).toBe(true);
    });

    it('closed outside while our market exit hangs: the rest is cancelled within a second, never sold short', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      s.broker.setFaults({ marketHangMs: 600_000 });
      s.engine.flatten();
      await s.clock.advanceUntil(() => s.orders().includes('SELL 150 MARKET'), 5_000);
      s.broker.closePositionExternally(); // the trader's terminal, while ours hangs
      const closedAt = s.clock.now();
      await s.clock.advanceUntil(() => has(s.logs(), 'cancelled (closed outside the bot)'), 5_000);
      expect(s.clock.now() - closedAt).toBeLessThanOrEqual(1_000);
      expect(has(s.logs(), 'still has 150 to sell: closed outside the bot meanwhile')).toBe(true);
      await s.clock.advance(3_000);
      expect(s.broker.netQuantity()).toBe(0);
      expect(s.broker.openOrderIds()).toEqual([]);
      expect(s.orders().filter((o) => o === 'SELL 150 MARKET')).toHaveLength(1);
      expect(s.store.getState().position.phase).toBe('flat');
    });

    it('graceful exit: a late fill of the re-sent market order during keep-alive ends flat (exit 0)', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      s.broker.setFaults({ marketHangMs: 8_000 });
      let code: number | null = null;
      void s.engine.shutdown().then((c) => { code = c; });
      await s.clock.advanceUntil(() => code !== null, 60_000);
      expect(code).toBe(0);
      expect(s.broker.netQuantity()).toBe(0);
      expect(s.store.getState().position.phase).toBe('flat');
    });

    it('market-on-target: a gap past the target sells the remainder at market', async () => {
      const s = await scenario({ feed, faults: { gapLeavesLimitUnfilled: true }, marketOnTarget: true });
      await enterAndProtect(s);
      s.market.gapTo(105);
      await s.clock.advance(2_500);
      expect(s.orders().slice(3)).toEqual(['SELL 150 MARKET']);
      expect(s.broker.netQuantity()).toBe(0);
      expect(s.store.getState().tradesToday[0]?.reason).toBe('market_on_target');
    });

    it('position closed at the broker: reconciliation goes flat, cancels the orphaned legs, realises from the trade book', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      s.engine.togglePause(); // no new entry, so the second pass can be compared
      s.broker.closePositionExternally();
      await s.clock.advance(31_000);
      expect(s.store.getState().position.phase).toBe('flat');
      expect(s.broker.cancelRequests.filter((c) => c.outcome === 'cancelled')).toHaveLength(2);
      expect(s.store.getState().tradesToday[0]?.reason).toBe('external');
      expect(s.broker.netQuantity()).toBe(0);
      const orderCount = s.orders().length;
      await s.clock.advance(31_000);
      expect(s.orders().length).toBe(orderCount);
    });
  });

  describe('the holes the original left', () => {
    it('timeout where the order did NOT reach the broker: re-sent after the order book shows it absent', async () => {
      const s = await scenario({ feed });
      s.broker.injectOnce('timeoutNotPlaced', { action: 'BUY', priceType: 'MARKET' });
      await enterAndProtect(s);
      const buys = s.broker.placedOrders.filter((o) => o.request.action === 'BUY');
      expect(buys.map((b) => b.outcome)).toEqual(['not_placed', 'placed']);
      expect(s.broker.netQuantity()).toBe(150);
    });

    it('"not found" right after placement is not taken as failure', async () => {
      const s = await scenario({ feed });
      s.broker.injectOnce('notFoundAfterPlaceMs', { action: 'BUY', ms: 1_200 });
      await enterAndProtect(s);
      expect(s.orders().filter((o) => o.startsWith('BUY'))).toHaveLength(1);
      expect(s.store.getState().position.held).toBe(150);
    });

    it('a cancel that loses to a fill: the fill is applied, nothing is sold twice', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      s.market.setPrice(102.1); // the target fills at the broker before our next poll
      s.engine.flatten();
      await s.clock.advance(3_000);
      expect(s.orders().filter((o) => o.includes('MARKET') && o.startsWith('SELL'))).toEqual([]);
      expect(s.broker.netQuantity()).toBe(0);
      expect(s.store.getState().tradesToday[0]?.reason).toBe('target');
    });

    it('both legs filled: the short is detected and bought back at market, CRITICAL', async () => {
      const s = await scenario({ feed, faults: { rejectAfterAccept: 0 } });
      await enterAndProtect(s);
      s.market.setPrice(102.1); // target fills
      s.market.gapTo(98); // and the stop too, before the poll
      await s.clock.advance(2_000);
      expect(s.orders()).toContain('BUY 150 MARKET');
      expect(s.orders().filter((o) => o === 'BUY 150 MARKET')).toHaveLength(2);
      expect(s.broker.netQuantity()).toBe(0);
      expect(has(s.logs(), 'CRITICAL [CRITICAL] net SHORT 150')).toBe(true);
      expect(s.store.getState().criticalSeq).toBeGreaterThan(0);
    });

    it('both legs filled and the buy-back hangs: a flatten keeps it working, never cancels it for another', async () => {
      const s = await scenario({ feed, faults: { rejectAfterAccept: 0 } });
      await enterAndProtect(s);
      s.market.setPrice(102.1);
      s.market.gapTo(98);
      s.broker.setFaults({ marketHangMs: 7_000 }); // longer than one confirmation window (5 s)
      await s.clock.advanceUntil(() => s.orders().includes('BUY 150 MARKET'), 3_000);
      await s.clock.advance(5_500);
      s.engine.flatten(); // the trader, 5.5 s into the buy-back
      await s.clock.advance(4_000);
      expect(s.orders().filter((o) => o === 'BUY 150 MARKET')).toHaveLength(2); // the entry and one buy-back
      const buyBack = /buy-back (\d+) not confirmed yet/.exec(s.logs().join('\n'))?.[1];
      expect(buyBack).toBeDefined();
      expect(s.broker.cancelRequests.map((c) => c.orderId)).not.toContain(buyBack);
      expect(s.broker.netQuantity()).toBe(0);
      expect(has(s.logs(), 'buy-back of 150 is still working: waiting for it')).toBe(true);
      await s.clock.advance(2_000);
      expect(s.store.getState().position.phase).toBe('flat');
    });

    it('a stop rejected after acceptance is re-armed as SL with a CRITICAL alert', async () => {
      const s = await scenario({ feed, instrument: FUTURE });
      s.broker.injectOnce('rejectAfterAccept', { priceType: 'SL-M' });
      await enterAndProtect(s);
      await s.clock.advance(2_500);
      expect(s.orders().slice(3)).toEqual(['SELL 150 SL @96.05 trg 99.05']);
      expect(has(s.logs(), 'rejected after acceptance')).toBe(true);
      expect(s.store.getState().position.phase).toBe('protected');
    });

    it('a reconciliation that could not read the position book is retried RECONCILE_RETRY_MS later, whoever ran it', async () => {
      const reads: number[] = [];
      let clockNow = (): number => 0;
      const countReads = (b: Broker): Broker => {
        const wrapped = Object.create(b) as Broker;
        wrapped.positionBook = async () => {
          reads.push(clockNow());
          return b.positionBook();
        };
        return wrapped;
      };
      const s = await scenario({ feed, wrap: countReads });
      clockNow = () => s.clock.now();
      await enterAndProtect(s);
      // Just after a scheduled one: the next is 30 s away, and the loop sleeps until then.
      await s.clock.advance(1_000);
      s.broker.injectOnce('serverError', { call: 'positionBook', count: 1 });
      const failedAt = s.clock.now();
      s.engine.reconcileNow(); // the trader's r
      await s.clock.advance(2_500);
      const after = reads.filter((t) => t >= failedAt).map((t) => t - failedAt);
      expect(after[0]).toBeLessThan(50); // the failed one
      expect(after[1]).toBeGreaterThanOrEqual(1_900); // the retry, not at once
      expect(after[1]).toBeLessThanOrEqual(2_100);
      expect(s.store.getState().entriesHeld).toBeNull();
      expect(s.store.getState().position).toMatchObject({ phase: 'protected', held: 150 });
    });

    it('a failed position-book call is never read as flat', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      s.broker.injectOnce('serverError', { call: 'positionBook', count: 5 });
      s.engine.reconcileNow();
      await s.clock.advance(2_000);
      expect(s.store.getState().position).toMatchObject({ phase: 'protected', held: 150 });
      expect(s.broker.cancelRequests).toHaveLength(0);
      expect(has(s.logs(), 'position book unavailable')).toBe(true);
    });

    it('a second reconciliation right after the first changes nothing', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      // One OCO poll first: it reads the new stop as trigger pending (armed), which is the poll's news, not the reconciliation's.
      await s.clock.advance(1_000);
      s.engine.reconcileNow();
      await s.clock.advance(500);
      const before = JSON.stringify(s.engine.state);
      const sent = s.orders().length;
      s.engine.reconcileNow();
      await s.clock.advance(500);
      expect(JSON.stringify(s.engine.state)).toBe(before);
      expect(s.orders().length).toBe(sent);
    });

    it('legs that cannot be placed: 3 attempts with CRITICAL UNPROTECTED, then flattened at market', async () => {
      const refuseSells = (b: Broker): Broker => {
        const wrapped = Object.create(b) as Broker;
        wrapped.placeOrder = async (req) => {
          if (req.action === 'SELL' && req.priceType !== 'MARKET') throw new BrokerError('rejected', 'RMS: margin exceeded');
          return b.placeOrder(req);
        };
        return wrapped;
      };
      const s = await scenario({ feed, wrap: refuseSells });
      await s.clock.advanceUntil(() => s.logs().some((l) => l.includes('flattening at market')), 120_000);
      await s.clock.advance(3_000);
      const unprotected = s.logs().filter((l) => l.includes('UNPROTECTED'));
      expect(unprotected.length).toBeGreaterThanOrEqual(3);
      expect(s.orders()).toEqual(['BUY 150 MARKET', 'SELL 150 MARKET']);
      expect(s.broker.netQuantity()).toBe(0);
    });

    it('square-off with legs working: legs cancelled first, then sold at market; no entry after', async () => {
      const s = await scenario({
        feed,
        start: '2026-11-24T15:12:30',
        settings: { schedule: { interval: { kind: 'seconds', ms: 60_000 }, windows: [{ start: 9 * 60 + 20, end: 15 * 60 + 30 }], squareOffEnabled: true, squareOffMinute: 15 * 60 + 15, tradeWeekends: false } },
      });
      await enterAndProtect(s);
      await s.clock.advanceUntil(() => s.store.getState().position.phase === 'flat', 180_000);
      const cancelsBeforeSell = s.broker.cancelRequests.filter((c) => c.at <= (s.broker.placedOrders.at(-1)?.at ?? 0));
      expect(cancelsBeforeSell).toHaveLength(2);
      expect(s.orders().at(-1)).toBe('SELL 150 MARKET');
      expect(s.store.getState().tradesToday[0]?.reason).toBe('square_off');
      const count = s.orders().length;
      await s.clock.advance(10 * 60_000);
      expect(s.orders().length).toBe(count);
      expect(s.store.getState().entriesHeld).toBe('after square-off');
    });
  });

  describe('crash and restart', () => {
    it('crash after entry before legs: legs are re-armed on restart', async () => {
      let hang = true;
      const hangLegs = (b: Broker): Broker => {
        const wrapped = Object.create(b) as Broker;
        wrapped.placeOrder = (req) => (hang && req.action === 'SELL' ? new Promise(() => {}) : b.placeOrder(req));
        return wrapped;
      };
      const s = await scenario({ feed, wrap: hangLegs });
      await s.clock.advanceUntil(() => s.broker.netQuantity() === 150, 120_000);
      await s.clock.advance(2_000);
      expect(s.orders()).toEqual(['BUY 150 MARKET']);
      hang = false;
      await s.restart();
      await s.clock.advance(3_000);
      expect(s.orders()).toEqual(['BUY 150 MARKET', 'SELL 150 LIMIT @102.05', 'SELL 150 SL @96.05 trg 99.05']);
      expect(s.store.getState().position.phase).toBe('protected');
    });

    it('crash after the target filled: the stop is cancelled on restart and the trade realised', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      s.engine.abandon();
      s.market.setPrice(102.1);
      await s.restart();
      await s.clock.advance(1_000);
      expect(s.broker.cancelRequests.map((c) => c.outcome)).toEqual(['cancelled']);
      expect(s.store.getState().position.phase).toBe('flat');
      expect(s.store.getState().tradesToday[0]).toMatchObject({ reason: 'target', gross: 300 });
      expect(s.broker.netQuantity()).toBe(0);
    });

    it('after restart the day P&L is intact', async () => {
      const s = await scenario({ feed });
      await enterAndProtect(s);
      s.market.setPrice(102.1);
      await s.clock.advance(1_500);
      const pnl = s.store.getState().pnl.realised;
      await s.restart();
      expect(s.store.getState().pnl.realised).toBe(pnl);
      expect(s.store.getState().tradesToday).toHaveLength(1);
    });
  });
});
}
