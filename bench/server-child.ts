// The paper-server host: a child process running any number of paper markets, each behind its
// own `startPaperServer` on a loopback port with OpenAlgo's default limits (10/s per route).
// The parent drives it over IPC: create a market, move its price (a deterministic fill), read
// what the broker received (orders, cancels, trades — all stamped on this process's clock) and
// every HTTP request the server answered (time, route, status), counted at the server.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDefaultPaperSetup, startPaperServer, type PaperServer, type PaperSetup } from '../src/broker/paper/index.js';
import { systemClock } from '../src/time/clock.js';
import { startPaperFeedServer, type PaperFeedServer } from '../src/broker/paper/feed-server.js';
import { serveRpc } from './lib/ipc.js';

export const BENCH_API_KEY = 'bench-key';
export const BENCH_SYMBOL = 'NIFTY25000CE';
export const BENCH_EXCHANGE = 'NFO';

export interface Hit {
  /** When the request arrived (Date.now() here). */
  at: number;
  route: string;
  status: number;
}

interface Hosted {
  setup: PaperSetup;
  server: PaperServer;
  feed: PaperFeedServer | null;
  hits: Hit[];
}

const hosted = new Map<number, Hosted>();
const byPort = new Map<number, Hit[]>();
let nextId = 1;

// Count every request at the HTTP layer. startPaperServer does not hand out its http.Server, so
// observe the 'request' event on every server in this process (only paper servers run here).
const proto = http.Server.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
const originalEmit = proto.emit;
proto.emit = function emit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'request') {
    const req = args[0] as http.IncomingMessage;
    const res = args[1] as http.ServerResponse;
    const port = (this.address() as AddressInfo | null)?.port ?? -1;
    const hits = byPort.get(port);
    if (hits) {
      const at = Date.now();
      const route = (req.url ?? '').replace(/^\/api\/v1\//, '').replace(/\/$/, '');
      let recorded = false;
      const record = (): void => {
        if (recorded) return;
        recorded = true;
        hits.push({ at, route, status: res.statusCode });
      };
      res.once('finish', record);
      res.once('close', record);
    }
  }
  return originalEmit.call(this, event, ...args);
};

function get(id: number): Hosted {
  const h = hosted.get(id);
  if (!h) throw new Error(`no paper server ${id}`);
  return h;
}

serveRpc({
  /** `symbols`: several instruments on one server (one account), a market each (the desk bench). */
  async create(args: { seed?: number; freeze?: boolean; rateLimit?: boolean; startPrice?: number; feed?: boolean; symbols?: string[] }) {
    const setup = createDefaultPaperSetup({
      clock: systemClock,
      seed: args.seed ?? 7,
      ...(args.symbols ? { symbols: args.symbols.map((symbol) => ({ symbol, exchange: BENCH_EXCHANGE })) } : { symbol: BENCH_SYMBOL, exchange: BENCH_EXCHANGE }),
      // No partial fills: every sample is one clean fill of a whole leg.
      faults: { partialFill: 0 },
      startPrice: args.startPrice ?? 100,
    });
    if (args.freeze ?? true) for (const m of setup.markets) m.freeze(true);
    const server = await startPaperServer({
      port: 0,
      apiKey: BENCH_API_KEY,
      broker: setup.broker,
      clock: systemClock,
      ...(args.rateLimit === false ? {} : { rateLimit: { ordersPerSecond: 10, othersPerSecond: 10 } }),
    });
    const feed = args.feed ? await startPaperFeedServer({ port: 0, apiKey: BENCH_API_KEY, broker: setup.broker, clock: systemClock }) : null;
    const hits: Hit[] = [];
    byPort.set(server.port, hits);
    const id = nextId++;
    hosted.set(id, { setup, server, feed, hits });
    return { id, url: server.url, wsUrl: feed?.url ?? null, apiKey: BENCH_API_KEY, symbol: args.symbols?.[0] ?? BENCH_SYMBOL, exchange: BENCH_EXCHANGE };
  },

  /** Move the LTP of the server's (or `symbol`'s) market to `price` (a normal step: every tick in between prints) and report the fills it caused. */
  async setPrice(args: { id: number; price: number; symbol?: string }) {
    const { setup } = get(args.id);
    const market = args.symbol ? setup.broker.marketFor(args.symbol, BENCH_EXCHANGE) : setup.market;
    if (!market) throw new Error(`paper server ${args.id} has no market for ${args.symbol}`);
    const before = (await setup.broker.tradeBookDetailed()).length;
    const at = Date.now();
    market.setPrice(args.price);
    // The fills happen inside setPrice (matching runs on every print), stamped with its time.
    const fills = (await setup.broker.tradeBookDetailed()).slice(before);
    return { at, ltp: market.ltpPrice(), fills };
  },

  /** Jump the LTP of the server's market to `price` with no prints in between (a gap) and say when. */
  async gapTo(args: { id: number; price: number }) {
    const { setup } = get(args.id);
    const at = Date.now();
    setup.market.gapTo(args.price);
    return { at, ltp: setup.market.ltpPrice() };
  },

  async ltp(args: { id: number }) {
    return get(args.id).setup.market.ltpPrice();
  },

  async snapshot(args: { id: number }) {
    const { setup } = get(args.id);
    return {
      placed: setup.broker.placedOrders.map((o) => ({
        at: o.at,
        orderId: o.orderId,
        action: o.request.action,
        priceType: o.request.priceType,
        quantity: o.request.quantity,
        outcome: o.outcome,
      })),
      cancels: setup.broker.cancelRequests.map((c) => ({ at: c.at, orderId: c.orderId, outcome: c.outcome })),
      modifies: setup.broker.modifyRequests.map((m) => ({ at: m.at, orderId: m.orderId, outcome: m.outcome, trigger: m.request.triggerPrice ?? null })),
      trades: await setup.broker.tradeBookDetailed(),
    };
  },

  async hits(args: { id?: number }) {
    if (args.id !== undefined) return { [args.id]: get(args.id).hits };
    const out: Record<number, Hit[]> = {};
    for (const [id, h] of hosted) out[id] = h.hits;
    return out;
  },

  async cpu() {
    return { cpu: process.cpuUsage(), uptimeMs: process.uptime() * 1000, rss: process.memoryUsage().rss };
  },

  /** Drop the market's WebSocket feed for `ms` (its clients see the socket close). */
  async dropFeed(args: { id: number; ms: number }) {
    const h = get(args.id);
    if (!h.feed) throw new Error(`market ${args.id} has no feed`);
    const at = Date.now();
    h.feed.drop(args.ms);
    return { at };
  },

  async close(args: { id: number }) {
    const h = get(args.id);
    hosted.delete(args.id);
    await h.feed?.close();
    await h.server.close();
    return true;
  },
});
