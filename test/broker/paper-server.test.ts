import { afterEach, describe, expect, it } from 'vitest';
import { paperServerMain, startPaperServer, type PaperServer } from '../../src/broker/paper/server.js';
import { OPTION, rig, type Rig } from './paper-fixtures.js';

const KEY = 'test-key';
const SYMBOL = OPTION.symbol;

let server: PaperServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(r: Rig, responseDelayMs = 15_000): Promise<(path: string, body: unknown) => Promise<{ status: number; json: Record<string, unknown> }>> {
  server = await startPaperServer({ port: 0, apiKey: KEY, broker: r.broker, responseDelayMs });
  const url = server.url;
  return async (path, body) => {
    const res = await fetch(`${url}/api/v1/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { html: text };
    }
    return { status: res.status, json };
  };
}

const place = (extra: Record<string, unknown> = {}) => ({
  apikey: KEY, strategy: 'scalp', exchange: 'NFO', symbol: SYMBOL, action: 'BUY', quantity: '75', pricetype: 'MARKET', product: 'MIS', ...extra,
});

describe('paper-server', () => {
  it('answers ping, analyzer, search and quotes in OpenAlgo shapes', async () => {
    const post = await serve(rig());
    expect(await post('ping', { apikey: KEY })).toEqual({ status: 200, json: { status: 'success', data: { message: 'pong', broker: 'paper' } } });
    expect(await post('analyzer/', { apikey: KEY })).toEqual({ status: 200, json: { status: 'success', data: { mode: 'live', analyze_mode: false } } });
    const search = await post('search', { apikey: KEY, query: 'NIFTY28NOV', exchange: 'NFO' });
    expect(search.json).toMatchObject({ status: 'success', message: 'Found 1 matching symbols' });
    expect((search.json.data as unknown[])[0]).toMatchObject({
      symbol: SYMBOL, brsymbol: SYMBOL, name: 'NIFTY', exchange: 'NFO', expiry: '28-NOV-25', strike: 25000,
      lotsize: 75, instrumenttype: 'CE', tick_size: 0.05, freeze_qty: 1800,
    });
    expect((await post('search', { apikey: KEY, query: 'BANKNIFTY' })).json).toEqual({ status: 'success', message: 'No matching symbols found', data: [] });
    expect(await post('quotes', { apikey: KEY, symbol: SYMBOL, exchange: 'NFO' })).toEqual({
      status: 200,
      json: { status: 'success', data: { open: 100, high: 100, low: 100, ltp: 100, ask: 100.05, bid: 99.95, prev_close: 100, volume: expect.any(Number) } },
    });
  });

  it('placesmartorder trades the difference to position_size, and does nothing when it already matches', async () => {
    const r = rig();
    const post = await serve(r);
    const smart = (extra: Record<string, unknown>) => post('placesmartorder', place({ position_size: 0, ...extra }));
    // No position and none wanted: a plain order, as OpenAlgo does.
    const first = await smart({ quantity: '75', position_size: 0 });
    expect(first).toMatchObject({ status: 200, json: { status: 'success', orderid: expect.any(String) } });
    expect(r.broker.netQuantity()).toBe(75);
    // Long 75, want 225: BUY 150 whatever the action says.
    expect((await smart({ action: 'SELL', quantity: '75', position_size: 225 })).json).toMatchObject({ status: 'success', orderid: expect.any(String) });
    expect(r.broker.netQuantity()).toBe(225);
    expect(r.broker.placedOrders.at(-1)?.request).toMatchObject({ action: 'BUY', quantity: 150 });
    // Already there: success without an order id.
    expect((await smart({ quantity: '75', position_size: 225 })).json).toEqual({ status: 'success', message: 'Positions Already Matched. No Action needed.' });
    // Want flat: SELL 225.
    await smart({ action: 'SELL', quantity: '75', position_size: 0 });
    expect(r.broker.netQuantity()).toBe(0);
    expect((await post('placesmartorder', place())).json).toEqual({ status: 'error', message: "{'position_size': ['Missing data for required field.']}" });
  });

  it('rejects a bad key with 403, unknown or missing fields with 400, unknown order ids with 404', async () => {
    const r = rig();
    const post = await serve(r);
    expect(await post('orderbook', { apikey: 'wrong' })).toEqual({ status: 403, json: { status: 'error', message: 'Invalid openalgo apikey' } });
    expect(await post('placeorder', place({ apikey: 'wrong' }))).toMatchObject({ status: 403 });
    expect(await post('placeorder', place({ tag: 'x' }))).toEqual({ status: 400, json: { status: 'error', message: "{'tag': ['Unknown field.']}" } });
    expect(await post('ping', { apikey: KEY, extra: 1 })).toEqual({ status: 400, json: { status: 'error', message: { extra: ['Unknown field.'] } } });
    expect(await post('ping', {})).toEqual({ status: 400, json: { status: 'error', message: { apikey: ['Missing data for required field.'] } } });
    expect((await post('placeorder', place({ action: 'HOLD', quantity: 'ten' }))).json.message).toBe(
      "{'action': ['Must be one of: BUY, SELL, buy, sell.'], 'quantity': ['Not a valid number.']}",
    );
    expect((await post('placeorder', place({ quantity: 1.5 }))).json.message).toMatch(/Fractional quantity/);
    expect(await post('orderstatus', { apikey: KEY, strategy: 's', orderid: '12345' })).toEqual({ status: 404, json: { status: 'error', message: 'Order 12345 not found' } });
    expect((await post('nosuchcall', { apikey: KEY })).status).toBe(404);
    expect(r.broker.placedOrders).toHaveLength(0);
  });

  it('runs a full buy → sell cycle over HTTP, with orderstatus lacking filled_quantity', async () => {
    const r = rig();
    const post = await serve(r);
    const buy = await post('placeorder/', place());
    expect(buy).toEqual({ status: 200, json: { status: 'success', orderid: expect.any(String) } });
    const buyId = buy.json.orderid as string;

    const status = await post('orderstatus', { apikey: KEY, strategy: 'scalp', orderid: buyId });
    expect(status.json).toEqual({
      status: 'success',
      data: {
        symbol: SYMBOL, exchange: 'NFO', action: 'BUY', quantity: 75, price: 0, trigger_price: 0, pricetype: 'MARKET',
        product: 'MIS', orderid: buyId, order_status: 'complete', timestamp: '2025-11-13 09:30:00', average_price: 100.05,
      },
    });
    expect((await post('openposition', { apikey: KEY, strategy: 'scalp', symbol: SYMBOL, exchange: 'NFO', product: 'MIS' })).json).toEqual({ status: 'success', quantity: 75 });

    const target = await post('placeorder', place({ action: 'SELL', pricetype: 'LIMIT', price: 102 }));
    // NSE refuses SL-M on options (as the exchange answers through the broker); SL is taken.
    const slm = await post('placeorder', place({ action: 'SELL', pricetype: 'SL-M', trigger_price: '99' }));
    expect(slm.json).toMatchObject({ status: 'error' });
    expect(String(slm.json.message)).toContain('16052: Function not available');
    const stop = await post('placeorder', place({ action: 'SELL', pricetype: 'SL', price: '96', trigger_price: '99' }));
    const stopId = stop.json.orderid as string;
    const targetId = target.json.orderid as string;
    expect((await post('orderstatus', { apikey: KEY, strategy: 'scalp', orderid: stopId })).json.data).toMatchObject({ order_status: 'trigger pending', average_price: 0 });
    expect((await post('orderstatus', { apikey: KEY, strategy: 'scalp', orderid: targetId })).json.data).toMatchObject({ order_status: 'open', price: 102 });

    r.market.setPrice(102.5);
    expect((await post('orderstatus', { apikey: KEY, strategy: 'scalp', orderid: targetId })).json.data).toMatchObject({ order_status: 'complete', average_price: 102 });
    expect(await post('cancelorder', { apikey: KEY, strategy: 'scalp', orderid: stopId })).toEqual({ status: 200, json: { status: 'success', orderid: stopId } });
    const late = await post('cancelorder', { apikey: KEY, strategy: 'scalp', orderid: targetId });
    expect(late.status).toBe(400);
    expect(late.json.message).toMatch(/complete/);

    const trades = (await post('tradebook', { apikey: KEY })).json.data as Record<string, unknown>[];
    expect(trades).toEqual([
      { symbol: SYMBOL, exchange: 'NFO', product: 'MIS', action: 'BUY', quantity: 75, average_price: 100.05, trade_value: 7503.75, orderid: buyId, timestamp: '2025-11-13 09:30:00' },
      { symbol: SYMBOL, exchange: 'NFO', product: 'MIS', action: 'SELL', quantity: 75, average_price: 102, trade_value: 7650, orderid: targetId, timestamp: '2025-11-13 09:30:00' },
    ]);
    expect((await post('positionbook', { apikey: KEY })).json.data).toEqual([
      { symbol: SYMBOL, exchange: 'NFO', product: 'MIS', quantity: 0, average_price: '0.00', ltp: 102.5, pnl: 146.25 },
    ]);
    const book = (await post('orderbook', { apikey: KEY })).json.data as { orders: Record<string, unknown>[]; statistics: unknown };
    expect(book.orders.map((o) => o.order_status)).toEqual(['complete', 'complete', 'cancelled']);
    expect(book.orders[0]).not.toHaveProperty('average_price');
    expect(book.statistics).toEqual({ total_buy_orders: 1, total_sell_orders: 2, total_completed_orders: 2, total_open_orders: 0, total_rejected_orders: 0 });
  });

  it('modifies, cancels all, closes positions and reports funds', async () => {
    const r = rig();
    const post = await serve(r);
    await post('placeorder', place({ quantity: 150 }));
    const resting = await post('placeorder', place({ action: 'SELL', pricetype: 'LIMIT', price: 105, quantity: 150 }));
    const id = resting.json.orderid as string;
    const modify = {
      apikey: KEY, strategy: 'scalp', exchange: 'NFO', symbol: SYMBOL, orderid: id, action: 'SELL', product: 'MIS',
      pricetype: 'LIMIT', price: 104, quantity: 150, disclosed_quantity: 0, trigger_price: 0,
    };
    expect((await post('modifyorder', modify)).json).toEqual({ status: 'success', orderid: id });
    const { trigger_price: _t, ...incomplete } = modify;
    expect((await post('modifyorder', incomplete)).json.message).toBe("{'trigger_price': ['Missing data for required field.']}");
    expect((await post('cancelallorder', { apikey: KEY, strategy: 'scalp' })).json).toEqual({
      status: 'success', canceled_orders: [id], failed_cancellations: [], message: 'Canceled 1 orders. Failed to cancel 0 orders.',
    });
    expect((await post('closeposition', { apikey: KEY, strategy: 'scalp' })).json).toEqual({ status: 'success', message: 'All Open Positions SquaredOff' });
    expect(r.broker.netQuantity()).toBe(0);
    expect((await post('funds', { apikey: KEY })).json.data).toMatchObject({ m2mrealized: '-15.00', collateral: '0.00', availablecash: expect.any(String) });
  });

  it('maps broker faults to 500 and 429, and delays the answer of an order that was placed but timed out', async () => {
    const r = rig();
    const post = await serve(r, 300);
    r.broker.injectOnce('serverError', { count: 1 });
    expect(await post('orderbook', { apikey: KEY })).toMatchObject({ status: 500, json: { status: 'error' } });
    r.broker.injectOnce('rateLimited');
    expect((await post('orderbook', { apikey: KEY })).status).toBe(429);

    r.broker.injectOnce('acceptThenTimeout');
    const aborted = await fetch(`${server!.url}/api/v1/placeorder`, {
      method: 'POST', body: JSON.stringify(place()), signal: AbortSignal.timeout(100),
    }).then(() => 'answered', (e: unknown) => (e instanceof Error ? e.name : 'error'));
    expect(aborted).toBe('TimeoutError');
    const book = (await post('orderbook', { apikey: KEY })).json.data as { orders: unknown[] };
    expect(book.orders).toHaveLength(1);

    r.broker.injectOnce('acceptThenTimeout');
    const started = Date.now();
    const slow = await post('placeorder', place());
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(slow).toMatchObject({ status: 200, json: { status: 'success' } });
  });

  it('can enforce OpenAlgo-like per-route rate limits, answering 429 with a non-JSON body', async () => {
    const r = rig();
    server = await startPaperServer({ port: 0, apiKey: KEY, broker: r.broker, clock: r.clock, rateLimit: { ordersPerSecond: 10, othersPerSecond: 2 } });
    const ping = () => fetch(`${server!.url}/api/v1/ping`, { method: 'POST', body: JSON.stringify({ apikey: KEY }) });
    expect((await ping()).status).toBe(200);
    expect((await ping()).status).toBe(200);
    const limited = await ping();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/text\/html/);
    r.clock.jump(1000);
    expect((await ping()).status).toBe(200);
  });

  it('paperServerMain serves the default market and prints where it listens', async () => {
    const lines: string[] = [];
    const main = await paperServerMain({ port: 0, wsPort: 0, seed: 7, apiKey: KEY, faults: 'slmRefused', print: (l) => lines.push(l) });
    try {
      expect(lines).toEqual([expect.stringMatching(/^paper-server listening on http:\/\/127\.0\.0\.1:\d+, WebSocket feed on ws:\/\/127\.0\.0\.1:\d+ \(seed 7, faults: partialFill=0\.15, partialRestFills, slmRefused\)$/)]);
      const res = await fetch(`${main.url}/api/v1/ping/`, { method: 'POST', body: JSON.stringify({ apikey: KEY }) });
      expect(await res.json()).toEqual({ status: 'success', data: { message: 'pong', broker: 'paper' } });
    } finally {
      await main.close();
    }
    await expect(paperServerMain({ port: 0, seed: 1, apiKey: KEY, faults: 'nonsense' })).rejects.toThrow(/unknown fault "nonsense"/);
  });
});
