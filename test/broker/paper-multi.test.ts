import { describe, expect, it } from 'vitest';
import type { FeedHealth, FeedListener } from '../../src/broker/feed.js';
import { PaperBroker } from '../../src/broker/paper/paper-broker.js';
import { PaperFeed } from '../../src/broker/paper/paper-feed.js';
import { PaperMarket } from '../../src/broker/paper/market.js';
import { createDefaultPaperSetup } from '../../src/broker/paper/setup.js';
import { FakeClock } from '../../src/time/clock.js';
import { OPTION, OPTION_PE, T0, limit, order, putOrder, twoRig } from './paper-fixtures.js';

// Several instruments on one paper broker: each order matches on its own market's prints and
// tick grid, the books carry every instrument, and one fault plan serves them all.

const CALL = OPTION.symbol;
const PUT = OPTION_PE.symbol;

describe('paper broker with two instruments', () => {
  it('fills each order on its own market: the touch of its market, a limit on its market prints only', async () => {
    const { broker, call, put } = twoRig();
    expect(broker.market).toBe(call);
    expect(broker.markets).toEqual([call, put]);
    const c = await broker.placeOrder(order('BUY'));
    const p = await broker.placeOrder(putOrder('BUY'));
    expect(broker.firstFillPrice(c.orderId)).toBe(100.05);
    expect(broker.firstFillPrice(p.orderId)).toBe(50.1);

    // A resting SELL limit on the put at 51: the call rising through 51 and above does not fill it.
    const rest = await broker.placeOrder(putOrder('SELL', 75, { priceType: 'LIMIT', price: 51 }));
    call.setPrice(120);
    expect((await broker.orderStatus(rest.orderId)).status).toBe('working');
    put.setPrice(51.2);
    expect(await broker.orderStatus(rest.orderId)).toMatchObject({ status: 'complete', averagePrice: 51, symbol: PUT });
    expect(broker.netQuantity(PUT, 'NFO')).toBe(0);
    expect(broker.netQuantity()).toBe(75);
  });

  it('validates prices on the order\'s own tick grid and refuses a symbol it has no market for', async () => {
    const { broker } = twoRig();
    // 50.15 is on the call's 0.05 grid but not on the put's 0.10 one.
    await expect(broker.placeOrder(putOrder('BUY', 75, { priceType: 'LIMIT', price: 50.15 }))).rejects.toThrow(/not a multiple of the tick size 0.1/);
    const ok = await broker.placeOrder(putOrder('BUY', 75, { priceType: 'LIMIT', price: 40.3 }));
    expect((await broker.orderStatus(ok.orderId)).price).toBe(40.3);
    await expect(broker.placeOrder(order('BUY', 75, { symbol: 'BANKNIFTY28NOV2550000CE' }))).rejects.toMatchObject({ kind: 'rejected', message: 'instrument BANKNIFTY28NOV2550000CE not found on NFO' });
    expect(broker.placedOrders.map((o) => o.outcome)).toEqual(['rejected', 'placed', 'rejected']);
    // A modify cannot move an order to the other instrument.
    await expect(broker.modifyOrder(ok.orderId, { ...putOrder('BUY', 75, { priceType: 'LIMIT', price: 40.3 }), symbol: CALL })).rejects.toThrow(/symbol, exchange and action cannot be modified/);
    await broker.modifyOrder(ok.orderId, putOrder('BUY', 150, { priceType: 'LIMIT', price: 40.5 }));
    expect(await broker.orderStatus(ok.orderId)).toMatchObject({ quantity: 150, price: 40.5, status: 'working' });
  });

  it('books rows under each instrument: order book, trade book, position book with their own LTP and P&L', async () => {
    const { broker, call, put } = twoRig();
    const c = await broker.placeOrder(order('BUY', 150));
    const p = await broker.placeOrder(putOrder('SELL', 75));
    call.setPrice(101);
    put.setPrice(49);

    const orders = await broker.orderBook();
    expect(orders.map((o) => [o.orderId, o.symbol, o.averagePrice])).toEqual([[c.orderId, CALL, 100.05], [p.orderId, PUT, 49.9]]);
    const trades = await broker.tradeBookDetailed();
    expect(trades.map((t) => [t.orderId, t.symbol, t.action, t.quantity, t.price])).toEqual([
      [c.orderId, CALL, 'BUY', 150, 100.05],
      [p.orderId, PUT, 'SELL', 75, 49.9],
    ]);
    const positions = await broker.positionBookDetailed();
    expect(positions).toEqual([
      { symbol: CALL, exchange: 'NFO', product: 'MIS', quantity: 150, averagePrice: 100.05, ltp: 101, pnl: 142.5 },
      { symbol: PUT, exchange: 'NFO', product: 'MIS', quantity: -75, averagePrice: 49.9, ltp: 49, pnl: 67.5 },
    ]);
    const funds = await broker.funds();
    expect(funds.m2mUnrealized).toBe(210);
    expect(funds.utilisedDebits).toBe(150 * 100.05 + 75 * 49.9);
    expect(await broker.openPosition(PUT, 'NFO', 'MIS')).toBe(-75);
  });

  it('quotes each symbol from its own market, and 404s one it does not trade', async () => {
    const { broker, put } = twoRig();
    put.setPrice(52.3);
    expect(await broker.quote(CALL, 'NFO')).toMatchObject({ ltp: 100, bid: 99.95, ask: 100.05 });
    expect(await broker.quote(PUT.toLowerCase(), 'nfo')).toMatchObject({ ltp: 52.3, bid: 52.2, ask: 52.4, open: 50, high: 52.3 });
    await expect(broker.quote('NIFTY28NOV2526000CE', 'NFO')).rejects.toMatchObject({ kind: 'not_found' });
    expect(await broker.searchInstrument(PUT, 'NFO')).toEqual(OPTION_PE);
    expect((await broker.findInstruments('NIFTY28NOV25')).map((i) => i.symbol)).toEqual([CALL, PUT]);
  });

  it('closeposition squares off both instruments, each at its own touch', async () => {
    const { broker } = twoRig();
    await broker.placeOrder(order('BUY', 75));
    await broker.placeOrder(putOrder('SELL', 150));
    const fills = await broker.closeAllPositions();
    expect(fills.map((f) => [f.symbol, f.action, f.quantity, f.price])).toEqual([
      [CALL, 'SELL', 75, 99.95],
      [PUT, 'BUY', 150, 50.1],
    ]);
    expect(broker.netQuantity(CALL, 'NFO')).toBe(0);
    expect(broker.netQuantity(PUT, 'NFO')).toBe(0);
    expect((await broker.funds()).m2mRealized).toBe(-0.1 * 75 - 0.2 * 150);
  });

  it('an outside close (fault) on a print closes that market\'s position only; one fault plan for every call', async () => {
    const { broker, call, put } = twoRig();
    await broker.placeOrder(order('BUY'));
    await broker.placeOrder(putOrder('BUY'));
    broker.injectOnce('externalClose');
    put.setPrice(50.5);
    expect(broker.netQuantity(PUT, 'NFO')).toBe(0);
    expect(broker.netQuantity(CALL, 'NFO')).toBe(75);
    expect(broker.pendingFaults).toEqual([]);
    call.setPrice(100.5);
    expect(broker.netQuantity(CALL, 'NFO')).toBe(75);

    // A call fault is the broker's, whichever instrument the call names.
    broker.injectOnce('serverError', { count: 1 });
    await expect(broker.quote(PUT, 'NFO')).rejects.toMatchObject({ kind: 'server' });
    expect(await broker.quote(CALL, 'NFO')).toMatchObject({ ltp: 100.5 });
  });

  it('refuses no market and two markets for one instrument', () => {
    const clock = new FakeClock(T0);
    const m = (): PaperMarket => new PaperMarket({ clock, seed: 1, instrument: OPTION, startPrice: 100 });
    expect(() => new PaperBroker({ clock, markets: [] })).toThrow(/needs a market/);
    expect(() => new PaperBroker({ clock, markets: [m(), m()] })).toThrow(/two markets for NIFTY28NOV2525000CE on NFO/);
    expect(() => new PaperBroker({ clock, market: m(), markets: [m()] })).toThrow(/not both/);
  });
});

interface Heard extends FeedListener {
  ticks: [string, number][];
  orders: string[];
  notes: string[];
  states: FeedHealth[];
}

function heard(): Heard {
  const h: Heard = {
    ticks: [], orders: [], notes: [], states: [],
    tick: (symbol, _exchange, ltp) => void h.ticks.push([symbol, ltp]),
    orderUpdate: (r) => void h.orders.push(`${r.symbol} ${r.status}`),
    health: (s) => void h.states.push(s),
    resync: () => {},
    note: (_level, text) => void h.notes.push(text),
  };
  return h;
}

describe('PaperFeed with two instruments', () => {
  it('ticks every subscribed market, pushes every order, and notes only a symbol without a market', async () => {
    const { broker, clock, call, put } = twoRig();
    const feed = new PaperFeed({ clock, broker });
    const h = heard();
    feed.start(h, [{ symbol: CALL, exchange: 'NFO' }, { symbol: PUT, exchange: 'NFO' }, { symbol: 'NIFTY28NOV2526000CE', exchange: 'NFO' }]);
    expect(h.notes).toEqual(['paper feed: no market data for NIFTY28NOV2526000CE@NFO (the paper market trades NIFTY28NOV2525000CE, NIFTY28NOV2525000PE)']);
    expect(h.states.at(-1)).toMatchObject({ state: 'live', ticks: true, orders: true });
    call.setPrice(101);
    put.setPrice(49.5);
    await broker.placeOrder(putOrder('BUY'));
    await broker.placeOrder(limit('BUY', 90));
    await clock.settle();
    expect(h.ticks).toEqual([[CALL, 101], [PUT, 49.5]]);
    expect(h.orders).toEqual([`${PUT} working`, `${PUT} complete`, `${CALL} working`]);
    await feed.stop();
  });

  it('keeps every market moving on the clock, and ticks only the subscribed ones', async () => {
    const clock = new FakeClock(T0);
    const { broker } = createDefaultPaperSetup({ clock, seed: 5, symbols: [{ symbol: CALL, exchange: 'NFO' }, { symbol: PUT, exchange: 'nfo' }] });
    const feed = new PaperFeed({ clock, broker });
    const h = heard();
    feed.start(h, [{ symbol: PUT, exchange: 'NFO' }]);
    expect(h.notes).toEqual([]);
    await clock.advance(2_000);
    expect(h.ticks.length).toBe(8);
    expect(new Set(h.ticks.map(([s]) => s))).toEqual(new Set([PUT]));
    expect(broker.market.stepCount).toBe(8);
    await feed.stop();
  });
});

describe('createDefaultPaperSetup with several symbols', () => {
  /** The LTPs a setup's markets print each second for a minute. */
  async function path(opts: Parameters<typeof createDefaultPaperSetup>[0] & { clock: FakeClock }): Promise<number[][]> {
    const setup = createDefaultPaperSetup(opts);
    const out: number[][] = setup.markets.map(() => []);
    for (let s = 0; s < 60; s++) {
      await opts.clock.advance(1_000);
      setup.markets.forEach((m, i) => out[i]?.push(m.ltpPrice()));
    }
    return out;
  }

  it('walks the first market on the seed exactly as one symbol does, and the others on seeds of their own', async () => {
    const one = await path({ clock: new FakeClock(T0), seed: 11, symbol: CALL, exchange: 'NFO' });
    const two = await path({ clock: new FakeClock(T0), seed: 11, symbols: [{ symbol: CALL, exchange: 'NFO' }, { symbol: PUT, exchange: 'NFO' }] });
    const swapped = await path({ clock: new FakeClock(T0), seed: 11, symbols: [{ symbol: 'NIFTY28NOV2526000CE', exchange: 'NFO' }, { symbol: PUT, exchange: 'NFO' }] });
    expect(two[0]).toEqual(one[0]);
    expect(two[1]).not.toEqual(two[0]);
    // A second market's walk depends on the seed and its own name, not on what else is traded.
    expect(swapped[1]).toEqual(two[1]);
    expect(two[1]?.[0]).toBeCloseTo(100, -1);
  });

  it('returns every market and instrument, exchanges upper-cased', () => {
    const setup = createDefaultPaperSetup({ clock: new FakeClock(T0), seed: 1, symbols: [{ symbol: CALL, exchange: 'nfo' }, { symbol: 'RELIANCE', exchange: 'NSE' }] });
    expect(setup.markets.map((m) => `${m.instrument.symbol}@${m.instrument.exchange}`)).toEqual([`${CALL}@NFO`, 'RELIANCE@NSE']);
    expect(setup.market).toBe(setup.markets[0]);
    expect(setup.instrument).toBe(setup.markets[0]?.instrument);
    expect(setup.broker.markets).toEqual(setup.markets);
  });
});
