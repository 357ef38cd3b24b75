import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startPaperFeedServer } from '../../src/broker/paper/feed-server.js';
import { paperServerMain, startPaperServer } from '../../src/broker/paper/server.js';
import { runPaperServer, servedInstruments, type PaperServerFlags } from '../../src/cli/paper-server-command.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { OpenAlgoClient } from '../../src/broker/openalgo/client.js';
import { OPTION, OPTION_PE, twoRig } from './paper-fixtures.js';

// paper-server with two instruments, over loopback: HTTP quotes and orders for each, the
// WebSocket feed ticking both subscriptions, and the instruments taken from SYMBOLS/SYMBOL.

const KEY = 'multi-key';
const CALL = OPTION.symbol;
const PUT = OPTION_PE.symbol;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function post(url: string, path: string, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/api/v1/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apikey: KEY, ...body }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Let socket I/O happen until `done` (bounded in event-loop turns, not in time). */
async function until(done: () => boolean, what: () => unknown = () => ''): Promise<void> {
  for (let i = 0; i < 5_000 && !done(); i++) await new Promise<void>((resolve) => setTimeout(resolve, 1));
  if (!done()) throw new Error(`condition not reached ${JSON.stringify(what())}`);
}

describe('paper-server with two instruments', () => {
  it('quotes both over HTTP, places an order for the second, and shows each in the books', async () => {
    const r = twoRig();
    const server = await startPaperServer({ port: 0, apiKey: KEY, broker: r.broker });
    cleanups.push(() => server.close());
    r.put.setPrice(48.7);

    expect((await post(server.url, 'quotes', { symbol: CALL, exchange: 'NFO' })).json).toMatchObject({ status: 'success', data: { ltp: 100, bid: 99.95, ask: 100.05 } });
    expect((await post(server.url, 'quotes', { symbol: PUT, exchange: 'NFO' })).json).toMatchObject({ status: 'success', data: { ltp: 48.7, bid: 48.6, ask: 48.8, open: 50 } });
    expect((await post(server.url, 'quotes', { symbol: 'NIFTY28NOV2526000CE', exchange: 'NFO' })).status).toBe(404);

    // One multiquotes call for both (and one it does not trade, answered with its error), as
    // OpenAlgo's adapters answer it; the client reads it back in the order asked.
    const many = await post(server.url, 'multiquotes', { symbols: [{ symbol: CALL, exchange: 'NFO' }, { symbol: PUT, exchange: 'NFO' }, { symbol: 'NIFTY28NOV2526000CE', exchange: 'NFO' }] });
    expect(many.json).toMatchObject({ status: 'success', results: [
      { symbol: CALL, exchange: 'NFO', data: { ltp: 100 } },
      { symbol: PUT, exchange: 'NFO', data: { ltp: 48.7 } },
      { symbol: 'NIFTY28NOV2526000CE', exchange: 'NFO', error: expect.stringMatching(/no quote/) },
    ] });
    expect((await post(server.url, 'multiquotes', { symbols: [] })).status).toBe(400);
    const client = new OpenAlgoClient({ host: server.url, apiKey: KEY, strategy: 'test', timeoutMs: 5_000 });
    const quotes = await client.multiQuote([{ symbol: PUT, exchange: 'NFO' }, { symbol: CALL, exchange: 'NFO' }, { symbol: 'NIFTY28NOV2526000CE', exchange: 'NFO' }]);
    expect(quotes.map((q) => q.quote?.ltp ?? q.error)).toEqual([48.7, 100, expect.stringMatching(/no quote/)]);
    await client.close?.();

    const placed = await post(server.url, 'placeorder', { strategy: 's', symbol: PUT, exchange: 'NFO', action: 'BUY', quantity: '75', pricetype: 'LIMIT', price: '48.9', product: 'MIS' });
    expect(placed).toMatchObject({ status: 200, json: { status: 'success', orderid: expect.any(String) } });
    const orderid = placed.json.orderid as string;
    expect((await post(server.url, 'orderstatus', { strategy: 's', orderid })).json).toMatchObject({
      data: { symbol: PUT, order_status: 'complete', price: 48.9, average_price: 48.8 },
    });
    const refused = await post(server.url, 'placeorder', { strategy: 's', symbol: PUT, exchange: 'NFO', action: 'BUY', quantity: '75', pricetype: 'LIMIT', price: '48.95', product: 'MIS' });
    expect(refused).toMatchObject({ status: 400, json: { message: expect.stringMatching(/not a multiple of the tick size 0.1/) } });

    await post(server.url, 'placeorder', { strategy: 's', symbol: CALL, exchange: 'NFO', action: 'SELL', quantity: '75', pricetype: 'MARKET', product: 'MIS' });
    const positions = (await post(server.url, 'positionbook', {})).json.data as Record<string, unknown>[];
    expect(positions.map((p) => [p.symbol, p.quantity, p.ltp])).toEqual([[PUT, 75, 48.7], [CALL, -75, 100]]);
    const trades = (await post(server.url, 'tradebook', {})).json.data as Record<string, unknown>[];
    expect(trades.map((t) => t.symbol)).toEqual([PUT, CALL]);
    const orders = ((await post(server.url, 'orderbook', {})).json.data as { orders: Record<string, unknown>[] }).orders;
    expect(orders.map((o) => o.symbol)).toEqual([PUT, CALL]);

    expect((await post(server.url, 'closeposition', { strategy: 's' })).json).toMatchObject({ message: 'All Open Positions SquaredOff' });
    expect(r.broker.netQuantity(PUT, 'NFO')).toBe(0);
    expect(r.broker.netQuantity(CALL, 'NFO')).toBe(0);
  });

  it('its WebSocket feed ticks both subscriptions and refuses a symbol it does not serve', async () => {
    const r = twoRig();
    const feed = await startPaperFeedServer({ port: 0, apiKey: KEY, broker: r.broker, clock: r.clock });
    cleanups.push(() => feed.close());
    const socket = new WebSocket(feed.url);
    cleanups.push(async () => void socket.terminate());
    const frames: Record<string, unknown>[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ action: 'authenticate', api_key: KEY }));
    await until(() => frames.some((f) => f.type === 'auth'));
    socket.send(JSON.stringify({ action: 'subscribe', mode: 1, symbols: [{ symbol: CALL, exchange: 'NFO' }, { symbol: PUT.toLowerCase(), exchange: 'NFO' }, { symbol: 'NIFTY28NOV2526000CE', exchange: 'NFO' }] }));
    await until(() => frames.some((f) => f.type === 'subscribe'));
    expect(frames.find((f) => f.type === 'subscribe')).toMatchObject({
      status: 'partial',
      subscriptions: [{ symbol: CALL, status: 'success' }, { symbol: PUT.toLowerCase(), status: 'success' }, { symbol: 'NIFTY28NOV2526000CE', status: 'error' }],
    });

    r.call.setPrice(101.5);
    r.put.setPrice(47.3);
    const ticks = (): unknown[] => frames.filter((f) => f.type === 'market_data').map((f) => [f.symbol, (f.data as { ltp: number }).ltp]);
    await until(() => ticks().length >= 2, ticks);
    expect(ticks()).toEqual([[CALL, 101.5], [PUT, 47.3]]);
  });

  it('paperServerMain serves every instrument it is given and names them on its listening line', async () => {
    const lines: string[] = [];
    const main = await paperServerMain({ port: 0, wsPort: null, seed: 7, apiKey: KEY, symbols: [{ symbol: CALL, exchange: 'NFO' }, { symbol: PUT, exchange: 'nfo' }], print: (l) => lines.push(l) });
    cleanups.push(() => main.close());
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^paper-server listening on http://127\\.0\\.0\\.1:\\d+ \\(seed 7, faults: partialFill=0\\.15, partialRestFills; serving ${CALL}@NFO, ${PUT}@NFO\\)$`))]);
    for (const symbol of [CALL, PUT]) {
      expect((await post(main.url, 'quotes', { symbol, exchange: 'NFO' })).json).toMatchObject({ status: 'success', data: { ltp: expect.any(Number) } });
    }
  });
});

describe('paper-server instruments from the config', () => {
  const sources = (env: Record<string, string>, dotenv: Record<string, string> = {}) => ({ store: {}, dotenv, env });
  const flags = (extra: Partial<PaperServerFlags> = {}): PaperServerFlags => ({ port: '0', wsPort: 'off', host: '127.0.0.1', seed: '7', ...extra });

  it('takes SYMBOLS or SYMBOL (flags over env over .env), EXCHANGE filling an entry without one', () => {
    expect(servedInstruments(flags(), sources({ SYMBOLS: `${CALL},${PUT}@BFO`, EXCHANGE: 'NFO', STOP_LOSS_RUPEES: 'not checked here' }))).toEqual({
      symbols: [{ symbol: CALL, exchange: 'NFO' }, { symbol: PUT, exchange: 'BFO' }],
    });
    expect(servedInstruments(flags(), sources({}, { SYMBOL: PUT }))).toEqual({ symbols: [{ symbol: PUT, exchange: 'NFO' }] });
    expect(servedInstruments(flags({ symbols: `${CALL}:3`, exchange: 'bfo' }), sources({}, { SYMBOLS: PUT }))).toEqual({ symbols: [{ symbol: CALL, exchange: 'BFO' }] });
    // Neither set: the default paper symbol, on the configured exchange.
    expect(servedInstruments(flags({ exchange: 'BFO' }), sources({}))).toEqual({ exchange: 'BFO' });
  });

  it('reports a bad entry as the other config errors are reported: one line, exit 1, nothing served', async () => {
    const err: string[] = [];
    const io = { out: (l: string) => err.push(`out: ${l}`), err: (l: string) => err.push(l) };
    expect(await runPaperServer(flags(), {}, io, sources({ SYMBOLS: `${CALL},bad symbol` }))).toBe(EXIT.CONFIG);
    expect(err).toEqual([expect.stringMatching(/^random-scalp: invalid SYMBOLS = ".*" \(from environment\): expected SYM\[@EXCHANGE\]\[:LOTS\].*entry 2 "bad symbol"/)]);
    err.length = 0;
    expect(await runPaperServer(flags({ symbol: CALL }), {}, io, sources({ SYMBOLS: PUT }))).toBe(EXIT.CONFIG);
    expect(err).toEqual([expect.stringMatching(/^random-scalp: SYMBOL \(from .*\) and SYMBOLS \(from .*\) are both set/)]);
    err.length = 0;
    expect(await runPaperServer(flags(), {}, io, sources({ SYMBOLS: `${CALL},${CALL}@NFO` }))).toBe(EXIT.CONFIG);
    expect(err).toEqual([expect.stringMatching(/^random-scalp: invalid SYMBOLS: entries 1 and 2 both name/)]);
  });
});
