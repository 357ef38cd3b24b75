// Response schemas, checked at the boundary. They absorb the drift the server shows across
// brokers (numeric strings, numeric order ids, alternative field names) and hand the client
// plain, normalised values.

import { z } from 'zod';
import type { HolidayType, MarketHoliday } from '../../time/market-calendar.js';
import type { Action } from '../types.js';
import { parseTimestamp } from './timestamp.js';

/** A required number; numeric strings accepted. */
const num = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: 'expected a number' });
    return z.NEVER;
  }
  return n;
});

/** An optional number: missing, null, empty or unreadable become null. */
const optNum = z.unknown().optional().transform((v): number | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
});

/** A required identifier: numbers become strings (some brokers send orderid as a number). */
const id = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

/** A text field that may be missing or not a string. */
const text = z.unknown().optional().transform((v): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v)));

const optText = z.unknown().optional().transform((v): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined));

const action = z.string().transform((v, ctx): Action => {
  const upper = v.trim().toUpperCase();
  if (upper === 'BUY' || upper === 'B') return 'BUY';
  if (upper === 'SELL' || upper === 'S') return 'SELL';
  ctx.addIssue({ code: 'custom', message: 'expected BUY or SELL' });
  return z.NEVER;
});

function priceTypeOf(word: string | undefined): string {
  const upper = (word ?? '').trim().toUpperCase().replace(/_/g, '-');
  return upper === 'SLM' ? 'SL-M' : upper;
}

/** An order as orderstatus and orderbook rows describe it. */
export const orderRow = z
  .object({
    symbol: z.string(),
    exchange: z.string(),
    action,
    quantity: num,
    price: optNum,
    trigger_price: optNum,
    pricetype: optText,
    // The analyzer sandbox spells it price_type.
    price_type: optText,
    product: text,
    orderid: id,
    order_status: text,
    timestamp: z.unknown().optional(),
    average_price: optNum,
    // Only a few brokers (and the sandbox) send these.
    filled_quantity: optNum,
    pending_quantity: optNum,
    rejection_reason: optText,
    rejectreason: optText,
  })
  .transform((r) => ({
    orderId: r.orderid,
    symbol: r.symbol,
    exchange: r.exchange,
    action: r.action,
    quantity: r.quantity,
    priceType: priceTypeOf(r.pricetype ?? r.price_type),
    product: r.product,
    price: r.price ?? 0,
    triggerPrice: r.trigger_price ?? 0,
    statusWord: r.order_status,
    timestamp: parseTimestamp(r.timestamp),
    averagePrice: r.average_price,
    filledQuantity: r.filled_quantity,
    rejectionReason: r.rejection_reason ?? r.rejectreason,
  }));
export type RawOrder = z.output<typeof orderRow>;

const tradeRow = z
  .object({
    symbol: z.string(),
    exchange: z.string(),
    action,
    quantity: num,
    average_price: optNum,
    price: optNum,
    orderid: id,
    timestamp: z.unknown().optional(),
  })
  .transform((r, ctx) => {
    const price = r.average_price ?? r.price;
    if (price === null) {
      ctx.addIssue({ code: 'custom', message: 'trade without a price', path: ['average_price'] });
      return z.NEVER;
    }
    return {
      orderId: r.orderid,
      symbol: r.symbol,
      exchange: r.exchange,
      action: r.action,
      quantity: r.quantity,
      price,
      timestamp: parseTimestamp(r.timestamp),
    };
  });

const positionRow = z
  .object({
    symbol: z.string(),
    exchange: z.string(),
    product: text,
    quantity: num,
    average_price: optNum,
    ltp: optNum,
    last_price: optNum,
  })
  .transform((r) => ({
    symbol: r.symbol,
    exchange: r.exchange,
    product: r.product,
    quantity: r.quantity,
    averagePrice: r.average_price ?? 0,
    ltp: r.ltp ?? r.last_price,
  }));

const searchRow = z.object({
  symbol: z.string(),
  exchange: z.string(),
  name: optText,
  lotsize: optNum,
  tick_size: optNum,
  freeze_qty: optNum,
  instrumenttype: optText,
});
/** A list that a broker may send as null or leave out when empty. */
function list<T extends z.ZodType>(row: T) {
  return z.array(row).nullish().transform((rows) => rows ?? []);
}

export const orderIdReply = z.object({ orderid: id });
/** cancel/modify: success is all we need; the orderid echo is not relied on. */
export const ackReply = z.object({});
export const orderStatusReply = z.object({ data: orderRow });
export const orderBookReply = z.object({
  // The documented shape is {orders, statistics}; a bare list is tolerated.
  data: z
    .union([z.object({ orders: list(orderRow) }), z.array(orderRow)])
    .nullish()
    .transform((d) => (d === null || d === undefined ? [] : Array.isArray(d) ? d : d.orders)),
});
export const tradeBookReply = z.object({ data: list(tradeRow) });
export const positionBookReply = z.object({ data: list(positionRow) });
const quoteData = z.object({
  ltp: num,
  open: optNum,
  high: optNum,
  low: optNum,
  bid: optNum,
  ask: optNum,
  prev_close: optNum,
  volume: optNum,
});
export const quoteReply = z.object({ data: quoteData });
/** multiquotes: one row per instrument asked, with its quote or its error (adapters fan out and may fail one). */
export const multiQuoteReply = z.object({
  results: list(
    z.object({
      symbol: z.string(),
      exchange: z.string(),
      data: quoteData.optional(),
      error: z.string().optional(),
    }),
  ),
});
export const searchReply = z.object({ data: list(searchRow) });
export const historyReply = z.object({ data: list(z.object({ timestamp: optNum, close: num })) });
/** history with every column (backtests): the stamp as sent (epoch seconds or an IST date-time, adapters differ). */
export const historyBarsReply = z.object({
  data: list(z.object({ timestamp: z.unknown(), open: num, high: num, low: num, close: num, volume: optNum, oi: optNum })),
});
/** intervals: lists by unit ({minutes: ["1m", …], hours: […], days: ["D"], …}); a unit may be missing or null. */
export const intervalsReply = z.object({
  data: z.record(z.string(), z.array(z.unknown()).nullish()).transform((units) =>
    Object.values(units).flatMap((values) => (values ?? []).filter((v): v is string => typeof v === 'string')),
  ),
});
export const pingReply = z.object({ data: z.object({ broker: text, message: optText }) });
export const analyzerReply = z.object({
  data: z.object({
    mode: optText,
    analyze_mode: z.unknown().optional().transform((v) => v === true || v === 1 || (typeof v === 'string' && v.toLowerCase() === 'true')),
  }),
});

/** "path: message" of the first problem, for a short error message (never the values). */
export function shortReason(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/** The field parsers, shared with the WebSocket feed's frames. */
export { num, optNum, id, text, optText, action };

// ---- the exchange calendar (market/holidays, market/timings) ------------------------------------

/** Epoch ms; a value that can only be seconds (before 1973 as ms) is taken as seconds. */
const epochMs = z.unknown().transform((v, ctx): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) {
    ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds' });
    return z.NEVER;
  }
  return n < 1e11 ? n * 1000 : n;
});

/** YYYY-MM-DD, also from "2026-01-15T00:00:00" or "2026-01-15 00:00:00". */
const calendarDate = z.string().transform((v, ctx): string => {
  const m = /^\s*(\d{4}-\d{2}-\d{2})/.exec(v);
  if (!m?.[1]) {
    ctx.addIssue({ code: 'custom', message: 'expected YYYY-MM-DD' });
    return z.NEVER;
  }
  return m[1];
});

/** A list of exchange names: an array, or one comma-separated string; anything else is empty. */
const exchangeNames = z.unknown().optional().transform((v): string[] => {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
  return items.filter((e): e is string => typeof e === 'string' && e.trim() !== '').map((e) => e.trim().toUpperCase());
});

const sessionRow = z
  .object({ exchange: z.string(), start_time: epochMs, end_time: epochMs })
  .transform((r) => ({ exchange: r.exchange.trim().toUpperCase(), start: r.start_time, end: r.end_time }));

/** Rows that parse are kept, the rest dropped: one odd row must not hide the whole calendar. */
function lenientList<T extends z.ZodType>(row: T) {
  return z
    .array(z.unknown())
    .nullish()
    .transform((rows): z.output<T>[] =>
      (rows ?? []).flatMap((r) => {
        const parsed = row.safeParse(r);
        return parsed.success ? [parsed.data as z.output<T>] : [];
      }),
    );
}

function holidayType(word: string): HolidayType {
  const upper = word.trim().toUpperCase().replace(/[\s-]+/g, '_');
  if (upper.includes('SPECIAL')) return 'SPECIAL_SESSION';
  if (upper.includes('SETTLEMENT')) return 'SETTLEMENT_HOLIDAY';
  // Anything else (a new or misspelt kind) closes trading: not entering is the safe reading.
  return 'TRADING_HOLIDAY';
}

const holidayRow = z
  .object({
    date: calendarDate,
    description: text,
    holiday_type: text,
    closed_exchanges: exchangeNames,
    open_exchanges: lenientList(sessionRow),
  })
  .transform((r): MarketHoliday => ({
    date: r.date,
    description: r.description,
    type: holidayType(r.holiday_type),
    closedExchanges: r.closed_exchanges,
    openExchanges: r.open_exchanges,
  }));

export const holidaysReply = z.object({ data: lenientList(holidayRow) });
export const timingsReply = z.object({ data: lenientList(sessionRow) });
