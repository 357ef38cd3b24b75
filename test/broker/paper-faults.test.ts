import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../src/broker/errors.js';
import { FAULT_HELP, FAULT_NAMES, parseFaults } from '../../src/broker/paper/faults.js';
import { createDefaultPaperSetup } from '../../src/broker/paper/setup.js';
import { FakeClock } from '../../src/time/clock.js';
import { OPTION, limit, order, rig, sl, slm, T0, FUTURE, onFuture } from './paper-fixtures.js';

/** Settle a promise without throwing: the error, or null when it resolved. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

function kindOf(err: unknown): string | null {
  return err instanceof BrokerError ? err.kind : null;
}

describe('parseFaults', () => {
  it('parses rates, flags, durations and price types', () => {
    expect(parseFaults('partialFill=0.3, acceptThenTimeout=0.05,slmRefused,notFoundAfterPlaceMs=1500,latencyMs=50')).toEqual({
      partialFill: 0.3,
      acceptThenTimeout: 0.05,
      slmRefused: true,
      notFoundAfterPlaceMs: 1500,
      latencyMs: 50,
    });
    expect(parseFaults('rateLimited,gapLeavesLimitUnfilled=false,rejectAfterAcceptPriceType=sl-m,serverErrorBurst=2')).toEqual({
      rateLimited: 1,
      gapLeavesLimitUnfilled: false,
      rejectAfterAcceptPriceType: 'SL-M',
      serverErrorBurst: 2,
    });
    expect(parseFaults('')).toEqual({});
  });

  it('names the bad item and lists the allowed names', () => {
    expect(() => parseFaults('partialFill=0.2,bogus=1')).toThrow(/unknown fault "bogus".*allowed: partialFill, .*gapLeavesLimitUnfilled/);
    expect(() => parseFaults('partialFill=2')).toThrow(/"partialFill=2".*probability between 0 and 1/);
    expect(() => parseFaults('latencyMs')).toThrow(/"latencyMs".*milliseconds/);
    expect(() => parseFaults('slmRefused=maybe')).toThrow(/true or false/);
  });

  it('has one help line per fault', () => {
    const lines = FAULT_HELP.split('\n');
    expect(lines).toHaveLength(FAULT_NAMES.length);
    for (const name of FAULT_NAMES) expect(lines.some((l) => l.trim().startsWith(name + ' '))).toBe(true);
  });
});

describe('paper broker faults', () => {
  it('partialFill: a market entry fills whole lots only and the rest stays working until cancelled', async () => {
    const { broker, clock } = rig({ faults: { partialFill: 1 } });
    const { orderId } = await broker.placeOrder(order('BUY', 300));
    const first = await broker.orderStatus(orderId);
    expect(first.status).toBe('partially_filled');
    expect(first.filledQuantity % 75).toBe(0);
    expect(first.filledQuantity).toBeGreaterThanOrEqual(75);
    expect(first.filledQuantity).toBeLessThan(300);
    await clock.advance(60_000);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'partially_filled', filledQuantity: first.filledQuantity });
    await broker.cancelOrder(orderId);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'cancelled', filledQuantity: first.filledQuantity });
    expect(broker.netQuantity()).toBe(first.filledQuantity);
  });

  it('partialFill once with a quantity; partialRestFills lets the rest fill on a later step', async () => {
    const { broker, clock, market } = rig({ faults: { partialRestFills: true } });
    broker.injectOnce('partialFill', { fillQuantity: 75 });
    const { orderId } = await broker.placeOrder(order('BUY', 150));
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'partially_filled', filledQuantity: 75, averagePrice: 100.05 });
    market.setPrice(101);
    await clock.advance(250);
    const done = await broker.orderStatus(orderId);
    expect(done).toMatchObject({ status: 'complete', filledQuantity: 150, averagePrice: 100.55 });
    expect((await broker.tradeBook()).filter((t) => t.orderId === orderId).map((t) => t.quantity)).toEqual([75, 75]);
  });

  it('partialFill never splits a one-lot order', async () => {
    const { broker } = rig({ faults: { partialFill: 1 } });
    const { orderId } = await broker.placeOrder(order('BUY', 75));
    expect((await broker.orderStatus(orderId)).status).toBe('complete');
  });

  it('acceptThenTimeout: the order is placed, the call times out after clientTimeoutMs', async () => {
    const { broker, clock } = rig();
    broker.injectOnce('acceptThenTimeout');
    let settled: unknown = 'pending';
    void outcome(broker.placeOrder(order('BUY'))).then((e) => (settled = e));
    await clock.advance(9_999);
    expect(settled).toBe('pending');
    await clock.advance(1);
    expect(kindOf(settled)).toBe('timeout');
    const book = await broker.orderBook();
    expect(book).toHaveLength(1);
    expect(book[0]).toMatchObject({ status: 'complete', filledQuantity: 75 });
    expect(broker.placedOrders[0]).toMatchObject({ outcome: 'placed', orderId: book[0]!.orderId });
  });

  it('timeoutNotPlaced: the call times out and nothing is placed', async () => {
    const { broker, clock } = rig({ faults: { timeoutNotPlaced: 1 } });
    const pending = outcome(broker.placeOrder(order('BUY')));
    await clock.advance(10_000);
    expect(kindOf(await pending)).toBe('timeout');
    expect(await broker.orderBook()).toEqual([]);
    expect(broker.placedOrders[0]).toMatchObject({ outcome: 'not_placed', orderId: null });
  });

  it('notFoundAfterPlaceMs: a new order is not found for a while, then shows', async () => {
    const { broker, clock } = rig({ faults: { notFoundAfterPlaceMs: 1500 } });
    const { orderId } = await broker.placeOrder(order('BUY'));
    expect(kindOf(await outcome(broker.orderStatus(orderId)))).toBe('not_found');
    expect(await broker.orderBook()).toEqual([]);
    expect(await broker.tradeBook()).toEqual([]);
    await clock.advance(1500);
    expect((await broker.orderStatus(orderId)).status).toBe('complete');
    expect(await broker.tradeBook()).toHaveLength(1);
  });

  it('slmRefused (a future): SL-M is rejected at placement, SL is accepted', async () => {
    const { broker } = rig({ faults: { slmRefused: true }, instrument: FUTURE });
    const err = await outcome(broker.placeOrder(onFuture(slm('SELL', 99))));
    expect(err).toBeInstanceOf(BrokerError);
    expect(err).toMatchObject({ kind: 'rejected', message: 'SL-M orders are not allowed for this instrument' });
    const { orderId } = await broker.placeOrder(onFuture(sl('SELL', 99, 98.95)));
    expect((await broker.orderStatus(orderId)).status).toBe('trigger_pending');
  });

  it('SL-M on an option is refused as the exchange refuses it; MARKET refused (fault) names the LIMIT to send', async () => {
    const { broker } = rig();
    await broker.placeOrder(order('BUY'));
    expect(await outcome(broker.placeOrder(slm('SELL', 99)))).toMatchObject({ kind: 'rejected', message: expect.stringContaining('16052: Function not available') });
    broker.setFaults({ marketRefused: true });
    expect(await outcome(broker.placeOrder(order('SELL')))).toMatchObject({ kind: 'rejected', message: expect.stringContaining('place a LIMIT order') });
    const { orderId } = await broker.placeOrder(limit('SELL', 97));
    expect((await broker.orderStatus(orderId)).status).toBe('complete');
  });

  it('stopGap: the print that triggers a stop-limit gaps past its limit; it rests open until modified', async () => {
    const { broker, market } = rig({ faults: { stopGap: 1 } });
    await broker.placeOrder(order('BUY'));
    const { orderId } = await broker.placeOrder(sl('SELL', 99, 97));
    market.setPrice(98.9);
    // Gapped as far past the limit as the limit is from the trigger: 97 − 2 = 95.
    expect(market.ltpPrice()).toBe(95);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'working', filledQuantity: 0 });
    // A triggered stop may be modified although the price is under its trigger: the new limit trades at once.
    await broker.modifyOrder(orderId, sl('SELL', 99, 93));
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', filledQuantity: 75 });
    expect(broker.netQuantity()).toBe(0);
  });

  it('rejectAfterAccept: an order of the given price type gets an id, then shows rejected with a reason', async () => {
    const { broker } = rig({ faults: { rejectAfterAccept: 1, rejectAfterAcceptPriceType: 'SL-M' }, instrument: FUTURE });
    const target = await broker.placeOrder(onFuture(limit('SELL', 102)));
    expect((await broker.orderStatus(target.orderId)).status).toBe('working');
    const stop = await broker.placeOrder(onFuture(slm('SELL', 99)));
    const report = await broker.orderStatus(stop.orderId);
    expect(report.status).toBe('rejected');
    expect(report.rejectionReason).toMatch(/RMS/);
  });

  it('serverError: a burst of 500s for the next N calls', async () => {
    const { broker } = rig({ faults: { serverErrorBurst: 2 } });
    broker.injectOnce('serverError');
    const kinds = [];
    for (let i = 0; i < 3; i++) kinds.push(kindOf(await outcome(broker.orderBook())));
    expect(kinds).toEqual(['server', 'server', null]);
    broker.injectOnce('serverError', { call: 'placeOrder', count: 1 });
    expect(kindOf(await outcome(broker.orderBook()))).toBeNull();
    expect(kindOf(await outcome(broker.placeOrder(order('BUY'))))).toBe('server');
    expect(broker.placedOrders[0]).toMatchObject({ outcome: 'failed' });
    expect(broker.receivedCalls.orderBook).toBe(4);
  });

  it('rateLimited: a 429 that is safe to retry', async () => {
    const { broker } = rig({ faults: { rateLimited: 1 } });
    const err = await outcome(broker.quote('NIFTY28NOV2525000CE', 'NFO'));
    expect(err).toMatchObject({ kind: 'rate_limited', httpStatus: 429, safeToRetry: true });
  });

  it('latencyMs: every call takes that long on the clock', async () => {
    const { broker, clock } = rig({ faults: { latencyMs: 50 } });
    let done = false;
    void broker.health().then(() => (done = true));
    await clock.advance(49);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
  });

  it('externalClose: an open position is closed from outside on a price step', async () => {
    const { broker, clock } = rig();
    await broker.placeOrder(order('BUY', 150));
    broker.injectOnce('externalClose');
    await clock.advance(250);
    expect(broker.netQuantity()).toBe(0);
    const external = (await broker.tradeBook()).filter((t) => t.orderId.startsWith('EXT-'));
    expect(external).toEqual([expect.objectContaining({ action: 'SELL', quantity: 150, price: 99.95 })]);
    expect((await broker.orderBook()).find((o) => o.orderId === external[0]!.orderId)?.status).toBe('complete');
  });

  it('externalClose by rate, and closePositionExternally on demand', async () => {
    const a = rig({ faults: { externalClose: 1 } });
    await a.broker.placeOrder(order('BUY'));
    await a.clock.advance(250);
    expect(a.broker.netQuantity()).toBe(0);

    const b = rig();
    await b.broker.placeOrder(order('BUY', 225));
    expect(b.broker.closePositionExternally()).toEqual([expect.objectContaining({ orderId: 'EXT-1', action: 'SELL', quantity: 225, price: 99.95 })]);
    expect(b.broker.netQuantity()).toBe(0);
    expect(b.broker.closePositionExternally()).toEqual([]);
  });

  it('marketHangMs: a MARKET order rests open, then fills late at the price of that time', async () => {
    const { broker, clock, market } = rig({ faults: { marketHangMs: 2000 } });
    const { orderId } = await broker.placeOrder(order('BUY'));
    expect((await broker.orderStatus(orderId)).status).toBe('working');
    await clock.advance(1000);
    market.setPrice(101);
    expect((await broker.orderStatus(orderId)).status).toBe('working');
    await clock.advance(1000);
    expect(await broker.orderStatus(orderId)).toMatchObject({ status: 'complete', averagePrice: 101.05 });
  });

  it('injectOnce only fires on what it matches', async () => {
    const { broker } = rig({ instrument: FUTURE });
    broker.injectOnce('rejectAfterAccept', { priceType: 'SL-M', reason: 'no SL-M today' });
    const entry = await broker.placeOrder(onFuture(order('BUY')));
    expect((await broker.orderStatus(entry.orderId)).status).toBe('complete');
    expect(broker.pendingFaults).toHaveLength(1);
    const stop = await broker.placeOrder(onFuture(slm('SELL', 99)));
    expect(await broker.orderStatus(stop.orderId)).toMatchObject({ status: 'rejected', rejectionReason: 'no SL-M today' });
    expect(broker.pendingFaults).toHaveLength(0);
  });

  it('replays the same faults from the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const { broker } = createDefaultPaperSetup({ clock: new FakeClock(T0), seed: 11, faults: 'partialFill=0.5', symbol: OPTION.symbol });
      const filled: number[] = [];
      for (let i = 0; i < 20; i++) {
        const { orderId } = await broker.placeOrder(order('BUY', 260));
        filled.push((await broker.orderStatus(orderId)).filledQuantity);
      }
      return filled;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(a.some((q) => q < 260)).toBe(true);
    expect(a.some((q) => q === 260)).toBe(true);
  });
});
