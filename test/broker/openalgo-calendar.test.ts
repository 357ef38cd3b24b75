import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BrokerError } from '../../src/broker/errors.js';
import { OpenAlgoClient } from '../../src/broker/openalgo/client.js';
import type { ServerTimeSample } from '../../src/time/server-clock.js';

// The exchange calendar and the server's clock through the real HTTP client, against a
// scripted OpenAlgo on loopback.

const KEY = 'CAL-KEY-77';
type Reply = { status?: number; json?: unknown; text?: string; date?: string };

let replies = new Map<string, Reply>();
const received: { path: string; body: Record<string, unknown> }[] = [];
const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', () => {
    const path = (req.url ?? '').replace(/^\/api\/v1\//, '');
    received.push({ path, body: JSON.parse(raw || '{}') as Record<string, unknown> });
    const r = replies.get(path) ?? { status: 404, text: '<!doctype html><title>404 Not Found</title>' };
    const headers: Record<string, string> = { 'Content-Type': r.text !== undefined ? 'text/html' : 'application/json' };
    if (r.date) headers.Date = r.date;
    res.writeHead(r.status ?? 200, headers);
    res.end(r.text ?? JSON.stringify(r.json));
  });
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  replies = new Map();
  received.length = 0;
});

const client = (extra: Partial<ConstructorParameters<typeof OpenAlgoClient>[0]> = {}): OpenAlgoClient =>
  new OpenAlgoClient({ host: url, apiKey: KEY, strategy: 'T', timeoutMs: 2000, sleep: async () => {}, ...extra });

const MS = (iso: string): number => Date.parse(`${iso}+05:30`);

describe('OpenAlgo client: market/holidays', () => {
  it('parses the documented shape and sends only apikey and year', async () => {
    replies.set('market/holidays', {
      json: {
        status: 'success', year: 2026, timezone: 'Asia/Kolkata',
        data: [
          { date: '2026-01-15', description: 'x', holiday_type: 'TRADING_HOLIDAY', closed_exchanges: ['NSE', 'BSE'], open_exchanges: [{ exchange: 'MCX', start_time: 1768476600000, end_time: 1768501500000 }] },
        ],
      },
    });
    const rows = await client().marketHolidays(2026);
    expect(received[0]).toEqual({ path: 'market/holidays', body: { apikey: KEY, year: 2026 } });
    expect(rows).toEqual([
      { date: '2026-01-15', description: 'x', type: 'TRADING_HOLIDAY', closedExchanges: ['NSE', 'BSE'], openExchanges: [{ exchange: 'MCX', start: 1768476600000, end: 1768501500000 }] },
    ]);
  });

  it('absorbs drift: numeric strings, seconds, lower-case words, a date with a time, a comma list, odd rows dropped', async () => {
    replies.set('market/holidays', {
      json: {
        status: 'success',
        data: [
          { date: '2026-11-08T00:00:00', description: null, holiday_type: 'special session', closed_exchanges: null, open_exchanges: [{ exchange: 'nse', start_time: String(MS('2026-11-08T18:15:00')), end_time: MS('2026-11-08T19:15:00') / 1000 }, { exchange: 'BSE' }] },
          { date: '2026-12-25', description: 'Christmas', holiday_type: 'Trading Holiday', closed_exchanges: 'NSE, NFO' },
          { description: 'no date' },
          'garbage',
          { date: '2026-02-19', holiday_type: 'SETTLEMENT_HOLIDAY' },
          { date: '2026-03-01', holiday_type: 'SOMETHING_NEW' },
        ],
      },
    });
    const rows = await client().marketHolidays(2026);
    expect(rows).toEqual([
      { date: '2026-11-08', description: '', type: 'SPECIAL_SESSION', closedExchanges: [], openExchanges: [{ exchange: 'NSE', start: MS('2026-11-08T18:15:00'), end: MS('2026-11-08T19:15:00') }] },
      { date: '2026-12-25', description: 'Christmas', type: 'TRADING_HOLIDAY', closedExchanges: ['NSE', 'NFO'], openExchanges: [] },
      { date: '2026-02-19', description: '', type: 'SETTLEMENT_HOLIDAY', closedExchanges: [], openExchanges: [] },
      // An unknown kind of day is read as closed: not entering is the safe mistake.
      { date: '2026-03-01', description: '', type: 'TRADING_HOLIDAY', closedExchanges: [], openExchanges: [] },
    ]);
  });

  it('an older server without the route (HTML 404, or 405) is "not supported": null, not an error', async () => {
    expect(await client().marketHolidays(2026)).toBeNull();
    expect(await client().marketTimings('2026-11-24')).toBeNull();
    replies.set('market/holidays', { status: 405, json: { message: 'The method is not allowed for the requested URL.' } });
    expect(await client().marketHolidays(2026)).toBeNull();
  });

  it('a year the server refuses is an error naming it; a 5xx is retried, then an error', async () => {
    replies.set('market/holidays', { status: 400, json: { status: 'error', message: { year: ['Year must be between 2020 and 2050.'] } } });
    await expect(client().marketHolidays(2051)).rejects.toMatchObject({ kind: 'rejected', message: expect.stringMatching(/year: Year must be between/) });
    replies.set('market/holidays', { status: 502, text: '<html>Bad gateway</html>' });
    await expect(client().marketHolidays(2026)).rejects.toBeInstanceOf(BrokerError);
    expect(received.filter((r) => r.path === 'market/holidays')).toHaveLength(1 + 3);
  });
});

describe('OpenAlgo client: market/timings', () => {
  it('parses the sessions of a day and sends apikey and date', async () => {
    replies.set('market/timings', {
      json: { status: 'success', data: [{ exchange: 'NSE', start_time: MS('2026-08-24T09:15:00'), end_time: MS('2026-08-24T15:30:00') }, { exchange: 'CRYPTO', start_time: 'soon', end_time: 1 }] },
    });
    expect(await client().marketTimings('2026-08-24')).toEqual([{ exchange: 'NSE', start: MS('2026-08-24T09:15:00'), end: MS('2026-08-24T15:30:00') }]);
    expect(received[0]?.body).toEqual({ apikey: KEY, date: '2026-08-24' });
  });
});

describe("OpenAlgo client: the server's clock from Date headers", () => {
  it('every reply with a Date header is a sample bracketed by the local send and receive times', async () => {
    const samples: ServerTimeSample[] = [];
    let local = 1_000_000;
    replies.set('ping', { json: { status: 'success', data: { message: 'pong', broker: 'x' } }, date: 'Tue, 24 Nov 2026 04:00:00 GMT' });
    replies.set('analyzer', { json: { status: 'success', data: { mode: 'live', analyze_mode: false } }, date: 'Tue, 24 Nov 2026 04:00:01 GMT' });
    await client({ onServerTime: (s) => samples.push(s), now: () => (local += 10) }).health();
    expect(samples).toEqual([
      { sentAt: 1_000_010, receivedAt: 1_000_020, serverTime: Date.UTC(2026, 10, 24, 4, 0, 0), resolutionMs: 1000, source: 'http date' },
      { sentAt: 1_000_030, receivedAt: 1_000_040, serverTime: Date.UTC(2026, 10, 24, 4, 0, 1), resolutionMs: 1000, source: 'http date' },
    ]);
  });

  it('an unreadable Date header or a throwing observer changes nothing', async () => {
    replies.set('ping', { json: { status: 'success', data: { message: 'pong', broker: 'x' } }, date: 'yesterday-ish' });
    replies.set('analyzer', { json: { status: 'success', data: { mode: 'live' } } });
    const seen: number[] = [];
    const h = await client({ onServerTime: (s) => { seen.push(s.serverTime); throw new Error('observer broke'); } }).health();
    expect(h.broker).toBe('x');
    // Node's own Date header on the analyzer reply still counts; the garbled one does not.
    expect(seen.every(Number.isFinite)).toBe(true);
  });
});
