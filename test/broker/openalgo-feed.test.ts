import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FeedHealth, FeedListener } from '../../src/broker/feed.js';
import { OpenAlgoFeed } from '../../src/broker/openalgo/feed-client.js';
import { startPaperFeedServer, type PaperFeedServer } from '../../src/broker/paper/feed-server.js';
import { PaperBroker } from '../../src/broker/paper/paper-broker.js';
import { PaperMarket } from '../../src/broker/paper/market.js';
import type { OrderReport } from '../../src/broker/types.js';
import { FakeClock } from '../../src/time/clock.js';
import { INSTRUMENT } from '../engine/harness.js';

// The real feed client against loopback WebSocket servers: paper-server's feed (the protocol as
// OpenAlgo serves it) and small scripted servers for what a real server does wrong. Timers run
// on a fake clock; waiting is for socket I/O only (event-loop turns, never a sleep).

const KEY = 'feed-test-key-0123456789';

interface Recorded extends FeedListener {
  states: FeedHealth[];
  notes: string[];
  ticks: number[];
  orders: OrderReport[];
  resyncs: number;
  times: number;
}

function recorder(): Recorded {
  const r: Recorded = {
    states: [], notes: [], ticks: [], orders: [], resyncs: 0, times: 0,
    tick: (_s, _e, ltp) => void r.ticks.push(ltp),
    orderUpdate: (o) => void r.orders.push(o),
    health: (h) => void r.states.push(h),
    resync: () => void r.resyncs++,
    serverTime: () => void r.times++,
    note: (level, text) => void r.notes.push(`${level}: ${text}`),
  };
  return r;
}

const last = (r: Recorded): FeedHealth | undefined => r.states[r.states.length - 1];

/** Let socket I/O happen until `done` (bounded in event-loop turns, not in time). */
async function until(done: () => boolean, turns = 5_000, what: () => unknown = () => ''): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise<void>((resolve) => setTimeout(resolve, 1));
  if (!done()) throw new Error(`condition not reached ${JSON.stringify(what())}`);
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function paperServer(clock: FakeClock): Promise<{ server: PaperFeedServer; broker: PaperBroker; market: PaperMarket }> {
  const market = new PaperMarket({ clock, seed: 3, instrument: INSTRUMENT, startPrice: 100 });
  market.freeze(true);
  const broker = new PaperBroker({ clock, market, seed: 3 });
  const server = await startPaperFeedServer({ port: 0, apiKey: KEY, broker, clock });
  cleanups.push(() => server.close());
  return { server, broker, market };
}

function client(url: string, clock: FakeClock, key = KEY): OpenAlgoFeed {
  const feed = new OpenAlgoFeed({ url, apiKey: key, clock, random: () => 0.5 });
  cleanups.push(() => feed.stop());
  return feed;
}

/** A scripted server: `onMessage` answers each parsed client frame. */
async function scripted(onMessage: (socket: WebSocket, msg: Record<string, unknown>) => void): Promise<{ url: string; wss: WebSocketServer }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => socket.on('message', (d) => onMessage(socket, JSON.parse(String(d)) as Record<string, unknown>)));
  cleanups.push(() => new Promise<void>((resolve) => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => resolve());
  }));
  const port = (wss.address() as { port: number }).port;
  return { url: `ws://127.0.0.1:${port}`, wss };
}

const reply = (socket: WebSocket, frame: Record<string, unknown>): void => socket.send(JSON.stringify(frame));

describe('OpenAlgo feed client', () => {
  it('authenticates, subscribes to ticks and order updates, and delivers both parsed', async () => {
    const clock = new FakeClock(Date.parse('2026-11-24T09:20:00+05:30'));
    const { server, broker, market } = await paperServer(clock);
    const r = recorder();
    client(server.url, clock).start(r, [{ symbol: INSTRUMENT.symbol, exchange: 'NFO' }]);
    await until(() => last(r)?.state === 'live' && last(r)?.ticks === true, 5000, () => [r.states, r.notes]);
    expect(r.states.map((s) => s.state)).toEqual(['connecting', 'authenticating', 'live', 'live'].slice(0, r.states.length).filter(Boolean));
    expect(last(r)).toMatchObject({ state: 'live', orders: true, ticks: true });
    expect(r.resyncs).toBe(1);

    market.setPrice(101.5);
    await until(() => r.ticks.includes(101.5), 5000, () => [r.ticks, r.notes, r.states.length]);
    const { orderId } = await broker.placeOrder({ symbol: INSTRUMENT.symbol, exchange: 'NFO', action: 'BUY', quantity: 75, priceType: 'LIMIT', price: 90, product: 'MIS' });
    await until(() => r.orders.some((o) => o.orderId === orderId), 5000, () => [r.orders, r.notes]);
    expect(r.orders.find((o) => o.orderId === orderId)).toMatchObject({ status: 'working', filledQuantity: 0, quantity: 75, action: 'BUY', priceType: 'LIMIT', price: 90 });
    await broker.cancelOrder(orderId);
    await until(() => r.orders.some((o) => o.orderId === orderId && o.status === 'cancelled'));
  });

  it('measures the ping round trip and takes the server time from the pong', async () => {
    const clock = new FakeClock(Date.parse('2026-11-24T09:20:00+05:30'));
    const { server } = await paperServer(clock);
    const r = recorder();
    client(server.url, clock).start(r, [{ symbol: INSTRUMENT.symbol, exchange: 'NFO' }]);
    await until(() => r.times > 0 && last(r)?.state === 'live');
    expect(last(r)?.rttMs).toBe(0); // fake time stands still while the pong travels
  });

  it('a refused key is a feed state and a log line, then it keeps trying with backoff', async () => {
    const clock = new FakeClock(Date.parse('2026-11-24T09:20:00+05:30'));
    const { server } = await paperServer(clock);
    const r = recorder();
    client(server.url, clock, 'wrong-key').start(r, []);
    await until(() => last(r)?.state === 'down');
    expect(last(r)?.reason).toMatch(/authentication refused: Invalid API key \(check OPENALGO_API_KEY\)/);
    expect(r.notes.some((n) => /reconnecting in 0\.\d s/.test(n))).toBe(true);
    expect(r.notes.join('\n')).not.toContain('wrong-key');
    const before = r.states.filter((s) => s.state === 'connecting').length;
    await clock.advance(1_000);
    await until(() => r.states.filter((s) => s.state === 'connecting').length > before);
  });

  it('backs off exponentially with jitter up to about 10 s', async () => {
    const clock = new FakeClock(0);
    const feed = new OpenAlgoFeed({ url: 'ws://127.0.0.1:1', apiKey: KEY, clock, random: () => 1 });
    const delays = Array.from({ length: 8 }, () => (feed as unknown as { backoff(): number }).backoff());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
    const low = new OpenAlgoFeed({ url: 'ws://127.0.0.1:1', apiKey: KEY, clock, random: () => 0 });
    expect((low as unknown as { backoff(): number }).backoff()).toBe(250);
  });

  it('a broker logged out (BROKER_ERROR) keeps order updates and says why ticks are missing', async () => {
    const { url } = await scripted((socket, msg) => {
      if (msg.action === 'authenticate') reply(socket, { type: 'auth', status: 'success', message: 'Authentication successful', broker: 'zerodha' });
      if (msg.action === 'subscribe') reply(socket, { status: 'error', code: 'BROKER_ERROR', message: 'No broker configuration found for user' });
      if (msg.action === 'subscribe_orders') reply(socket, { type: 'subscribe_orders', status: 'success', message: 'ok' });
      if (msg.action === 'ping') reply(socket, { type: 'pong', status: 'success', server_timestamp: 1, _pingId: msg._pingId });
    });
    const clock = new FakeClock(0);
    const r = recorder();
    client(url, clock).start(r, [{ symbol: 'SBIN', exchange: 'NSE' }]);
    await until(() => last(r)?.state === 'live' && /BROKER_ERROR/.test(last(r)?.reason ?? ''));
    expect(last(r)).toMatchObject({ state: 'live', orders: true, ticks: false });
    expect(r.notes.some((n) => n.includes('log in to the broker in OpenAlgo'))).toBe(true);
  });

  it('an unknown symbol (partial ack) leaves ticks off with a warning, order updates on', async () => {
    const clock = new FakeClock(0);
    const { server } = await paperServer(clock);
    const r = recorder();
    client(server.url, clock).start(r, [{ symbol: 'NOSUCH', exchange: 'NSE' }]);
    await until(() => r.notes.some((n) => n.includes('no ticks for NOSUCH@NSE')));
    expect(last(r)).toMatchObject({ state: 'live', orders: true, ticks: false });
  });

  it('a dropped connection is down at once, reconnects, subscribes again and asks for a resync', async () => {
    const clock = new FakeClock(0);
    const { server } = await paperServer(clock);
    const r = recorder();
    client(server.url, clock).start(r, [{ symbol: INSTRUMENT.symbol, exchange: 'NFO' }]);
    await until(() => last(r)?.state === 'live');
    const wss = (server as unknown as { clients: number }).clients;
    expect(wss).toBe(1);
    // Kill the server side of the socket, as a restarting server or a dead network path would.
    const feedServer = server as unknown as { close(): Promise<void> };
    void feedServer;
    const { url } = server;
    await server.close();
    cleanups.pop();
    await until(() => last(r)?.state === 'down');
    expect(last(r)?.reason).toMatch(/closed by the server|connection failed/);
    // A new server on the same port comes back; the client finds it after its backoff.
    const port = Number(new URL(url).port);
    const market = new PaperMarket({ clock, seed: 3, instrument: INSTRUMENT, startPrice: 100 });
    const broker = new PaperBroker({ clock, market, seed: 3 });
    const again = await startPaperFeedServer({ port, apiKey: KEY, broker, clock });
    cleanups.push(() => again.close());
    for (let i = 0; i < 20 && last(r)?.state !== 'live'; i++) {
      await clock.advance(1_000);
      await until(() => last(r)?.state === 'live' || last(r)?.state === 'down', 500).catch(() => {});
    }
    await until(() => last(r)?.state === 'live');
    expect(r.resyncs).toBe(2);
  });

  it('a half-dead socket (connected, no pongs) is found out by its own pings and dropped', async () => {
    const { url } = await scripted((socket, msg) => {
      if (msg.action === 'authenticate') reply(socket, { type: 'auth', status: 'success', message: 'ok', broker: 'x' });
      if (msg.action === 'subscribe_orders') reply(socket, { type: 'subscribe_orders', status: 'success', message: 'ok' });
      // pings are swallowed
    });
    const clock = new FakeClock(0);
    const r = recorder();
    client(url, clock).start(r, []);
    await until(() => last(r)?.state === 'live');
    await clock.advance(5_000);
    const down = r.states.find((s) => s.state === 'down');
    expect(down).toMatchObject({ reason: 'no pong for 5 s: the connection is dead', since: 5_000 });
  });

  it('malformed frames are logged once and ignored; a duplicate update is passed on for the engine to drop', async () => {
    const update = { type: 'order_update', user_id: 'u', mode: 'live', broker: 'x', orderid: 2501, symbol: 'SBIN', exchange: 'NSE', action: 'SELL', quantity: 10, price: 801.5, trigger_price: 0, pricetype: 'LIMIT', product: 'MIS', order_status: 'open', filled_quantity: '4', pending_quantity: 6, average_price: 801.5, rejection_reason: '' };
    const { url } = await scripted((socket, msg) => {
      if (msg.action === 'authenticate') reply(socket, { type: 'auth', status: 'success', message: 'ok', broker: 'x' });
      if (msg.action === 'subscribe_orders') {
        reply(socket, { type: 'subscribe_orders', status: 'success', message: 'ok' });
        socket.send('not json {');
        socket.send(JSON.stringify({ type: 'market_data', symbol: 'SBIN' }));
        socket.send(JSON.stringify(update));
        socket.send(JSON.stringify(update));
      }
    });
    const clock = new FakeClock(0);
    const r = recorder();
    client(url, clock).start(r, []);
    await until(() => r.orders.length === 2);
    // Numeric order id and numeric strings absorbed; "open" with fills is a partial fill.
    expect(r.orders[0]).toMatchObject({ orderId: '2501', status: 'partially_filled', filledQuantity: 4, averagePrice: 801.5 });
    expect(r.notes.filter((n) => n.includes('malformed frame'))).toHaveLength(1);
    expect(last(r)?.state).toBe('live');
  });

  it('a server without order updates (old OpenAlgo) never counts as live: polling stays at full rate', async () => {
    const { url } = await scripted((socket, msg) => {
      if (msg.action === 'authenticate') reply(socket, { type: 'auth', status: 'success', message: 'ok', broker: 'x' });
      if (msg.action === 'subscribe_orders') reply(socket, { status: 'error', code: 'INVALID_ACTION', message: 'Invalid action: subscribe_orders' });
      if (msg.action === 'subscribe') reply(socket, { type: 'subscribe', status: 'success', message: 'ok', subscriptions: [{ symbol: 'SBIN', exchange: 'NSE', status: 'success' }] });
    });
    const clock = new FakeClock(0);
    const r = recorder();
    client(url, clock).start(r, [{ symbol: 'SBIN', exchange: 'NSE' }]);
    await until(() => r.notes.some((n) => n.includes('INVALID_ACTION')));
    expect(last(r)?.state).not.toBe('live');
  });
});
