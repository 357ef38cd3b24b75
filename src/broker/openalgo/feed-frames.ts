// The WebSocket feed's frames, parsed at the boundary (../shared/openalgo-ws.md has the server's
// real protocol). Frames are routed on `type`; errors carry no type, only status "error" and a
// code. An order_update has the order book's keys, so it parses into the same report.

import { z } from 'zod';
import type { OrderReport } from '../types.js';
import { toOrderReport } from './fills.js';
import { num, optNum, optText, orderRow, text } from './schemas.js';

export type FeedFrame =
  | { kind: 'auth'; ok: boolean; message: string; broker: string }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'subscribe'; status: string; message: string; failed: string[] }
  | { kind: 'subscribe_orders'; ok: boolean; message: string }
  | { kind: 'tick'; symbol: string; exchange: string; ltp: number; at: number | null }
  | { kind: 'order'; report: OrderReport }
  | { kind: 'pong'; serverAt: number | null; clientAt: number | null; pingId: number | null }
  | { kind: 'other'; type: string }
  | { kind: 'malformed'; why: string };

const errorFrame = z.object({ status: z.literal('error'), code: text, message: text });
const authFrame = z.object({ type: z.literal('auth'), status: text, message: text, broker: text });
const subscribeFrame = z.object({
  type: z.literal('subscribe'),
  status: text,
  message: text,
  subscriptions: z.array(z.object({ symbol: text, exchange: text, status: text, message: optText })).optional(),
});
const subscribeOrdersFrame = z.object({ type: z.literal('subscribe_orders'), status: text, message: text });
const tickFrame = z.object({
  type: z.literal('market_data'),
  symbol: z.string(),
  exchange: z.string(),
  data: z.object({ ltp: num, timestamp: optNum }),
});
const pongFrame = z.object({ type: z.literal('pong'), server_timestamp: optNum, client_timestamp: optNum, _pingId: optNum });

export function parseFeedFrame(raw: string): FeedFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { kind: 'malformed', why: `not JSON: ${raw.slice(0, 60)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'malformed', why: 'not a JSON object' };
  const type = (value as { type?: unknown }).type;
  const bad = (what: string, error: z.ZodError): FeedFrame => ({ kind: 'malformed', why: `${what}: ${error.issues.map((i) => `${i.path.join('.') || '(frame)'} ${i.message}`).join('; ')}` });
  if (type === undefined) {
    const e = errorFrame.safeParse(value);
    return e.success ? { kind: 'error', code: e.data.code, message: e.data.message } : bad('frame without a type', e.error);
  }
  switch (type) {
    case 'auth': {
      const r = authFrame.safeParse(value);
      return r.success ? { kind: 'auth', ok: r.data.status === 'success', message: r.data.message, broker: r.data.broker } : bad('auth', r.error);
    }
    case 'subscribe': {
      const r = subscribeFrame.safeParse(value);
      if (!r.success) return bad('subscribe ack', r.error);
      const failed = (r.data.subscriptions ?? []).filter((s) => s.status !== 'success').map((s) => `${s.symbol}@${s.exchange}${s.message ? ` (${s.message})` : ''}`);
      return { kind: 'subscribe', status: r.data.status, message: r.data.message, failed };
    }
    case 'subscribe_orders': {
      const r = subscribeOrdersFrame.safeParse(value);
      return r.success ? { kind: 'subscribe_orders', ok: r.data.status === 'success', message: r.data.message } : bad('subscribe_orders ack', r.error);
    }
    case 'market_data': {
      const r = tickFrame.safeParse(value);
      return r.success ? { kind: 'tick', symbol: r.data.symbol, exchange: r.data.exchange, ltp: r.data.data.ltp, at: r.data.data.timestamp } : bad('market_data', r.error);
    }
    case 'order_update': {
      const r = orderRow.safeParse(value);
      if (!r.success) return bad('order_update', r.error);
      const report = toOrderReport(r.data, undefined);
      // Some brokers' trade packets say "complete" for each fill (IIFL Capital): a complete with
      // less than the quantity filled is a partial fill.
      if (report.status === 'complete' && report.filledQuantity > 0 && report.filledQuantity < report.quantity) report.status = 'partially_filled';
      return { kind: 'order', report };
    }
    case 'pong': {
      const r = pongFrame.safeParse(value);
      return r.success ? { kind: 'pong', serverAt: r.data.server_timestamp, clientAt: r.data.client_timestamp, pingId: r.data._pingId } : bad('pong', r.error);
    }
    default:
      return { kind: 'other', type: String(type) };
  }
}
