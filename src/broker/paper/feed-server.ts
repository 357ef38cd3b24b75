// paper-server's WebSocket side: OpenAlgo's feed protocol (../shared/openalgo-ws.md) served from
// the paper market, so the real feed client runs end to end on loopback — and any OpenAlgo bot
// can test its WebSocket code against it. Events come from a PaperFeed, so the feed faults
// (drops, silence, lost, doubled, late updates) behave exactly as in process.

import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock } from '../../time/clock.js';
import { canonicalStatusWord } from '../order-status.js';
import type { OrderReport } from '../types.js';
import type { PaperBroker } from './paper-broker.js';
import { PaperFeed } from './paper-feed.js';

export interface PaperFeedServerOptions {
  port: number;
  host?: string;
  apiKey: string;
  broker: PaperBroker;
  clock: Clock;
  /** Close a socket that has not authenticated in this long (code 4401). Default 15000. */
  authGraceMs?: number;
  /** Protocol-level ping interval; a socket that misses one pong is closed 1011. Default 20000. */
  pingIntervalMs?: number;
}

export interface PaperFeedServer {
  url: string;
  port: number;
  /** Open client connections. */
  readonly clients: number;
  /** Drop every connection and refuse new ones for `ms` (what the feedDrop fault does). */
  drop(ms: number): void;
  close(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  authenticated: boolean;
  orders: boolean;
  /** "SYMBOL|EXCHANGE" → subscribed mode. */
  symbols: Map<string, number>;
  alive: boolean;
}

const MODES: Record<string, number> = { ltp: 1, quote: 2, depth: 3 };
const MODE_NAMES = ['', 'LTP', 'Quote', 'Depth'];

export async function startPaperFeedServer(opts: PaperFeedServerOptions): Promise<PaperFeedServer> {
  const { broker } = opts;
  const key = (symbol: string, exchange: string): string => `${symbol.toUpperCase()}|${exchange.toUpperCase()}`;
  const clients = new Set<Client>();
  const wss = new WebSocketServer({ port: opts.port, host: opts.host ?? '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  let up = true;

  const send = (c: Client, frame: Record<string, unknown>): void => {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(JSON.stringify(frame));
  };
  const error = (c: Client, code: string, message: string): void => send(c, { status: 'error', code, message });

  // The event source: the same PaperFeed the in-process broker uses, faults and all.
  const feed = new PaperFeed({ clock: opts.clock, broker });
  feed.start(
    {
      tick: (symbol, exchange, ltp, at) => {
        for (const c of clients) {
          const mode = c.symbols.get(key(symbol, exchange));
          if (mode !== undefined) send(c, { type: 'market_data', symbol, exchange, mode, broker: 'paper', data: { ltp, timestamp: at, symbol, exchange } });
        }
      },
      orderUpdate: (r) => {
        for (const c of clients) if (c.orders) send(c, orderUpdateFrame(r));
      },
      health: (h) => {
        up = h.state === 'live';
        // A dropped feed drops every connection (as a restarting server would); a client must
        // reconnect, and cannot until the feed is back.
        if (!up) for (const c of clients) c.socket.close(1011, h.reason ?? 'feed down');
      },
      resync: () => {},
      note: () => {},
    },
    broker.markets.map((m) => ({ symbol: m.instrument.symbol, exchange: m.instrument.exchange })),
  );

  const heartbeat = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }, opts.pingIntervalMs ?? 20_000);

  wss.on('connection', (socket) => {
    if (!up) {
      socket.close(1013, 'feed down (paper fault feedDrop): try again later');
      return;
    }
    const c: Client = { socket, authenticated: false, orders: false, symbols: new Map(), alive: true };
    clients.add(c);
    const grace = setTimeout(() => {
      if (!c.authenticated) socket.close(4401, 'auth timeout');
    }, opts.authGraceMs ?? 15_000);
    socket.on('pong', () => {
      c.alive = true;
    });
    socket.on('close', () => {
      clearTimeout(grace);
      clients.delete(c);
    });
    socket.on('error', () => socket.terminate());
    socket.on('message', (data, isBinary) => {
      if (isBinary) return error(c, 'INVALID_JSON', 'Binary frames are not supported');
      let msg: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(String(data));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        msg = parsed as Record<string, unknown>;
      } catch {
        return error(c, 'INVALID_JSON', 'Invalid JSON message');
      }
      handle(c, msg);
    });
  });

  const handle = (c: Client, msg: Record<string, unknown>): void => {
    const action = String(msg.action ?? msg.type ?? '');
    switch (action) {
      case 'authenticate':
      case 'auth': {
        const k = msg.api_key ?? msg.apikey;
        if (k !== opts.apiKey) return error(c, 'AUTHENTICATION_ERROR', 'Invalid API key');
        c.authenticated = true;
        return send(c, { type: 'auth', status: 'success', message: 'Authentication successful', broker: 'paper', user_id: 'paper', supported_features: { ltp: true, quote: true, depth: false } });
      }
      case 'ping': {
        const pong: Record<string, unknown> = { type: 'pong', status: 'success', server_timestamp: opts.clock.now() };
        if ('timestamp' in msg) pong.client_timestamp = msg.timestamp;
        if ('_pingId' in msg) pong._pingId = msg._pingId;
        return send(c, pong);
      }
      case 'subscribe_orders':
      case 'unsubscribe_orders': {
        if (!c.authenticated) return error(c, 'NOT_AUTHENTICATED', 'Authentication required');
        c.orders = action === 'subscribe_orders';
        return send(c, { type: action, status: 'success', message: c.orders ? 'Subscribed to order updates' : 'Unsubscribed from order updates', ...(msg.request_id !== undefined ? { request_id: msg.request_id } : {}) });
      }
      case 'subscribe':
        return subscribe(c, msg);
      case 'unsubscribe': {
        if (!c.authenticated) return error(c, 'NOT_AUTHENTICATED', 'Authentication required');
        const wanted = symbolsOf(msg);
        const successful: unknown[] = [];
        for (const s of wanted ?? []) {
          c.symbols.delete(key(s.symbol, s.exchange));
          successful.push({ symbol: s.symbol, exchange: s.exchange });
        }
        return send(c, { type: 'unsubscribe', status: 'success', message: 'Unsubscribed', successful, failed: [], broker: 'paper' });
      }
      case 'unsubscribe_all':
        c.symbols.clear();
        return send(c, { type: 'unsubscribe', status: 'success', message: 'Unsubscribed from all', successful: [], failed: [], broker: 'paper' });
      default:
        return error(c, 'INVALID_ACTION', `Invalid action: ${action}`);
    }
  };

  const subscribe = (c: Client, msg: Record<string, unknown>): void => {
    if (!c.authenticated) return error(c, 'NOT_AUTHENTICATED', 'Authentication required');
    const wanted = symbolsOf(msg);
    if (!wanted || wanted.length === 0) return error(c, 'INVALID_PARAMETERS', 'Missing symbols');
    const rawMode = msg.mode ?? 2;
    const mode = typeof rawMode === 'number' ? rawMode : typeof rawMode === 'string' ? MODES[rawMode.toLowerCase()] : undefined;
    if (mode === undefined || !(mode >= 1 && mode <= 3)) return error(c, 'INVALID_MODE', `Invalid mode: ${JSON.stringify(rawMode)}`);
    const subscriptions = wanted.map((s) => {
      const market = broker.marketFor(s.symbol, s.exchange);
      if (!market) return { symbol: s.symbol, exchange: s.exchange, status: 'error', message: `Token not found for ${s.symbol} on ${s.exchange}` };
      c.symbols.set(key(market.instrument.symbol, market.instrument.exchange), mode);
      return { symbol: s.symbol, exchange: s.exchange, status: 'success', mode: MODE_NAMES[mode], depth: 5, broker: 'paper' };
    });
    const allOk = subscriptions.every((s) => s.status === 'success');
    send(c, { type: 'subscribe', status: allOk ? 'success' : 'partial', message: allOk ? 'Subscription successful' : 'Some subscriptions failed', broker: 'paper', subscriptions, ...(msg.request_id !== undefined ? { request_id: msg.request_id } : {}) });
  };

  const address = wss.address() as AddressInfo;
  return {
    url: `ws://${opts.host ?? '127.0.0.1'}:${address.port}`,
    port: address.port,
    get clients() {
      return clients.size;
    },
    drop: (ms) => feed.drop('dropped (paper-server)', ms),
    close: async () => {
      clearInterval(heartbeat);
      await feed.stop();
      for (const c of clients) c.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function symbolsOf(msg: Record<string, unknown>): { symbol: string; exchange: string }[] | null {
  if (Array.isArray(msg.symbols)) {
    return msg.symbols
      .filter((s): s is { symbol: unknown; exchange: unknown } => typeof s === 'object' && s !== null)
      .map((s) => ({ symbol: String(s.symbol ?? ''), exchange: String(s.exchange ?? '') }));
  }
  if (typeof msg.symbol === 'string' && typeof msg.exchange === 'string') return [{ symbol: msg.symbol, exchange: msg.exchange }];
  return null;
}

/** An order_update with all 18 keys, as OpenAlgo's subscriber sends it. */
function orderUpdateFrame(r: OrderReport): Record<string, unknown> {
  return {
    type: 'order_update',
    user_id: 'paper',
    mode: 'live',
    broker: 'paper',
    orderid: r.orderId,
    symbol: r.symbol,
    exchange: r.exchange,
    action: r.action,
    quantity: r.quantity,
    price: r.price,
    trigger_price: r.triggerPrice,
    pricetype: r.priceType,
    product: r.product,
    order_status: canonicalStatusWord(r.status),
    filled_quantity: r.filledQuantity,
    pending_quantity: Math.max(0, r.quantity - r.filledQuantity),
    average_price: r.averagePrice ?? 0,
    rejection_reason: r.rejectionReason ?? '',
  };
}
