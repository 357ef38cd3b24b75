// The OpenAlgo REST client: one POST per call, parsed at the boundary, errors typed.
// Order calls (place/modify/cancel) are sent exactly once; read calls retry when that is
// surely harmless (not sent, server error, rate limited).

import { z } from 'zod';
import { BrokerError } from '../errors.js';
import { fallbackLotSize, fallbackTickSize } from '../instruments.js';
import type { ServerTimeSample } from '../../time/server-clock.js';
import type {
  Broker, BrokerHealth, ExchangeSession, Instrument, MarketHoliday, MultiQuote, OrderReport, OrderRequest, PositionRow, Quote, TradeRow,
} from '../types.js';
import { isOurInstrument } from '../instrument-match.js';
import { readReply } from './classify.js';
import { type Fill, fillsByOrder, needsTradeBook, toOrderReport, tradeBookOptional } from './fills.js';
import { createAgents, httpPost, type HttpReply } from './http.js';
import { RateLimiter, realSleep } from './rate-limiter.js';
import { redact } from './redact.js';
import { parseTimestamp } from './timestamp.js';
import {
  ackReply, analyzerReply, holidaysReply, orderBookReply, timingsReply, orderIdReply, orderStatusReply, pingReply,
  positionBookReply, quoteReply, multiQuoteReply, searchReply, historyReply, historyBarsReply, intervalsReply, shortReason, tradeBookReply,
} from './schemas.js';

/** One row of historyBars. */
export interface HistoryBarRow {
  /** Epoch ms, null when unreadable. */
  timestamp: number | null;
  /** The stamp as the server sent it. */
  raw: unknown;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  oi: number | null;
}

export interface CallInfo {
  /** API call name, e.g. "placeorder". */
  name: string;
  ok: boolean;
  /** Round trip of this HTTP attempt in ms (rate-limiter queueing excluded). */
  rttMs: number;
  error?: BrokerError;
}

export interface OpenAlgoClientOptions {
  /** Server base URL, e.g. "http://127.0.0.1:5000"; without a scheme, http is assumed. */
  host: string;
  /** OpenAlgo API key; sent in the body only, never shown in errors. */
  apiKey: string;
  /** Strategy label every order carries (the only tag OpenAlgo keeps on an order). */
  strategy: string;
  /** Whole-request timeout per HTTP attempt, in ms. */
  timeoutMs: number;
  /** Extra attempts for read calls on not_sent, 5xx and 429 (default 2). Order calls never retry. */
  readRetries?: number;
  /**
   * Budget per second for each order route: placeorder, modifyorder, cancelorder (default 8; the
   * server allows 10 per route). Every route has its own budget because the server counts each
   * route on its own: one budget shared by several routes would only queue a flatten's cancels,
   * reads and market SELL behind the routine polls and the entry.
   */
  ordersPerSecond?: number;
  /** Budget per second for each other route: quotes, orderstatus, tradebook… (default 8). */
  othersPerSecond?: number;
  /** Spread placeorder's budget evenly over its second (several instruments: see RateLimiter `even`). */
  evenOrders?: boolean;
  /** Observer called after every HTTP attempt; must not throw (errors are swallowed). */
  onCall?: (info: CallInfo) => void;
  /** Backoff sleep between read retries; injectable for tests (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Receives the server's time from every reply's `Date` header, with the local send and receive
   * times (see ServerClock); must not throw.
   */
  onServerTime?: (sample: ServerTimeSample) => void;
  /** The local clock those samples are taken on (default Date.now). */
  now?: () => number;
}

const ORDER_CALLS = new Set(['placeorder', 'modifyorder', 'cancelorder']);
/** OpenAlgo's Telegram bot route: 30 messages a minute per user, and a message is never re-sent. */
const TELEGRAM_NOTIFY = 'telegram/notify';
const TELEGRAM_PER_MINUTE = 30;
/** Telegram's own limit on one message. */
const TELEGRAM_MAX_CHARS = 4096;
const notifyReply = z.object({ status: z.literal('success'), message: z.string().optional() });
/** Read retry backoff: this many ms times the attempt number. */
const BACKOFF_MS = 200;

export class OpenAlgoClient implements Broker {
  readonly label: string;
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly strategy: string;
  private readonly timeoutMs: number;
  private readonly readRetries: number;
  private readonly onCall: ((info: CallInfo) => void) | undefined;
  private readonly onServerTime: ((sample: ServerTimeSample) => void) | undefined;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly ordersPerSecond: number;
  private readonly othersPerSecond: number;
  private readonly evenOrders: boolean;
  /** One limiter per route, made on first use. */
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly agents = createAgents();

  constructor(opts: OpenAlgoClientOptions) {
    const host = opts.host.trim().replace(/\/+$/, '');
    this.baseUrl = /^https?:\/\//i.test(host) ? host : `http://${host}`;
    this.label = `openalgo@${this.baseUrl.replace(/^https?:\/\//i, '')}`;
    this.apiKey = opts.apiKey;
    this.strategy = opts.strategy;
    this.timeoutMs = opts.timeoutMs;
    this.readRetries = Math.max(0, opts.readRetries ?? 2);
    this.onCall = opts.onCall;
    this.onServerTime = opts.onServerTime;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.ordersPerSecond = opts.ordersPerSecond ?? 8;
    this.othersPerSecond = opts.othersPerSecond ?? 8;
    this.evenOrders = opts.evenOrders ?? false;
  }

  async placeOrder(req: OrderRequest): Promise<{ orderId: string }> {
    checkQuantity(req.quantity);
    const reply = await this.call('placeorder', orderIdReply, {
      strategy: this.strategy,
      exchange: req.exchange,
      symbol: req.symbol,
      action: req.action,
      quantity: req.quantity,
      pricetype: req.priceType,
      product: req.product,
      price: req.price ?? 0,
      trigger_price: req.triggerPrice ?? 0,
      disclosed_quantity: 0,
    });
    return { orderId: reply.orderid };
  }

  async modifyOrder(orderId: string, req: OrderRequest): Promise<void> {
    checkQuantity(req.quantity);
    await this.call('modifyorder', ackReply, {
      strategy: this.strategy,
      exchange: req.exchange,
      symbol: req.symbol,
      orderid: orderId,
      action: req.action,
      product: req.product,
      pricetype: req.priceType,
      price: req.price ?? 0,
      quantity: req.quantity,
      disclosed_quantity: 0,
      trigger_price: req.triggerPrice ?? 0,
    });
  }

  async cancelOrder(orderId: string): Promise<void> {
    await this.call('cancelorder', ackReply, { strategy: this.strategy, orderid: orderId });
  }

  async orderStatus(orderId: string): Promise<OrderReport> {
    const { data: raw } = await this.call('orderstatus', orderStatusReply, { strategy: this.strategy, orderid: orderId });
    if (!needsTradeBook(raw)) return toOrderReport(raw, undefined);
    const trades = await this.tradesIfNeeded(tradeBookOptional(raw));
    return toOrderReport(raw, trades === undefined ? undefined : fillsByOrder(trades).get(raw.orderId));
  }

  async orderBook(opts: { fills?: boolean } = {}): Promise<OrderReport[]> {
    const { data: rows } = await this.call('orderbook', orderBookReply, {});
    const needing = rows.filter(needsTradeBook);
    if (needing.length === 0 || opts.fills === false) return rows.map((r) => toOrderReport(r, undefined));
    // One trade book for the whole book, not one per order.
    const trades = await this.tradesIfNeeded(needing.every(tradeBookOptional));
    const fills = trades === undefined ? new Map<string, Fill>() : fillsByOrder(trades);
    return rows.map((r) => toOrderReport(r, fills.get(r.orderId)));
  }

  async tradeBook(): Promise<TradeRow[]> {
    const { data } = await this.call('tradebook', tradeBookReply, {});
    return data;
  }

  async positionBook(): Promise<PositionRow[]> {
    const { data } = await this.call('positionbook', positionBookReply, {});
    return data;
  }

  async quote(symbol: string, exchange: string): Promise<Quote> {
    const { data } = await this.call('quotes', quoteReply, { symbol, exchange });
    return quoteOf(data);
  }

  async multiQuote(instruments: readonly { symbol: string; exchange: string }[]): Promise<MultiQuote[]> {
    const { results } = await this.call('multiquotes', multiQuoteReply, { symbols: instruments.map(({ symbol, exchange }) => ({ symbol, exchange })) });
    // In the order asked, matched by instrument (a reply may reorder, or leave one out).
    return instruments.map(({ symbol, exchange }) => {
      const row = results.find((r) => isOurInstrument({ symbol, exchange }, r));
      if (!row) return { symbol, exchange, quote: null, error: 'not in the multiquotes reply' };
      if (!row.data) return { symbol, exchange, quote: null, error: row.error ?? 'no quote' };
      return { symbol, exchange, quote: quoteOf(row.data), error: null };
    });
  }

  async history(symbol: string, exchange: string, interval: string, startDate: string, endDate: string): Promise<number[]> {
    const { data } = await this.call('history', historyReply, { symbol, exchange, interval, start_date: startDate, end_date: endDate });
    return data.map((row) => row.close);
  }

  /**
   * Full OHLCV rows of past bars, oldest first as the server sends them (backtests). `timestamp`
   * is epoch ms, or null when the server's stamp is unreadable (the caller names the row).
   */
  async historyBars(symbol: string, exchange: string, interval: string, startDate: string, endDate: string): Promise<HistoryBarRow[]> {
    const { data } = await this.call('history', historyBarsReply, { symbol, exchange, interval, start_date: startDate, end_date: endDate });
    return data.map((row) => ({
      timestamp: parseTimestamp(row.timestamp),
      raw: row.timestamp,
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      volume: row.volume ?? 0,
      oi: row.oi,
    }));
  }

  /** The bar intervals the broker's history serves (OpenAlgo's intervals route), e.g. ["1m", "5m", "1h", "D"]. */
  async intervals(): Promise<string[]> {
    const { data } = await this.call('intervals', intervalsReply, {});
    return data;
  }

  async searchInstrument(symbol: string, exchange: string): Promise<Instrument | null> {
    const rows = await this.call('search', searchReply, { query: symbol, exchange }).then(
      (reply) => reply.data,
      (err: unknown) => {
        // The server answers 404 when nothing matches.
        if (err instanceof BrokerError && err.kind === 'not_found') return [];
        throw err;
      },
    );
    // Search is fuzzy: only an exact symbol on the same exchange is the instrument.
    const row = rows.find(
      (r) => r.symbol.toUpperCase() === symbol.toUpperCase() && r.exchange.toUpperCase() === exchange.toUpperCase(),
    );
    if (row === undefined) return null;
    const instrument: Instrument = {
      symbol: row.symbol,
      exchange: row.exchange,
      lotSize: positive(row.lotsize) ?? fallbackLotSize(row.symbol) ?? 1,
      tickSize: positive(row.tick_size) ?? fallbackTickSize(row.exchange),
      freezeQty: positive(row.freeze_qty),
    };
    if (row.name !== undefined) instrument.name = row.name;
    if (row.instrumenttype !== undefined && row.instrumenttype !== '') instrument.instrumentType = row.instrumenttype;
    return instrument;
  }

  async marketHolidays(year: number): Promise<MarketHoliday[] | null> {
    return this.unlessUnsupported(async () => (await this.call('market/holidays', holidaysReply, { year })).data);
  }

  async marketTimings(date: string): Promise<ExchangeSession[] | null> {
    return this.unlessUnsupported(async () => (await this.call('market/timings', timingsReply, { date })).data);
  }

  /** A route an older server lacks answers 404 (or 405): "not supported", not a failure. */
  private async unlessUnsupported<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      if (err instanceof BrokerError && (err.kind === 'not_found' || err.httpStatus === 405)) return null;
      throw err;
    }
  }

  async health(): Promise<BrokerHealth> {
    // ping first: a 403 here is the auth error the caller wants to see.
    const { data: ping } = await this.call('ping', pingReply, {});
    let analyzer = false;
    try {
      const { data } = await this.call('analyzer', analyzerReply, {});
      analyzer = data.analyze_mode || data.mode?.toLowerCase() === 'analyze';
    } catch (err) {
      // Older servers have no analyzer endpoint: assume live.
      if (!(err instanceof BrokerError && (err.kind === 'not_found' || err.kind === 'rejected'))) throw err;
    }
    return { broker: ping.broker, analyzer };
  }

  /** A message to the trader's Telegram through OpenAlgo's bot (the user linked there). */
  async telegramNotify(username: string, message: string): Promise<void> {
    await this.call(TELEGRAM_NOTIFY, notifyReply, { username, message: message.slice(0, TELEGRAM_MAX_CHARS) });
  }

  async close(): Promise<void> {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * The trade book, or undefined when it failed and the caller can do without it (every order
   * that needs it is complete). Otherwise the failure propagates: reporting "nothing filled"
   * for a working or cancelled order that did fill part would be worse than an error.
   */
  private async tradesIfNeeded(optional: boolean): Promise<TradeRow[] | undefined> {
    try {
      return await this.tradeBook();
    } catch (err) {
      if (optional) return undefined;
      throw err;
    }
  }

  /** One API call: read calls retry with backoff, order calls go out exactly once. */
  private async call<S extends z.ZodType>(name: string, schema: S, fields: Record<string, unknown>): Promise<z.output<S>> {
    const orderCall = ORDER_CALLS.has(name);
    // A retried notification after a 5xx could arrive twice: it goes out once, like an order.
    const attempts = orderCall || name === TELEGRAM_NOTIFY ? 1 : 1 + this.readRetries;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(name, schema, fields, orderCall);
      } catch (err) {
        if (attempt >= attempts || !isRetryableRead(err)) throw err;
        await this.sleep(BACKOFF_MS * attempt);
      }
    }
  }

  private async attempt<S extends z.ZodType>(
    name: string, schema: S, fields: Record<string, unknown>, orderCall: boolean,
  ): Promise<z.output<S>> {
    await this.limiterFor(name, orderCall).acquire();
    const started = performance.now();
    try {
      const sentAt = this.now();
      const reply = await httpPost(`${this.baseUrl}/api/v1/${name}`, { apikey: this.apiKey, ...fields }, {
        call: name,
        timeoutMs: this.timeoutMs,
        agents: this.agents,
      });
      this.sampleServerTime(reply, sentAt, this.now());
      const json = readReply(reply, { call: name, orderCall, secrets: [this.apiKey] });
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const reason = redact(shortReason(parsed.error), [this.apiKey]);
        throw new BrokerError('server', `unexpected response from ${name}: ${reason}`, reply.status);
      }
      this.report({ name, ok: true, rttMs: performance.now() - started });
      return parsed.data;
    } catch (err) {
      // Only our own errors leave this method: anything else could carry the request body.
      const error = err instanceof BrokerError ? err : new BrokerError('server', `${name}: internal client error`);
      this.report({ name, ok: false, rttMs: performance.now() - started, error });
      throw error;
    }
  }

  private limiterFor(name: string, orderCall: boolean): RateLimiter {
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter =
        name === TELEGRAM_NOTIFY
          ? new RateLimiter({ limit: TELEGRAM_PER_MINUTE, windowMs: 60_000 })
          : // Placements alone go evenly: cancels (an OCO's reaction) and modifies keep their burst.
            new RateLimiter({ limit: orderCall ? this.ordersPerSecond : this.othersPerSecond, even: name === 'placeorder' && this.evenOrders });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }

  /** Every reply with a Date header is a measurement of the server's clock (to the second). */
  private sampleServerTime(reply: HttpReply, sentAt: number, receivedAt: number): void {
    if (!this.onServerTime || reply.date === undefined) return;
    const serverTime = Date.parse(reply.date);
    if (!Number.isFinite(serverTime)) return;
    try {
      this.onServerTime({ sentAt, receivedAt, serverTime, resolutionMs: 1000, source: 'http date' });
    } catch {
      // An observer's failure must not change a call's outcome.
    }
  }

  private report(info: CallInfo): void {
    try {
      this.onCall?.(info);
    } catch {
      // An observer's failure must not change a call's outcome.
    }
  }
}

function isRetryableRead(err: unknown): boolean {
  return err instanceof BrokerError && (err.kind === 'not_sent' || err.kind === 'server' || err.kind === 'rate_limited');
}

function positive(n: number | null): number | null {
  return n !== null && n > 0 ? n : null;
}

/** A bad quantity would be a 400 anyway; refuse it before it is sent. */
function checkQuantity(quantity: number): void {
  if (!Number.isInteger(quantity) || quantity <= 0) {
    throw new BrokerError('rejected', `quantity must be a whole number > 0, got ${quantity}`);
  }
}

function quoteOf(q: z.output<typeof quoteReply>['data']): Quote {
  return { ltp: q.ltp, bid: q.bid, ask: q.ask, open: q.open, high: q.high, low: q.low, prevClose: q.prev_close, volume: q.volume };
}
