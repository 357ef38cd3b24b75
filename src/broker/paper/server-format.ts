// The JSON the paper-server answers with, shaped like OpenAlgo's responses (with a Zerodha-like
// broker behind it): IST "YYYY-MM-DD HH:mm:ss" timestamps, positionbook average_price as a
// string, orderstatus without filled_quantity.

import { canonicalStatusWord } from '../order-status.js';
import type { ExchangeSession, Instrument, MarketHoliday, OrderReport, Quote } from '../types.js';
import type { PaperFunds, PositionView, TradeView } from './paper-broker.js';

const IST_OFFSET_MS = 330 * 60_000;

export function istTimestamp(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms + IST_OFFSET_MS);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Round like OpenAlgo's format_decimal, but never below the tick's own decimals. */
export function money(x: number, decimals: number): number {
  return Number(x.toFixed(Math.max(2, decimals)));
}

/** An order book row (orderstatus adds average_price). */
export function orderRow(r: OrderReport, decimals: number) {
  return {
    symbol: r.symbol,
    exchange: r.exchange,
    action: r.action,
    quantity: r.quantity,
    // OpenAlgo reports price 0 for MARKET orders.
    price: r.priceType === 'MARKET' ? 0 : money(r.price, decimals),
    trigger_price: money(r.triggerPrice, decimals),
    pricetype: r.priceType,
    product: r.product,
    orderid: r.orderId,
    order_status: canonicalStatusWord(r.status),
    timestamp: istTimestamp(r.timestamp),
  };
}

/** orderstatus data: average_price is the first fill's price, and only once complete. */
export function orderStatusData(r: OrderReport, firstFillPrice: number | null, decimals: number) {
  const complete = r.status === 'complete';
  return { ...orderRow(r, decimals), average_price: complete && firstFillPrice !== null ? money(firstFillPrice, decimals) : 0 };
}

export function orderStatistics(rows: ReturnType<typeof orderRow>[]) {
  const count = (f: (r: ReturnType<typeof orderRow>) => boolean): number => rows.filter(f).length;
  return {
    total_buy_orders: count((r) => r.action === 'BUY'),
    total_sell_orders: count((r) => r.action === 'SELL'),
    total_completed_orders: count((r) => r.order_status === 'complete'),
    total_open_orders: count((r) => r.order_status === 'open'),
    total_rejected_orders: count((r) => r.order_status === 'rejected'),
  };
}

export function tradeRow(t: TradeView, decimals: number) {
  return {
    symbol: t.symbol,
    exchange: t.exchange,
    product: t.product,
    action: t.action,
    quantity: t.quantity,
    average_price: money(t.price, decimals),
    trade_value: money(t.price * t.quantity, 2),
    orderid: t.orderId,
    timestamp: istTimestamp(t.timestamp),
  };
}

export function positionRow(p: PositionView, decimals: number) {
  return {
    symbol: p.symbol,
    exchange: p.exchange,
    product: p.product,
    quantity: p.quantity,
    // Zerodha's mapping formats the average as a string with two decimals.
    average_price: p.averagePrice.toFixed(2),
    ltp: p.ltp === null ? 0 : money(p.ltp, decimals),
    pnl: money(p.pnl, 2),
  };
}

export function quoteData(q: Quote) {
  return {
    open: q.open ?? 0,
    high: q.high ?? 0,
    low: q.low ?? 0,
    ltp: q.ltp,
    ask: q.ask ?? 0,
    bid: q.bid ?? 0,
    prev_close: q.prevClose ?? 0,
    volume: q.volume ?? 0,
  };
}

export function fundsData(f: PaperFunds) {
  const s = (x: number): string => x.toFixed(2);
  return {
    availablecash: s(f.availableCash),
    collateral: s(f.collateral),
    m2mrealized: s(f.m2mRealized),
    m2munrealized: s(f.m2mUnrealized),
    utiliseddebits: s(f.utilisedDebits),
  };
}

const OPTION = /^([A-Z&-]+?)(\d{2})([A-Z]{3})(\d{2})(\d+(?:\.\d+)?)(CE|PE)$/;
const FUTURE = /^([A-Z&-]+?)(\d{2})([A-Z]{3})(\d{2})FUT$/;

/** A search row; expiry, strike and type are read from the OpenAlgo symbol format. */
export function searchRow(i: Instrument) {
  const opt = OPTION.exec(i.symbol);
  const fut = FUTURE.exec(i.symbol);
  const parts = opt ?? fut;
  return {
    symbol: i.symbol,
    brsymbol: i.symbol,
    name: i.name ?? parts?.[1] ?? i.symbol,
    exchange: i.exchange,
    token: String(tokenOf(i.symbol)),
    expiry: parts ? `${parts[2]}-${parts[3]}-${parts[4]}` : '',
    strike: opt ? Number(opt[5]) : -1,
    lotsize: i.lotSize,
    instrumenttype: opt ? opt[6] : fut ? 'FUT' : 'EQ',
    tick_size: i.tickSize,
    freeze_qty: i.freezeQty ?? 1,
  };
}

/** A stable made-up exchange token. */
function tokenOf(symbol: string): number {
  let h = 2166136261;
  for (const ch of symbol) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return 100000 + (h % 900000);
}

/** A market/timings row, or a holiday's open session: epoch ms. */
export function sessionRow(s: ExchangeSession) {
  return { exchange: s.exchange, start_time: s.start, end_time: s.end };
}

/** A market/holidays row, in OpenAlgo's field names. */
export function holidayRow(h: MarketHoliday) {
  return {
    date: h.date,
    description: h.description,
    holiday_type: h.type,
    closed_exchanges: h.closedExchanges,
    open_exchanges: h.openExchanges.map(sessionRow),
  };
}
