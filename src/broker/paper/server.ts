// paper-server: the paper broker behind OpenAlgo's REST paths and shapes, so the real HTTP
// client can be exercised end to end on loopback. Only this HTTP layer uses real timers (the
// delayed answer of an acceptThenTimeout); the broker and its market run on the given clock.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../time/clock.js';
import { istParts } from '../../time/ist.js';
import { shiftedClock } from '../../time/server-clock.js';
import { PaperCalendar, parsePaperHolidays } from './calendar.js';
import { BrokerError } from '../errors.js';
import type { OrderRequest, PriceType } from '../types.js';
import { describeFaults, parseFaults } from './faults.js';
import type { PaperBroker } from './paper-broker.js';
import * as fmt from './server-format.js';
import * as schemas from './server-schemas.js';
import { createDefaultPaperSetup } from './setup.js';
import { TelegramInbox, telegramNotifySchema, type TelegramMessage } from './server-telegram.js';
import { startPaperFeedServer, type PaperFeedServer } from './feed-server.js';
import { PAPER_HISTORY_MAX_DAYS, PAPER_INTERVALS, intervalMinutes, paperHistory } from './history.js';

export { createDefaultPaperSetup } from './setup.js';

export interface PaperServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The key every request must carry in its body. */
  apiKey: string;
  broker: PaperBroker;
  /** The server's clock: its Date headers, the year market/holidays defaults to, the rate limiter's window. Default the system clock. */
  clock?: Clock;
  /** How long an order call hit by a timeout fault waits before it answers. Default 15000. */
  responseDelayMs?: number;
  /** OpenAlgo's per-route limits (moving one-second window); off when unset. */
  rateLimit?: { ordersPerSecond: number; othersPerSecond: number };
  /** Called for every Telegram message received (paper-server prints it). */
  onTelegram?: (message: TelegramMessage) => void;
  /** Seed of the past days `history` generates (default 7). */
  historySeed?: number;
}

export interface PaperServer {
  url: string;
  port: number;
  /** What `telegram/notify` received, oldest first. */
  telegram: TelegramInbox;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
  /** Answer this much later (real time). */
  delayMs?: number;
}

interface Route {
  /** Counts against the order-call rate limit. */
  orderCall: boolean;
  run(body: unknown, apiKey: string): Promise<Reply>;
}

const MAX_BODY = 1 << 20;
const NOT_FOUND = 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
const TOO_MANY = '<!doctype html>\n<html lang=en>\n<title>429 Too Many Requests</title>\n<h1>Too Many Requests</h1>\n<p>10 per 1 second</p>\n';

const ok = (fields: Record<string, unknown>): Reply => ({ status: 200, body: { status: 'success', ...fields } });
const fail = (status: number, message: unknown): Reply => ({ status, body: { status: 'error', message } });

/**
 * A route: strict schema, then the key, then an optional post-load check, then the handler.
 * Order endpoints put a validation field map in `message` as a Python-style string ('string'),
 * the others as an object ('map'), as OpenAlgo does.
 */
function route<S extends z.ZodType>(
  style: 'string' | 'map',
  schema: S,
  handle: (data: z.output<S>) => Promise<Reply>,
  opts: {
    orderCall?: boolean;
    check?: (data: z.output<S>) => schemas.FieldErrors | null;
    /** OpenAlgo's calendar routes do not check the key. */
    keyUnchecked?: boolean;
  } = {},
): Route {
  const invalid = (errors: schemas.FieldErrors): Reply => fail(400, style === 'string' ? schemas.pythonRepr(errors) : errors);
  return {
    orderCall: opts.orderCall ?? false,
    async run(body, apiKey) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid({ _schema: ['Invalid input type.'] });
      const parsed = schema.safeParse(body);
      if (!parsed.success) return invalid(schemas.fieldErrors(parsed.error));
      const data = parsed.data;
      if (!opts.keyUnchecked && (body as { apikey?: unknown }).apikey !== apiKey) return fail(403, 'Invalid openalgo apikey');
      const errors = opts.check?.(data) ?? null;
      if (errors) return invalid(errors);
      try {
        return await handle(data);
      } catch (err) {
        return errorReply(err);
      }
    },
  };
}

function errorReply(err: unknown): Reply {
  if (!(err instanceof BrokerError)) return fail(500, 'An unexpected error occurred');
  const status: Record<BrokerError['kind'], number> = {
    rejected: 400,
    not_found: 404,
    auth: 403,
    rate_limited: 429,
    server: 500,
    timeout: 504,
    not_sent: 502,
  };
  return fail(status[err.kind], err.message);
}

function wholeQuantity(d: { quantity: number; exchange: string }): schemas.FieldErrors | null {
  if (Number.isInteger(d.quantity) || d.exchange === 'CRYPTO') return null;
  return { quantity: [`Fractional quantity (${d.quantity}) is not allowed for non-crypto exchanges.`] };
}

function routes(broker: PaperBroker, responseDelayMs: number, telegram: TelegramInbox, clock: Clock, historySeed: number): Record<string, Route> {
  // Prices are shown with the decimals of the row's own instrument's tick.
  const dec = (row: { symbol: string; exchange: string }): number => (broker.marketFor(row.symbol, row.exchange) ?? broker.market).grid.decimals;
  const orderRequest = (d: {
    symbol: string; exchange: string; action: string; quantity: number; pricetype?: string | undefined;
    product?: string | undefined; price?: number | undefined; trigger_price?: number | undefined;
  }): OrderRequest => ({
    symbol: d.symbol,
    exchange: d.exchange,
    action: d.action.toUpperCase() === 'BUY' ? 'BUY' : 'SELL',
    quantity: d.quantity,
    priceType: (d.pricetype ?? 'MARKET') as PriceType,
    product: d.product ?? 'MIS',
    price: d.price ?? 0,
    triggerPrice: d.trigger_price ?? 0,
  });

  return {
    placeorder: route('string', schemas.placeOrderSchema, async (d) => {
      const r = await broker.submitOrder(orderRequest(d));
      if (r.timeout === 'accepted') return { ...ok({ orderid: r.orderId }), delayMs: responseDelayMs };
      if (r.timeout === 'not_placed') return { ...fail(500, 'An unexpected error occurred in the API endpoint'), delayMs: responseDelayMs };
      return ok({ orderid: r.orderId });
    }, { orderCall: true, check: wholeQuantity }),

    // Both OpenAlgo SDKs call it: trade the difference between the position and position_size
    // (nothing to do is a success without an order id); with both at 0 it is a plain order.
    placesmartorder: route('string', schemas.placeSmartOrderSchema, async (d) => {
      const current = await broker.openPosition(d.symbol, d.exchange, d.product ?? 'MIS');
      const delta = d.position_size - current;
      const req = orderRequest(d);
      if (d.position_size === 0 && current === 0) {
        // As OpenAlgo: no position and none wanted places the order as asked.
      } else if (delta === 0) {
        return ok({ message: 'Positions Already Matched. No Action needed.' });
      } else {
        req.action = delta > 0 ? 'BUY' : 'SELL';
        req.quantity = Math.abs(delta);
      }
      const r = await broker.submitOrder(req);
      if (r.timeout === 'accepted') return { ...ok({ orderid: r.orderId }), delayMs: responseDelayMs };
      if (r.timeout === 'not_placed') return { ...fail(500, 'An unexpected error occurred in the API endpoint'), delayMs: responseDelayMs };
      return ok({ orderid: r.orderId });
    }, { orderCall: true, check: wholeQuantity }),

    modifyorder: route('string', schemas.modifyOrderSchema, async (d) => {
      await broker.modifyOrder(d.orderid, orderRequest(d));
      return ok({ orderid: d.orderid });
    }, { orderCall: true, check: wholeQuantity }),

    cancelorder: route('string', schemas.orderIdSchema, async (d) => {
      await broker.cancelOrder(d.orderid);
      return ok({ orderid: d.orderid });
    }, { orderCall: true }),

    orderstatus: route('string', schemas.orderIdSchema, async (d) => {
      const report = await broker.orderStatus(d.orderid);
      return ok({ data: fmt.orderStatusData(report, broker.firstFillPrice(report.orderId), dec(report)) });
    }),

    orderbook: route('map', schemas.keyOnlySchema, async () => {
      const orders = (await broker.orderBook()).map((r) => fmt.orderRow(r, dec(r)));
      return ok({ data: { orders, statistics: fmt.orderStatistics(orders) } });
    }),

    tradebook: route('map', schemas.keyOnlySchema, async () =>
      ok({ data: (await broker.tradeBookDetailed()).map((t) => fmt.tradeRow(t, dec(t))) })),

    positionbook: route('map', schemas.keyOnlySchema, async () =>
      ok({ data: (await broker.positionBookDetailed()).map((p) => fmt.positionRow(p, dec(p))) })),

    openposition: route('string', schemas.openPositionSchema, async (d) =>
      ok({ quantity: await broker.openPosition(d.symbol, d.exchange, d.product) })),

    quotes: route('map', schemas.quotesSchema, async (d) => ok({ data: fmt.quoteData(await broker.quote(d.symbol, d.exchange)) })),

    // As OpenAlgo's adapters answer it: one row per instrument, its data or its error.
    multiquotes: route('map', schemas.multiQuotesSchema, async (d) => ok({
      results: (await broker.multiQuote(d.symbols)).map((r) => (r.quote ? { symbol: r.symbol, exchange: r.exchange, data: fmt.quoteData(r.quote) } : { symbol: r.symbol, exchange: r.exchange, error: r.error })),
    })),

    search: route('map', schemas.searchSchema, async (d) => {
      if (d.query.trim() === '') return fail(400, 'Query parameter is required and cannot be empty');
      const found = await broker.findInstruments(d.query, d.exchange);
      const message = found.length ? `Found ${found.length} matching symbols` : 'No matching symbols found';
      return ok({ message, data: found.map(fmt.searchRow) });
    }),

    ping: route('map', schemas.keyOnlySchema, async () => {
      const h = await broker.health();
      return ok({ data: { message: 'pong', broker: h.broker } });
    }),

    analyzer: route('map', schemas.keyOnlySchema, async () => {
      await broker.health();
      return ok({ data: { mode: 'live', analyze_mode: false } });
    }),

    funds: route('map', schemas.keyOnlySchema, async () => ok({ data: fmt.fundsData(await broker.funds()) })),

    // Past days of the paper market, generated (history.ts): the whole backtest path runs offline.
    history: route('map', schemas.historySchema, async (d) => {
      const market = broker.marketFor(d.symbol, d.exchange);
      if (!market) return fail(404, `Symbol ${d.symbol} not found on ${d.exchange}`);
      if (intervalMinutes(d.interval) === null) return fail(400, `Invalid interval ${d.interval}. Supported: ${[...PAPER_INTERVALS.minutes, ...PAPER_INTERVALS.hours, ...PAPER_INTERVALS.days].join(', ')}`);
      const span = (Date.parse(`${d.end_date}T00:00:00Z`) - Date.parse(`${d.start_date}T00:00:00Z`)) / 86_400_000 + 1;
      if (!(span >= 1)) return fail(400, 'start_date must be on or before end_date');
      if (span > PAPER_HISTORY_MAX_DAYS) return fail(400, `History is limited to ${PAPER_HISTORY_MAX_DAYS} days per request`);
      await broker.health();
      const holidays = new Set<string>();
      for (let y = Number(d.start_date.slice(0, 4)); y <= Number(d.end_date.slice(0, 4)); y++) {
        for (const h of await broker.marketHolidays(y)) if (h.type === 'TRADING_HOLIDAY') holidays.add(h.date);
      }
      const rows = paperHistory(market.instrument, historySeed, market.quote().prevClose ?? 100, d.interval, d.start_date, d.end_date, (date) => holidays.has(date));
      return ok({ data: rows });
    }),

    intervals: route('map', schemas.keyOnlySchema, async () => ok({ data: PAPER_INTERVALS })),

    'market/holidays': route('map', schemas.holidaysSchema, async (d) => {
      const year = d.year ?? Number(istParts(clock.now()).day.slice(0, 4));
      const rows = await broker.marketHolidays(year);
      return ok({ year, timezone: 'Asia/Kolkata', data: rows.map(fmt.holidayRow) });
    }, { keyUnchecked: true }),

    'market/timings': route('map', schemas.timingsSchema, async (d) =>
      ok({ data: (await broker.marketTimings(d.date)).map(fmt.sessionRow) }), { keyUnchecked: true }),

    closeposition: route('string', schemas.strategySchema, async () => {
      const fills = await broker.closeAllPositions();
      return ok({ message: fills.length ? 'All Open Positions SquaredOff' : 'No Open Positions Found' });
    }, { orderCall: true }),

    'telegram/notify': route('map', telegramNotifySchema, async (d) =>
      telegram.receive(d.username, d.message, d.priority ?? null, clock.now())
        ? ok({ message: 'Notification sent successfully' })
        : { status: 429, body: 'telegram' }),

    cancelallorder: route('string', schemas.strategySchema, async () => {
      const ids = await broker.cancelAllOrders();
      return ok({
        canceled_orders: ids,
        failed_cancellations: [],
        message: `Canceled ${ids.length} orders. Failed to cancel 0 orders.`,
      });
    }, { orderCall: true }),
  };
}

/** Moving one-second window per route, like flask-limiter's "10 per second". */
class RateWindow {
  private readonly hits = new Map<string, number[]>();
  allow(key: string, limit: number, now: number): boolean {
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < 1000);
    const allowed = recent.length < limit;
    if (allowed) recent.push(now);
    this.hits.set(key, recent);
    return allowed;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startPaperServer(opts: PaperServerOptions): Promise<PaperServer> {
  const host = opts.host ?? '127.0.0.1';
  const clock = opts.clock ?? systemClock;
  const telegram = new TelegramInbox(opts.onTelegram);
  const table = routes(opts.broker, opts.responseDelayMs ?? 15_000, telegram, clock, opts.historySeed ?? 7);
  const limiter = new RateWindow();
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: ServerResponse, status: number, body: unknown, html = false): void => {
    if (res.destroyed || res.writableEnded) return;
    const text = html ? String(body) : JSON.stringify(body);
    // The Date header is the server's clock, which clients measure their offset against.
    res.writeHead(status, { 'Content-Type': html ? 'text/html; charset=utf-8' : 'application/json', Date: new Date(clock.now()).toUTCString() });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://paper').pathname;
    if (path === '/paper/telegram' && req.method === 'GET') return send(res, 200, { count: telegram.messages.length, refused: telegram.refused, messages: telegram.messages });
    const name = /^\/api\/v1\/([a-z]+(?:\/[a-z]+)?)\/?$/.exec(path)?.[1];
    const r = name !== undefined ? table[name] : undefined;
    if (!r || name === undefined) return send(res, 404, { message: NOT_FOUND });
    if (req.method !== 'POST') return send(res, 405, { message: 'The method is not allowed for the requested URL.' });
    if (opts.rateLimit) {
      const limit = r.orderCall ? opts.rateLimit.ordersPerSecond : opts.rateLimit.othersPerSecond;
      if (!limiter.allow(name, limit, clock.now())) return send(res, 429, TOO_MANY, true);
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { status: 'error', message: 'Invalid JSON body' });
    }
    const reply = await r.run(body, opts.apiKey);
    const deliver = (): void =>
      reply.status === 429 ? send(res, 429, reply.body === 'telegram' ? TOO_MANY.replace('10 per 1 second', '30 per 1 minute') : TOO_MANY, true) : send(res, reply.status, reply.body);
    if (!reply.delayMs) return deliver();
    const timer = setTimeout(() => {
      timers.delete(timer);
      deliver();
    }, reply.delayMs);
    timers.add(timer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { status: 'error', message: 'An unexpected error occurred' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    telegram,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface PaperServerMainOptions {
  port: number;
  seed: number;
  /** A fault spec for parseFaults, e.g. "partialFill=0.3,slmRefused". */
  faults?: string;
  apiKey: string;
  host?: string;
  /** The one instrument served (default: the near-month NIFTY 25000 call); or `symbols` for several. */
  symbol?: string;
  exchange?: string;
  /** Every instrument served, one paper market each (instead of symbol/exchange; see createDefaultPaperSetup). */
  symbols?: readonly { symbol: string; exchange: string }[];
  /** See PaperServerOptions.responseDelayMs. */
  responseDelayMs?: number;
  /** Extra holidays and special sessions over the built-in sample (PAPER_HOLIDAYS syntax). */
  holidays?: string;
  /** Run the server's clock this far from the machine's (its Date headers and order stamps), ms. */
  clockOffsetMs?: number;
  /** Where the listening line goes. Default console.log. */
  print?: (line: string) => void;
  /** The WebSocket feed's port (0 picks a free one); null serves no feed. Default 8765. */
  wsPort?: number | null;
}

/** `random-scalp paper-server`: the default paper market on the system clock, served over HTTP. */
export async function paperServerMain(opts: PaperServerMainOptions): Promise<{ url: string; wsUrl: string | null; close(): Promise<void> }> {
  const faults = opts.faults ? parseFaults(opts.faults) : {};
  const calendar = PaperCalendar.withBuiltIns(opts.holidays ? parsePaperHolidays(opts.holidays, '--holidays') : []);
  const clock = opts.clockOffsetMs ? shiftedClock(systemClock, opts.clockOffsetMs) : systemClock;
  const { broker } = createDefaultPaperSetup({
    clock,
    seed: opts.seed,
    faults,
    calendar,
    ...(opts.symbol !== undefined ? { symbol: opts.symbol } : {}),
    ...(opts.exchange !== undefined ? { exchange: opts.exchange } : {}),
    ...(opts.symbols !== undefined ? { symbols: opts.symbols } : {}),
  });
  const print = opts.print ?? ((line: string) => console.log(line));
  const server = await startPaperServer({
    port: opts.port,
    apiKey: opts.apiKey,
    broker,
    clock,
    historySeed: opts.seed,
    onTelegram: (m) => print(`telegram → ${m.username}: ${m.message.replace(/\n/g, ' | ')}`),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.responseDelayMs !== undefined ? { responseDelayMs: opts.responseDelayMs } : {}),
  });
  let feed: PaperFeedServer | null = null;
  const wsPort = opts.wsPort === undefined ? 8765 : opts.wsPort;
  if (wsPort !== null) {
    try {
      feed = await startPaperFeedServer({ port: wsPort, apiKey: opts.apiKey, broker, clock, ...(opts.host !== undefined ? { host: opts.host } : {}) });
    } catch (err) {
      await server.close();
      await broker.close();
      throw new Error(`cannot serve the WebSocket feed on port ${wsPort}: ${err instanceof Error ? err.message : String(err)} (choose another with --ws-port, or 0 for any free port)`);
    }
  }
  // One instrument keeps the line it always had; several are named.
  const serving = broker.markets.length > 1 ? `; serving ${broker.markets.map((m) => `${m.instrument.symbol}@${m.instrument.exchange}`).join(', ')}` : '';
  const offset = opts.clockOffsetMs ? `, clock ${opts.clockOffsetMs > 0 ? '+' : ''}${(opts.clockOffsetMs / 1000).toFixed(1)} s` : '';
  print(`paper-server listening on ${server.url}${feed ? `, WebSocket feed on ${feed.url}` : ''} (seed ${opts.seed}, faults: ${describeFaults(broker.faultConfig)}${offset}${serving})`);
  return {
    url: server.url,
    wsUrl: feed?.url ?? null,
    close: async () => {
      await feed?.close();
      await server.close();
      await broker.close();
    },
  };
}
