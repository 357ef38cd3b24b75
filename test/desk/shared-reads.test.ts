import { describe, expect, it } from 'vitest';
import { SharedReads } from '../../src/desk/shared-reads.js';
import type { Broker, OrderReport, Quote } from '../../src/broker/types.js';
import { BrokerError } from '../../src/broker/errors.js';
import { FakeClock } from '../../src/time/clock.js';

// A broker whose reads answer when the test says so, counting what it was asked.
function scriptedBroker(): { broker: Broker; calls: string[]; answer(rows?: OrderReport[]): void; pending: number } {
  const calls: string[] = [];
  const waiting: ((rows: OrderReport[]) => void)[] = [];
  const row = (id: string): OrderReport => ({ orderId: id, symbol: 'A', exchange: 'NFO', action: 'BUY', quantity: 75, priceType: 'LIMIT', product: 'MIS', price: 100, triggerPrice: 0, status: 'working', filledQuantity: 0, averagePrice: null, timestamp: null });
  const read = (name: string) => () => {
    calls.push(name);
    return new Promise<OrderReport[]>((resolve) => waiting.push(resolve));
  };
  const broker = {
    label: 'scripted',
    placeOrder: async () => { calls.push('place'); return { orderId: '1' }; },
    cancelOrder: async () => { calls.push('cancel'); },
    modifyOrder: async () => { calls.push('modify'); },
    orderStatus: async () => row('1'),
    orderBook: read('orderbook'),
    tradeBook: async () => { calls.push('tradebook'); return []; },
    positionBook: async () => { calls.push('positionbook'); return []; },
    quote: async () => ({ ltp: 1, bid: null, ask: null, open: null, high: null, low: null, prevClose: null, volume: null }),
    searchInstrument: async () => null,
    health: async () => ({ broker: 'x', analyzer: false }),
  } as Broker;
  return {
    broker,
    calls,
    answer: (rows = [row('1')]) => waiting.shift()?.(rows),
    get pending() { return waiting.length; },
  };
}

describe('shared book reads across instruments', () => {
  it('engines asking at once share one order-book read, each gets rows of its own', async () => {
    const clock = new FakeClock(0);
    const s = scriptedBroker();
    const shared = new SharedReads(s.broker, clock);
    const [a, b, c] = [shared.view(), shared.view(), shared.view()];
    const reads = [a.orderBook(), b.orderBook(), c.orderBook()];
    expect(s.calls).toEqual(['orderbook']);
    s.answer();
    const [ra, rb] = await Promise.all(reads);
    expect(ra).toEqual(rb);
    expect(ra![0]).not.toBe(rb![0]);
    expect(shared.counts).toMatchObject({ asked: 3, sent: 1 });
  });

  it('a read finished a moment ago serves another engine; an older one does not', async () => {
    const clock = new FakeClock(0);
    const s = scriptedBroker();
    const shared = new SharedReads(s.broker, clock);
    const [a, b] = [shared.view(), shared.view()];
    const first = a.orderBook();
    s.answer();
    await first;
    await clock.advance(200);
    await b.orderBook();
    expect(s.calls).toEqual(['orderbook']);
    await clock.advance(100);
    const late = b.orderBook();
    expect(s.calls).toEqual(['orderbook', 'orderbook']);
    s.answer();
    await late;
  });

  it('never a read sent before this engine\'s own order finished: it must see its order', async () => {
    const clock = new FakeClock(0);
    const s = scriptedBroker();
    const shared = new SharedReads(s.broker, clock);
    const [a, b] = [shared.view(), shared.view()];
    const inFlight = b.orderBook();
    await a.placeOrder({ symbol: 'A', exchange: 'NFO', product: 'MIS', action: 'BUY', quantity: 75, priceType: 'MARKET' });
    const own = a.orderBook();
    // b's read went out before a's order was answered: a sends its own.
    expect(s.calls).toEqual(['orderbook', 'place', 'orderbook']);
    s.answer();
    s.answer();
    await Promise.all([inFlight, own]);
    // c never wrote nor read: a's read serves it.
    const c = shared.view();
    await c.orderBook();
    expect(s.calls.filter((x) => x === 'orderbook')).toHaveLength(2);
  });

  it("never a read sent before this engine's last order read was answered: a fill it saw is in the books it reads next", async () => {
    const clock = new FakeClock(0);
    const s = scriptedBroker();
    const shared = new SharedReads(s.broker, clock);
    const [a, b] = [shared.view(), shared.view()];
    // b's order book goes out; a then learns of a fill from an order's status (the desk soak's
    // day: a position book sent before the exit filled showed the position a had just closed).
    const before = b.orderBook();
    await a.orderStatus('1');
    const after = a.orderBook();
    expect(s.calls).toEqual(['orderbook', 'orderbook']);
    s.answer();
    s.answer();
    await Promise.all([before, after]);
    // The same for a book read: a read a has seen answered does not serve a's next ask.
    await clock.advance(50);
    const again = a.orderBook();
    expect(s.calls).toEqual(['orderbook', 'orderbook', 'orderbook']);
    s.answer();
    await again;
  });

  it('an order book with fills serves one that asks without; not the other way round', async () => {
    const clock = new FakeClock(0);
    const s = scriptedBroker();
    const shared = new SharedReads(s.broker, clock);
    const [a, b] = [shared.view(), shared.view()];
    const ids = a.orderBook({ fills: false });
    const full = b.orderBook();
    expect(s.calls).toEqual(['orderbook', 'orderbook']);
    s.answer();
    s.answer();
    await Promise.all([ids, full]);
    // A third engine asking for ids is served by the read with fills.
    await shared.view().orderBook({ fills: false });
    expect(s.calls).toHaveLength(2);
  });

  it('a failed read is not handed to the next asker', async () => {
    const clock = new FakeClock(0);
    let fail = true;
    const broker = {
      ...scriptedBroker().broker,
      positionBook: async () => {
        if (fail) throw new Error('boom');
        return [];
      },
    } as Broker;
    const shared = new SharedReads(broker, clock);
    const a = shared.view();
    await expect(a.positionBook()).rejects.toThrow('boom');
    fail = false;
    await expect(a.positionBook()).resolves.toEqual([]);
    expect(shared.counts.sent).toBe(2);
  });
});

describe('a pushed order update ends what earlier reads may serve', () => {
  it('after orderNews no view takes a read sent before it', async () => {
    const clock = new FakeClock(0);
    const s = scriptedBroker();
    const shared = new SharedReads(s.broker, clock);
    const [a, b] = [shared.view(), shared.view()];
    const first = a.positionBook();
    shared.orderNews();
    const second = b.positionBook();
    expect(s.calls.filter((c) => c === 'positionbook')).toHaveLength(2);
    await Promise.all([first, second]);
  });
});

describe('quotes on a desk', () => {
  const CE = { symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO' };
  const PE = { symbol: 'NIFTY29DEC2625000PE', exchange: 'NFO' };

  function desk(broker: Broker, clock: FakeClock) {
    return new SharedReads(broker, clock, undefined, [CE, PE]);
  }

  it('one multiquotes call serves every instrument\'s poll of the same instant', async () => {
    const clock = new FakeClock(0);
    const calls: string[] = [];
    const broker = fakeBroker(calls);
    const shared = desk(broker, clock);
    const [a, b] = [shared.view(), shared.view()];
    const [qa, qb] = await Promise.all([a.quote(CE.symbol, CE.exchange), b.quote(PE.symbol, PE.exchange)]);
    expect(calls).toEqual(['multiQuote NIFTY29DEC2625000CE,NIFTY29DEC2625000PE']);
    expect([qa.ltp, qb.ltp]).toEqual([101, 202]);
    // A second later the next poll asks again.
    await clock.advance(1_000);
    await a.quote(CE.symbol, CE.exchange);
    expect(calls).toHaveLength(2);
  });

  it('an instrument the broker could not quote fails alone; a server without the route is asked one at a time', async () => {
    const clock = new FakeClock(0);
    const calls: string[] = [];
    const shared = desk(fakeBroker(calls, { failPe: true }), clock);
    const v = shared.view();
    expect((await v.quote(CE.symbol, CE.exchange)).ltp).toBe(101);
    await expect(v.quote(PE.symbol, PE.exchange)).rejects.toThrow(/quote for NIFTY29DEC2625000PE on NFO: no such token/);
    calls.length = 0;
    const refusing = desk(fakeBroker(calls, { noRoute: true }), clock);
    const w = refusing.view();
    expect((await w.quote(CE.symbol, CE.exchange)).ltp).toBe(101);
    expect((await w.quote(PE.symbol, PE.exchange)).ltp).toBe(202);
    expect(calls).toEqual(['multiQuote NIFTY29DEC2625000CE,NIFTY29DEC2625000PE', 'quote NIFTY29DEC2625000CE', 'quote NIFTY29DEC2625000PE']);
  });
});

function fakeBroker(calls: string[], opts: { failPe?: boolean; noRoute?: boolean } = {}): Broker {
  const price = (symbol: string): number => (symbol.endsWith('CE') ? 101 : 202);
  const quote = (ltp: number): Quote => ({ ltp, bid: null, ask: null, open: null, high: null, low: null, prevClose: null, volume: null });
  const unused = (): never => { throw new Error('not used here'); };
  return {
    label: 'fake',
    placeOrder: unused, orderStatus: unused, cancelOrder: unused, modifyOrder: unused, orderBook: unused, tradeBook: unused, positionBook: unused,
    searchInstrument: unused, health: unused,
    quote: async (symbol) => { calls.push(`quote ${symbol}`); return quote(price(symbol)); },
    multiQuote: async (instruments) => {
      calls.push(`multiQuote ${instruments.map((i) => i.symbol).join(',')}`);
      if (opts.noRoute) throw new BrokerError('not_found', 'multiquotes: 404 Not Found', 404);
      return instruments.map(({ symbol, exchange }) =>
        opts.failPe && symbol.endsWith('PE') ? { symbol, exchange, quote: null, error: 'no such token' } : { symbol, exchange, quote: quote(price(symbol)), error: null });
    },
  };
}
