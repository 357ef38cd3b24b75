import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUTH_MESSAGE, BrokerError, type BrokerErrorKind } from '../../src/broker/errors.js';
import { OpenAlgoClient, type CallInfo, type OpenAlgoClientOptions } from '../../src/broker/openalgo/client.js';
import { QuoteOnlySource, createQuoteOnlyClient } from '../../src/broker/openalgo/quote-only.js';
import { redact } from '../../src/broker/openalgo/redact.js';
import type { OrderRequest } from '../../src/broker/types.js';

const KEY = 'SECRET-KEY-123';

// ---- a scripted OpenAlgo server ---------------------------------------------------------

type Body = Record<string, unknown>;
/** What the fake server answers: JSON (status 200 unless given), raw text, a hang or a reset. */
type Reply =
  | { status?: number; json: unknown }
  | { status?: number; text: string; type?: string }
  | 'hang'
  | 'reset';
type Handler = Reply | ((body: Body, n: number) => Reply);

class FakeOpenAlgo {
  readonly received: Array<{ name: string; body: Body }> = [];
  private handlers = new Map<string, Handler>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.received.length = 0;
    this.handlers = new Map();
  }

  on(name: string, handler: Handler): this {
    this.handlers.set(name, handler);
    return this;
  }

  count(name: string): number {
    return this.received.filter((r) => r.name === name).length;
  }

  bodyOf(name: string): Body {
    const hit = this.received.find((r) => r.name === name);
    if (hit === undefined) throw new Error(`${name} was not called`);
    return hit.body;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const name = (req.url ?? '').replace(/^\/api\/v1\//, '').replace(/\/$/, '');
      const body = JSON.parse(raw) as Body;
      this.received.push({ name, body });
      const handler = this.handlers.get(name) ?? { status: 500, json: { status: 'error', message: `no handler for ${name}` } };
      const reply = typeof handler === 'function' ? handler(body, this.count(name)) : handler;
      if (reply === 'hang') return;
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      if ('json' in reply) {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.json));
      } else {
        res.writeHead(reply.status ?? 200, { 'content-type': reply.type ?? 'text/html' });
        res.end(reply.text);
      }
    });
  }
}

const server = new FakeOpenAlgo();
let sleeps: number[] = [];
const clients: OpenAlgoClient[] = [];

function client(overrides: Partial<OpenAlgoClientOptions> = {}): OpenAlgoClient {
  const c = new OpenAlgoClient({
    host: server.url,
    apiKey: KEY,
    strategy: 'random-scalp',
    timeoutMs: 2000,
    ordersPerSecond: 1000,
    othersPerSecond: 1000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  clients.push(c);
  return c;
}

/** Await a failure, check its kind, and that the key is nowhere in it. */
async function failure(promise: Promise<unknown>, kind: BrokerErrorKind): Promise<BrokerError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(BrokerError);
  const err = caught as BrokerError;
  expect(err.kind).toBe(kind);
  expectNoKey(err);
  return err;
}

function expectNoKey(err: Error): void {
  for (const text of [err.message, err.stack ?? '', JSON.stringify(err), String(err), JSON.stringify(Object.entries(err))]) {
    expect(text).not.toContain(KEY);
  }
  expect(err.cause).toBeUndefined();
}

const ok = (extra: Body = {}): Reply => ({ json: { status: 'success', ...extra } });
const sorted = (body: Body): string[] => Object.keys(body).sort();

const LIMIT_BUY: OrderRequest = {
  symbol: 'NIFTY25DEC25000CE',
  exchange: 'NFO',
  action: 'BUY',
  quantity: 75,
  priceType: 'LIMIT',
  product: 'MIS',
  price: 101.35,
};

function statusRow(extra: Body = {}): Body {
  return {
    symbol: 'NIFTY25DEC25000CE',
    exchange: 'NFO',
    action: 'BUY',
    quantity: 150,
    price: 101.35,
    trigger_price: 0,
    pricetype: 'LIMIT',
    product: 'MIS',
    orderid: '2501',
    order_status: 'open',
    timestamp: '2025-12-01 09:15:02',
    average_price: 0,
    ...extra,
  };
}

function trade(orderid: string | number, quantity: number | string, price: number | string): Body {
  return {
    symbol: 'NIFTY25DEC25000CE', exchange: 'NFO', product: 'MIS', action: 'BUY',
    quantity, average_price: price, trade_value: 0, orderid, timestamp: '09:15:03',
  };
}

beforeAll(() => server.start());
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
});
beforeEach(() => {
  server.reset();
  sleeps = [];
});

// ---- calls -----------------------------------------------------------------------------

describe('OpenAlgoClient calls', () => {
  it('labels itself with the host without scheme', () => {
    expect(client({ host: 'http://127.0.0.1:5000/' }).label).toBe('openalgo@127.0.0.1:5000');
    expect(client({ host: 'example.com:5000' }).label).toBe('openalgo@example.com:5000');
  });

  it('placeorder sends exactly the documented fields and returns the order id', async () => {
    server.on('placeorder', ok({ orderid: '250101000001' }));
    await expect(client().placeOrder(LIMIT_BUY)).resolves.toEqual({ orderId: '250101000001' });
    const body = server.bodyOf('placeorder');
    expect(sorted(body)).toEqual([
      'action', 'apikey', 'disclosed_quantity', 'exchange', 'price', 'pricetype', 'product',
      'quantity', 'strategy', 'symbol', 'trigger_price',
    ]);
    expect(body).toMatchObject({
      apikey: KEY, strategy: 'random-scalp', exchange: 'NFO', symbol: 'NIFTY25DEC25000CE', action: 'BUY',
      quantity: 75, pricetype: 'LIMIT', product: 'MIS', price: 101.35, trigger_price: 0, disclosed_quantity: 0,
    });
  });

  it('placeorder accepts a numeric orderid as a string', async () => {
    server.on('placeorder', ok({ orderid: 250101000002 }));
    await expect(client().placeOrder({ ...LIMIT_BUY, priceType: 'MARKET', price: undefined })).resolves.toEqual({
      orderId: '250101000002',
    });
    expect(server.bodyOf('placeorder')).toMatchObject({ pricetype: 'MARKET', price: 0 });
  });

  it('placeorder without an orderid is an unexpected response', async () => {
    server.on('placeorder', ok());
    const err = await failure(client().placeOrder(LIMIT_BUY), 'server');
    expect(err.message).toMatch(/^unexpected response from placeorder: orderid/);
  });

  it('refuses a bad quantity without sending', async () => {
    await failure(client().placeOrder({ ...LIMIT_BUY, quantity: 0 }), 'rejected');
    expect(server.received).toHaveLength(0);
  });

  it('modifyorder sends all its required fields', async () => {
    server.on('modifyorder', ok({ orderid: '2501' }));
    await client().modifyOrder('2501', { ...LIMIT_BUY, priceType: 'SL', price: 99, triggerPrice: 99.5 });
    const body = server.bodyOf('modifyorder');
    expect(sorted(body)).toEqual([
      'action', 'apikey', 'disclosed_quantity', 'exchange', 'orderid', 'price', 'pricetype', 'product',
      'quantity', 'strategy', 'symbol', 'trigger_price',
    ]);
    expect(body).toMatchObject({ orderid: '2501', pricetype: 'SL', price: 99, trigger_price: 99.5, quantity: 75 });
  });

  it('cancelorder sends apikey, strategy, orderid', async () => {
    server.on('cancelorder', ok({ orderid: 2501 }));
    await client().cancelOrder('2501');
    expect(server.bodyOf('cancelorder')).toEqual({ apikey: KEY, strategy: 'random-scalp', orderid: '2501' });
  });

  it('orderstatus uses filled_quantity when the status carries it (sandbox shape)', async () => {
    server.on('orderstatus', ok({
      mode: 'analyze',
      data: statusRow({
        pricetype: undefined, price_type: 'LIMIT', order_status: 'complete', quantity: '150',
        filled_quantity: '150', pending_quantity: 0, average_price: '101.3',
      }),
    }));
    const report = await client().orderStatus('2501');
    expect(server.bodyOf('orderstatus')).toEqual({ apikey: KEY, strategy: 'random-scalp', orderid: '2501' });
    expect(server.count('tradebook')).toBe(0);
    expect(report).toMatchObject({
      orderId: '2501', priceType: 'LIMIT', quantity: 150, status: 'complete', filledQuantity: 150, averagePrice: 101.3,
    });
    expect(report.timestamp).toBe(Date.parse('2025-12-01T09:15:02+05:30'));
  });

  it('orderstatus derives fills from the trade book: summed, quantity-weighted', async () => {
    server
      .on('orderstatus', ok({ data: statusRow({ orderid: 2501, quantity: '150', price: '101.35', order_status: 'OPEN' }) }))
      .on('tradebook', ok({ data: [trade(2501, '75', '101.00'), trade('9999', 75, 50), trade('2501', 25, 102)] }));
    const report = await client().orderStatus('2501');
    expect(report.orderId).toBe('2501');
    expect(report.filledQuantity).toBe(100);
    expect(report.averagePrice).toBeCloseTo((75 * 101 + 25 * 102) / 100, 9);
    expect(report.status).toBe('partially_filled');
    expect(report.price).toBe(101.35);
  });

  it("orderstatus 'Complete' with no trade rows: filled = quantity at the status's price", async () => {
    server
      .on('orderstatus', ok({ data: statusRow({ order_status: 'Complete', average_price: '101.2' }) }))
      .on('tradebook', ok({ data: [] }));
    const report = await client().orderStatus('2501');
    expect(report).toMatchObject({ status: 'complete', filledQuantity: 150, averagePrice: 101.2 });
  });

  it("orderstatus 'complete' takes the trade book's average over the first-fill price", async () => {
    server
      .on('orderstatus', ok({ data: statusRow({ order_status: 'complete', average_price: 101 }) }))
      .on('tradebook', ok({ data: [trade('2501', 100, 101), trade('2501', 50, 104)] }));
    const report = await client().orderStatus('2501');
    expect(report.filledQuantity).toBe(150);
    expect(report.averagePrice).toBeCloseTo(102, 9);
  });

  it.each([
    ['TRIGGER_PENDING', 'trigger_pending'],
    ['trigger pending', 'trigger_pending'],
    ['AMO REQ RECEIVED', 'working'],
    ['CANCELLED', 'cancelled'],
  ] as const)('orderstatus %s → %s', async (word, status) => {
    server
      .on('orderstatus', ok({ data: statusRow({ order_status: word }) }))
      .on('tradebook', ok({ data: null }));
    const report = await client().orderStatus('2501');
    expect(report.status).toBe(status);
    expect(report.filledQuantity).toBe(0);
    expect(report.averagePrice).toBeNull();
  });

  it('a cancelled order keeps the part that filled before the cancel', async () => {
    server
      .on('orderstatus', ok({ data: statusRow({ order_status: 'cancelled' }) }))
      .on('tradebook', ok({ data: [trade('2501', 75, 101)] }));
    await expect(client().orderStatus('2501')).resolves.toMatchObject({ status: 'cancelled', filledQuantity: 75 });
  });

  it('a rejected order needs no trade book and keeps its reason', async () => {
    server.on('orderstatus', ok({ data: statusRow({ order_status: 'rejected', rejection_reason: 'margin' }) }));
    const report = await client().orderStatus('2501');
    expect(report).toMatchObject({ status: 'rejected', filledQuantity: 0, rejectionReason: 'margin' });
    expect(server.count('tradebook')).toBe(0);
  });

  it('a trade book failure fails a working order but not a complete one', async () => {
    server.on('tradebook', { status: 403, json: { status: 'error', message: 'nope' } });
    server.on('orderstatus', ok({ data: statusRow({ order_status: 'open' }) }));
    await failure(client().orderStatus('2501'), 'auth');
    server.on('orderstatus', ok({ data: statusRow({ order_status: 'complete', average_price: 101 }) }));
    await expect(client().orderStatus('2501')).resolves.toMatchObject({ filledQuantity: 150, averagePrice: 101 });
  });

  it('orderbook reads data.orders with one trade book fetch for the whole book', async () => {
    server
      .on('orderbook', ok({
        data: {
          orders: [
            statusRow({ orderid: '1', order_status: 'open' }),
            statusRow({ orderid: 2, order_status: 'complete', average_price: 100, price_type: 'MARKET', pricetype: undefined }),
            statusRow({ orderid: '3', order_status: 'rejected' }),
            statusRow({ orderid: '4', order_status: 'trigger_pending', pricetype: 'SL-M' }),
          ],
          statistics: { total_buy_orders: 4 },
        },
      }))
      .on('tradebook', ok({ data: [trade('1', 50, 100), trade('2', 150, 100)] }));
    const book = await client().orderBook();
    expect(server.count('tradebook')).toBe(1);
    expect(server.bodyOf('orderbook')).toEqual({ apikey: KEY });
    expect(book.map((o) => [o.orderId, o.status, o.filledQuantity, o.priceType])).toEqual([
      ['1', 'partially_filled', 50, 'LIMIT'],
      ['2', 'complete', 150, 'MARKET'],
      ['3', 'rejected', 0, 'LIMIT'],
      ['4', 'trigger_pending', 0, 'SL-M'],
    ]);
  });

  it('an empty orderbook needs no trade book', async () => {
    server.on('orderbook', ok({ data: { orders: [], statistics: {} } }));
    await expect(client().orderBook()).resolves.toEqual([]);
    expect(server.count('tradebook')).toBe(0);
  });

  it('tradebook rows are parsed with numeric strings and numeric order ids', async () => {
    server.on('tradebook', ok({ data: [trade(2501, '75', '101.05')] }));
    const rows = await client().tradeBook();
    expect(server.bodyOf('tradebook')).toEqual({ apikey: KEY });
    expect(rows).toEqual([
      { orderId: '2501', symbol: 'NIFTY25DEC25000CE', exchange: 'NFO', action: 'BUY', quantity: 75, price: 101.05, timestamp: null },
    ]);
  });

  it('positionbook keeps the signed quantity and reads ltp or last_price', async () => {
    server.on('positionbook', ok({
      data: [
        { symbol: 'A', exchange: 'NFO', product: 'MIS', quantity: '-75', average_price: '101.5', ltp: '99', pnl: 0 },
        { symbol: 'B', exchange: 'NSE', product: 'MIS', quantity: 10, average_price: 50, last_price: 51.5 },
        { symbol: 'C', exchange: 'NSE', product: 'MIS', quantity: 0, average_price: '' },
      ],
    }));
    const rows = await client().positionBook();
    expect(server.bodyOf('positionbook')).toEqual({ apikey: KEY });
    expect(rows).toEqual([
      { symbol: 'A', exchange: 'NFO', product: 'MIS', quantity: -75, averagePrice: 101.5, ltp: 99 },
      { symbol: 'B', exchange: 'NSE', product: 'MIS', quantity: 10, averagePrice: 50, ltp: 51.5 },
      { symbol: 'C', exchange: 'NSE', product: 'MIS', quantity: 0, averagePrice: 0, ltp: null },
    ]);
  });

  it('quotes sends apikey, symbol, exchange and parses numeric strings', async () => {
    server.on('quotes', ok({ data: { open: '100', high: 105, low: 99, ltp: '101.5', ask: 101.55, bid: 101.5, prev_close: 98, volume: '1200' } }));
    const quote = await client().quote('NIFTY25DEC25000CE', 'NFO');
    expect(server.bodyOf('quotes')).toEqual({ apikey: KEY, symbol: 'NIFTY25DEC25000CE', exchange: 'NFO' });
    expect(quote).toEqual({ ltp: 101.5, bid: 101.5, ask: 101.55, open: 100, high: 105, low: 99, prevClose: 98, volume: 1200 });
  });

  it('history sends the documented fields and returns closes oldest first (numeric strings too)', async () => {
    server.on('history', ok({ data: [{ timestamp: 1764037800, open: 1, high: 2, low: 1, close: '100.5', volume: 5, oi: 0 }, { timestamp: 1764038100, close: 101 }] }));
    const closes = await client().history('NIFTY25DEC25000CE', 'NFO', '5m', '2026-11-24', '2026-11-24');
    expect(server.bodyOf('history')).toEqual({ apikey: KEY, symbol: 'NIFTY25DEC25000CE', exchange: 'NFO', interval: '5m', start_date: '2026-11-24', end_date: '2026-11-24' });
    expect(closes).toEqual([100.5, 101]);
  });

  it('a quote without ltp is an unexpected response', async () => {
    server.on('quotes', ok({ data: { bid: 1 } }));
    const err = await failure(client({ readRetries: 0 }).quote('X', 'NSE'), 'server');
    expect(err.message).toMatch(/^unexpected response from quotes: data\.ltp/);
  });

  it('search picks the exact symbol on the exchange, with tick/lot fallbacks', async () => {
    server.on('search', ok({
      message: 'Found 3 matching symbols',
      data: [
        { symbol: 'NIFTY25DEC25000CE', exchange: 'BFO', lotsize: 20, tick_size: 0.05 },
        { symbol: 'NIFTY25DEC25000CE', exchange: 'NFO', name: 'NIFTY', tick_size: 0, freeze_qty: '1800', token: '1' },
        { symbol: 'NIFTY25DEC25000CE1', exchange: 'NFO', lotsize: 1, tick_size: 1 },
      ],
    }));
    const inst = await client().searchInstrument('nifty25dec25000ce', 'NFO');
    expect(server.bodyOf('search')).toEqual({ apikey: KEY, query: 'nifty25dec25000ce', exchange: 'NFO' });
    expect(inst).toEqual({ symbol: 'NIFTY25DEC25000CE', exchange: 'NFO', lotSize: 65, tickSize: 0.05, freezeQty: 1800, name: 'NIFTY' });
  });

  it('search returns the server lot and tick when given; null without a match or on 404', async () => {
    server.on('search', ok({ data: [{ symbol: 'SBIN', exchange: 'NSE', lotsize: '1', tick_size: '0.1' }] }));
    await expect(client().searchInstrument('SBIN', 'NSE')).resolves.toMatchObject({ lotSize: 1, tickSize: 0.1, freezeQty: null });
    await expect(client().searchInstrument('SBI', 'NSE')).resolves.toBeNull();
    server.on('search', { status: 404, json: { status: 'error', message: 'No matching symbols found' } });
    await expect(client().searchInstrument('NOPE', 'NSE')).resolves.toBeNull();
    expect(server.count('search')).toBe(3); // a 404 is not retried
  });

  it('health: ping gives the broker, analyzer the mode', async () => {
    server
      .on('ping', ok({ data: { message: 'pong', broker: 'zerodha' } }))
      .on('analyzer', ok({ data: { mode: 'analyze', analyze_mode: true, total_logs: 3 } }));
    await expect(client().health()).resolves.toEqual({ broker: 'zerodha', analyzer: true });
    expect(server.bodyOf('ping')).toEqual({ apikey: KEY });
    expect(server.bodyOf('analyzer')).toEqual({ apikey: KEY });
  });

  it('health: a missing analyzer endpoint means live', async () => {
    server.on('ping', ok({ data: { message: 'pong', broker: 'dhan' } })).on('analyzer', { status: 404, text: 'Not Found' });
    await expect(client().health()).resolves.toEqual({ broker: 'dhan', analyzer: false });
    server.on('analyzer', { status: 400, json: { status: 'error', message: 'bad' } });
    await expect(client().health()).resolves.toEqual({ broker: 'dhan', analyzer: false });
  });

  it('health: a 403 on ping is the auth error', async () => {
    server.on('ping', { status: 403, json: { status: 'error', message: `Invalid openalgo apikey ${KEY}` } });
    const err = await failure(client().health(), 'auth');
    expect(err.message).toBe(AUTH_MESSAGE);
    expect(server.count('analyzer')).toBe(0);
  });

  it('reports every attempt to onCall', async () => {
    const calls: CallInfo[] = [];
    server.on('quotes', (_b, n) => (n === 1 ? { status: 502, text: '<html>bad gateway</html>' } : ok({ data: { ltp: 1 } })));
    await client({ onCall: (info) => calls.push(info) }).quote('X', 'NSE');
    expect(calls.map((c) => [c.name, c.ok, c.error?.kind])).toEqual([['quotes', false, 'server'], ['quotes', true, undefined]]);
    expect(calls.every((c) => c.rttMs >= 0)).toBe(true);
  });

  it('a throwing onCall does not change the outcome', async () => {
    server.on('quotes', ok({ data: { ltp: 1 } }));
    const c = client({ onCall: () => { throw new Error('observer'); } });
    await expect(c.quote('X', 'NSE')).resolves.toMatchObject({ ltp: 1 });
  });
});

// ---- errors ----------------------------------------------------------------------------

describe('OpenAlgoClient errors', () => {
  it('a placeorder with no answer times out, and was sent exactly once', async () => {
    server.on('placeorder', 'hang');
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 200 }).placeOrder(LIMIT_BUY), 'timeout');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(err.message).toMatch(/outcome unknown/);
    expect(server.count('placeorder')).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('a read call that times out is not retried (the time is already spent)', async () => {
    server.on('orderbook', 'hang');
    await failure(client({ timeoutMs: 150 }).orderBook(), 'timeout');
    expect(server.count('orderbook')).toBe(1);
  });

  it('a connection reset mid-order is an unknown outcome, not a rejection', async () => {
    server.on('placeorder', 'reset');
    await failure(client().placeOrder(LIMIT_BUY), 'timeout');
    expect(server.count('placeorder')).toBe(1);
  });

  it('a closed port is not_sent; reads retry it with backoff', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = client({ host: `http://127.0.0.1:${port}` });
    const err = await failure(c.placeOrder(LIMIT_BUY), 'not_sent');
    expect(err.safeToRetry).toBe(true);
    expect(sleeps).toEqual([]);
    await failure(c.quote('X', 'NSE'), 'not_sent');
    expect(sleeps).toEqual([200, 400]);
  });

  it('a 400 is rejected with the broker message; a field map is flattened', async () => {
    server.on('placeorder', { status: 400, json: { status: 'error', message: { quantity: ['Must be greater than 0.'], price: 'Not a valid number.' } } });
    const err = await failure(client().placeOrder(LIMIT_BUY), 'rejected');
    expect(err.message).toBe('quantity: Must be greater than 0.; price: Not a valid number.');
    expect(err.httpStatus).toBe(400);
  });

  it('a message string holding a Python dict is flattened too', async () => {
    server.on('modifyorder', { status: 400, json: { status: 'error', message: "{'trigger_price': ['Missing data for required field.']}" } });
    const err = await failure(client().modifyOrder('1', LIMIT_BUY), 'rejected');
    expect(err.message).toBe('trigger_price: Missing data for required field.');
  });

  it('a 200 with status "error" is rejected', async () => {
    server.on('cancelorder', ok({ status: 'error', message: 'Order is already complete' }));
    const err = await failure(client().cancelOrder('1'), 'rejected');
    expect(err.message).toBe('Order is already complete');
  });

  it('a 500 with an error body from an order call is the broker rejecting it', async () => {
    server.on('placeorder', { status: 500, json: { status: 'error', message: 'RMS: Margin Exceeds' } });
    const err = await failure(client().placeOrder(LIMIT_BUY), 'rejected');
    expect(err.message).toBe('RMS: Margin Exceeds');
    expect(server.count('placeorder')).toBe(1);
  });

  it('a read call is retried after 500s and succeeds', async () => {
    server.on('positionbook', (_b, n) => (n < 3 ? { status: 500, json: { status: 'error', message: 'boom' } } : ok({ data: [] })));
    await expect(client().positionBook()).resolves.toEqual([]);
    expect(server.count('positionbook')).toBe(3);
    expect(sleeps).toEqual([200, 400]);
  });

  it('a read call gives up after readRetries with a server error', async () => {
    server.on('tradebook', { status: 500, json: { status: 'error', message: 'boom' } });
    const err = await failure(client({ readRetries: 1 }).tradeBook(), 'server');
    expect(err.message).toBe('tradebook: HTTP 500: boom');
    expect(server.count('tradebook')).toBe(2);
  });

  it('a 403 is auth with the fixed message', async () => {
    server.on('orderstatus', { status: 403, json: { status: 'error', message: 'Invalid openalgo apikey' } });
    const err = await failure(client().orderStatus('1'), 'auth');
    expect(err.message).toBe(AUTH_MESSAGE);
    expect(server.count('orderstatus')).toBe(1);
  });

  it('a 404 is not_found', async () => {
    server.on('orderstatus', { status: 404, json: { status: 'error', message: 'Order not found' } });
    const err = await failure(client().orderStatus('1'), 'not_found');
    expect(err.message).toBe('orderstatus: Order not found');
    expect(server.count('orderstatus')).toBe(1);
  });

  it('a 429 is rate_limited whatever the body; orders are not re-sent, reads are', async () => {
    server.on('placeorder', { status: 429, text: 'Too Many Requests' });
    const err = await failure(client().placeOrder(LIMIT_BUY), 'rate_limited');
    expect(err.httpStatus).toBe(429);
    expect(server.count('placeorder')).toBe(1);
    server.on('quotes', (_b, n) => (n === 1 ? { status: 429, json: { status: 'error', message: 'slow down' } } : ok({ data: { ltp: 5 } })));
    await expect(client().quote('X', 'NSE')).resolves.toMatchObject({ ltp: 5 });
    expect(server.count('quotes')).toBe(2);
  });

  it("a proxy's HTML 502 is a server error, never parsed", async () => {
    server.on('placeorder', { status: 502, text: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    const err = await failure(client().placeOrder(LIMIT_BUY), 'server');
    expect(err.message).toBe('placeorder: HTTP 502 (not JSON)');
    expect(server.count('placeorder')).toBe(1);
  });

  it('an HTML 504 on a read is retried like any 5xx', async () => {
    server.on('orderbook', { status: 504, text: '<html>Gateway Timeout</html>' });
    await failure(client().orderBook(), 'server');
    expect(server.count('orderbook')).toBe(3);
  });

  it('an empty or non-JSON 200 body is a server error', async () => {
    server.on('cancelorder', { status: 200, text: '' });
    const empty = await failure(client().cancelOrder('1'), 'server');
    expect(empty.message).toBe('unexpected response from cancelorder: empty body');
    server.on('cancelorder', { status: 200, text: '<html>login</html>' });
    const html = await failure(client().cancelOrder('1'), 'server');
    expect(html.message).toBe('unexpected response from cancelorder: not JSON');
  });

  it('an empty 500 body is a server error', async () => {
    server.on('modifyorder', { status: 500, text: '' });
    const err = await failure(client().modifyOrder('1', LIMIT_BUY), 'server');
    expect(err.message).toBe('modifyorder: HTTP 500 (empty body)');
  });

  it('a server that echoes the key has it masked', async () => {
    server.on('placeorder', { status: 400, json: { status: 'error', message: `unknown field in {"apikey": "${KEY}", "foo": 1}` } });
    const err = await failure(client().placeOrder(LIMIT_BUY), 'rejected');
    expect(err.message).toContain('***');
    server.on('quotes', ok({ status: 'error', message: { apikey: [KEY] } }));
    const mapped = await failure(client().quote('X', 'NSE'), 'rejected');
    expect(mapped.message).toBe('apikey: ***');
  });

  it('errors handed to onCall carry no key either', async () => {
    const errors: BrokerError[] = [];
    server.on('placeorder', 'hang');
    await failure(client({ timeoutMs: 100, onCall: (i) => i.error && errors.push(i.error) }).placeOrder(LIMIT_BUY), 'timeout');
    expect(errors).toHaveLength(1);
    for (const e of errors) expectNoKey(e);
  });
});

// ---- helpers exported alongside ------------------------------------------------------------

describe('redact', () => {
  it('replaces every occurrence, ignores empty secrets', () => {
    expect(redact(`a ${KEY} b ${KEY}`, [KEY, ''])).toBe('a *** b ***');
    expect(redact('nothing here', [KEY])).toBe('nothing here');
  });
});

describe('QuoteOnlySource', () => {
  it('exposes quote and nothing else', async () => {
    server.on('quotes', ok({ data: { ltp: 7 } }));
    const source = new QuoteOnlySource(client());
    await expect(source.quote('X', 'NSE')).resolves.toMatchObject({ ltp: 7 });
    const members = Object.getOwnPropertyNames(Object.getPrototypeOf(source)).filter((n) => n !== 'constructor');
    expect(members).toEqual(['quote']);
    expect(Object.keys(source)).toEqual([]);
    expect('placeOrder' in source).toBe(false);
  });

  it('createQuoteOnlyClient builds one from options', async () => {
    server.on('quotes', ok({ data: { ltp: 8 } }));
    const source = createQuoteOnlyClient({ host: server.url, apiKey: KEY, strategy: 's', timeoutMs: 1000 });
    await expect(source.quote('X', 'NSE')).resolves.toMatchObject({ ltp: 8 });
    expect(server.count('placeorder')).toBe(0);
  });
});
