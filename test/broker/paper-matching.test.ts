import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../src/broker/errors.js';
import { tickGrid } from '../../src/broker/ticks.js';
import { FUTURE, limit, onFuture, order, OPTION, rig, sl, slm } from './paper-fixtures.js';

async function rejection(p: Promise<unknown>): Promise<BrokerError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof BrokerError)) throw new Error(`expected a BrokerError, got ${String(err)}`);
  return err;
}

describe('paper broker matching', () => {
  it('fills a MARKET buy at the ask and a MARKET sell at the bid', async () => {
    const { broker } = rig();
    const buy = await broker.placeOrder(order('BUY', 150));
    expect(await broker.orderStatus(buy.orderId)).toMatchObject({ status: 'complete', filledQuantity: 150, averagePrice: 100.05 });
    const sell = await broker.placeOrder(order('SELL', 150));
    expect(await broker.orderStatus(sell.orderId)).toMatchObject({ status: 'complete', averagePrice: 99.95 });
    expect(await broker.tradeBook()).toEqual([
      expect.objectContaining({ orderId: buy.orderId, action: 'BUY', quantity: 150, price: 100.05 }),
      expect.objectContaining({ orderId: sell.orderId, action: 'SELL', quantity: 150, price: 99.95 }),
    ]);
    expect(await broker.positionBook()).toEqual([expect.objectContaining({ quantity: 0, averagePrice: 0, ltp: 100 })]);
  });

  it('rests a LIMIT sell until the LTP reaches it, then fills at the limit', async () => {
    const { broker, market } = rig();
    await broker.placeOrder(order('BUY'));
    const { orderId } = await broker.placeOrder(limit('SELL', 101));
    expect((await broker.orderStatus(orderId)).status).toBe('working');
    market.setPrice(100.95);
    expect((await broker.orderStatus(orderId)).status).toBe('working');
    market.setPrice(101.3);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', averagePrice: 101 });
    expect(broker.netQuantity()).toBe(0);
  });

  it('fills a marketable LIMIT at once, at the better of its price and the touch', async () => {
    const { broker } = rig();
    const sell = await broker.placeOrder(limit('SELL', 99));
    expect(await broker.orderStatus(sell.orderId)).toMatchObject({ status: 'complete', averagePrice: 99.95 });
    const buy = await broker.placeOrder(limit('BUY', 100));
    expect(await broker.orderStatus(buy.orderId)).toMatchObject({ status: 'complete', averagePrice: 100 });
  });

  it('fills a sell limit at its price when the price gaps through it', async () => {
    const { broker, market } = rig();
    const { orderId } = await broker.placeOrder(limit('SELL', 101));
    market.gapTo(103);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', averagePrice: 101 });
  });

  it('with gapLeavesLimitUnfilled, a gap over the limit leaves it open until price trades back through it', async () => {
    const { broker, market } = rig({ faults: { gapLeavesLimitUnfilled: true } });
    const { orderId } = await broker.placeOrder(limit('SELL', 101));
    market.gapTo(103);
    expect((await broker.orderStatus(orderId)).status).toBe('working');
    market.setPrice(102); // trades 103..102: not at 101
    expect((await broker.orderStatus(orderId)).status).toBe('working');
    market.gapTo(99); // jumps over 101 again: still no print there
    expect((await broker.orderStatus(orderId)).status).toBe('working');
    market.setPrice(101.5); // trades 99..101.5, through 101
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', averagePrice: 101 });
  });

  it('keeps an SL-M sell (a future) trigger pending until the LTP falls to the trigger, then fills at the bid', async () => {
    const { broker, market } = rig({ instrument: FUTURE });
    await broker.placeOrder(onFuture(order('BUY')));
    const { orderId } = await broker.placeOrder(onFuture(slm('SELL', 99)));
    expect((await broker.orderStatus(orderId)).status).toBe('trigger_pending');
    market.setPrice(99.05);
    expect((await broker.orderStatus(orderId)).status).toBe('trigger_pending');
    market.setPrice(98.9);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', averagePrice: 98.85 });
  });

  it('fills an SL-M sell (a future) on a gap down at the gapped bid (slippage)', async () => {
    const { broker, market } = rig({ instrument: FUTURE });
    const { orderId } = await broker.placeOrder(onFuture(slm('SELL', 99)));
    market.gapTo(95);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', averagePrice: 94.95 });
  });

  it('triggers an SL sell, then rests it as a limit when the price is already below the limit', async () => {
    const { broker, market } = rig();
    const { orderId } = await broker.placeOrder(sl('SELL', 99, 98.5));
    expect((await broker.orderStatus(orderId)).status).toBe('trigger_pending');
    market.gapTo(97);
    expect((await broker.orderStatus(orderId)).status).toBe('working');
    market.setPrice(98.2);
    expect((await broker.orderStatus(orderId)).status).toBe('working');
    market.setPrice(98.6);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', averagePrice: 98.5 });
  });

  it('fills a triggered SL at once when its limit is marketable', async () => {
    const { broker, market } = rig();
    const { orderId } = await broker.placeOrder(sl('SELL', 99, 98.5));
    market.setPrice(98.9);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', averagePrice: 98.85 });
  });

  it('keeps a weighted average position across fills', async () => {
    const { broker, market } = rig();
    await broker.placeOrder(order('BUY'));
    market.setPrice(102);
    await broker.placeOrder(order('BUY'));
    expect(await broker.positionBook()).toEqual([expect.objectContaining({ quantity: 150, averagePrice: 101.05, ltp: 102 })]);
    await broker.placeOrder(order('SELL'));
    expect(await broker.positionBook()).toEqual([expect.objectContaining({ quantity: 75, averagePrice: 101.05 })]);
  });

  it('rejects requests a broker would refuse', async () => {
    const { broker } = rig();
    const cases: [ReturnType<typeof order>, RegExp][] = [
      [order('BUY', 80), /multiple of the lot size 75/],
      [order('BUY', 0), /above 0/],
      [order('BUY', 1875), /freeze/],
      [limit('SELL', 100.03), /tick size/],
      [limit('SELL', 0), /above 0/],
      [sl('SELL', 100.5, 100), /below the last traded price/],
      [sl('BUY', 99.5, 100), /above the last traded price/],
      [slm('SELL', 99), /16052: Function not available: SL-M orders are not allowed on options/],
      [sl('SELL', 99, 99.5), /at or below its trigger/],
      [{ ...order('BUY'), symbol: 'NOPE' }, /not found/],
    ];
    for (const [req, message] of cases) {
      const err = await rejection(broker.placeOrder(req));
      expect(err.kind).toBe('rejected');
      expect(err.message).toMatch(message);
    }
    expect(broker.placedOrders.map((r) => r.outcome)).toEqual(cases.map(() => 'rejected'));
    expect(await broker.orderBook()).toEqual([]);
  });

  it('cancels a working order, and refuses to cancel a complete one with "complete" in the message', async () => {
    const { broker } = rig();
    const resting = await broker.placeOrder(limit('SELL', 105));
    await broker.cancelOrder(resting.orderId);
    expect((await broker.orderStatus(resting.orderId)).status).toBe('cancelled');
    const done = await broker.placeOrder(order('BUY'));
    const err = await rejection(broker.cancelOrder(done.orderId));
    expect(err.kind).toBe('rejected');
    expect(err.message).toMatch(/complete/);
    expect((await rejection(broker.cancelOrder('999'))).kind).toBe('not_found');
    expect(broker.cancelRequests.map((c) => c.outcome)).toEqual(['cancelled', 'rejected', 'not_found']);
  });

  it('modifies a resting order, and matches it at once when it becomes marketable', async () => {
    const { broker } = rig();
    const { orderId } = await broker.placeOrder(limit('SELL', 105));
    await broker.modifyOrder(orderId, limit('SELL', 104));
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'working', price: 104 });
    await broker.modifyOrder(orderId, sl('SELL', 99, 98));
    expect((await broker.orderStatus(orderId)).status).toBe('trigger_pending');
    await broker.modifyOrder(orderId, limit('SELL', 99.5));
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', averagePrice: 99.95 });
    expect((await rejection(broker.modifyOrder(orderId, limit('SELL', 101)))).message).toMatch(/complete/);
  });

  it('answers search, quote and health like a broker', async () => {
    const { broker } = rig();
    expect(await broker.searchInstrument(OPTION.symbol, 'NFO')).toMatchObject({ lotSize: 75, tickSize: 0.05 });
    expect(await broker.searchInstrument('UNKNOWN', 'NFO')).toBeNull();
    expect(await broker.quote(OPTION.symbol, 'NFO')).toMatchObject({ ltp: 100, bid: 99.95, ask: 100.05 });
    expect(await broker.health()).toEqual({ broker: 'paper', analyzer: false });
    expect(broker.label).toBe('paper');
    expect(broker.receivedCalls).toMatchObject({ searchInstrument: 2, quote: 1, health: 1 });
  });

  it('produces fill prices on the tick grid whatever is traded (property)', async () => {
    const grid = tickGrid(OPTION.tickSize);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(
          fc.record({
            side: fc.constantFrom('BUY' as const, 'SELL' as const),
            kind: fc.constantFrom('MARKET' as const, 'LIMIT' as const),
            offset: fc.integer({ min: -60, max: 60 }),
            lots: fc.integer({ min: 1, max: 4 }),
            waitMs: fc.integer({ min: 0, max: 5_000 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (seed, steps) => {
          const { broker, market, clock } = rig({ seed, frozen: false, market: { gapRate: 0.02 }, faults: { partialFill: 0.5, partialRestFills: true } });
          for (const s of steps) {
            const ltp = grid.toTicks(market.ltpPrice());
            const req = s.kind === 'MARKET' ? order(s.side, 75 * s.lots) : limit(s.side, grid.fromTicks(Math.max(1, ltp + s.offset)), 75 * s.lots);
            await broker.placeOrder(req);
            clock.jump(s.waitMs);
          }
          for (const t of await broker.tradeBook()) {
            expect(grid.isOnGrid(t.price)).toBe(true);
            expect(t.quantity % 75).toBe(0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
