import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PAPER_DAYS, PaperCalendar, parsePaperHolidays } from '../../src/broker/paper/calendar.js';
import { paperServerMain, startPaperServer, type PaperServer } from '../../src/broker/paper/server.js';
import { createDefaultPaperSetup } from '../../src/broker/paper/setup.js';
import { OpenAlgoClient } from '../../src/broker/openalgo/client.js';
import { FakeClock } from '../../src/time/clock.js';
import { resolveMarketDay } from '../../src/time/market-calendar.js';
import { ServerClock } from '../../src/time/server-clock.js';

const KEY = 'paper-cal-key';
const MS = (iso: string): number => Date.parse(`${iso}+05:30`);
let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

async function serve(calendar: PaperCalendar, clock = new FakeClock(MS('2026-11-24T10:00:00'))): Promise<PaperServer> {
  const { broker } = createDefaultPaperSetup({ clock, seed: 3, calendar });
  const server = await startPaperServer({ port: 0, apiKey: KEY, broker, clock });
  close = async () => {
    await server.close();
    await broker.close();
  };
  return server;
}

async function post(url: string, name: string, body: unknown): Promise<{ status: number; json: Record<string, unknown>; date: string | null }> {
  const res = await fetch(`${url}/api/v1/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, date: res.headers.get('date') };
}

describe('paper-server: market/holidays and market/timings', () => {
  it("serves the built-in sample in OpenAlgo's shape, the year defaulting to the server's", async () => {
    const { url } = await serve(PaperCalendar.withBuiltIns());
    const r = await post(url, 'market/holidays', { apikey: KEY });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'success', year: 2026, timezone: 'Asia/Kolkata' });
    const data = r.json.data as Record<string, unknown>[];
    expect(data.map((d) => d.date)).toEqual(BUILT_IN_PAPER_DAYS.filter((d) => d.date.startsWith('2026')).map((d) => d.date));
    expect(data.find((d) => d.date === '2026-11-08')).toEqual({
      date: '2026-11-08', description: 'Diwali Laxmi Pujan (Muhurat trading)', holiday_type: 'SPECIAL_SESSION', closed_exchanges: [],
      open_exchanges: expect.arrayContaining([{ exchange: 'NFO', start_time: MS('2026-11-08T18:15:00'), end_time: MS('2026-11-08T19:15:00') }]),
    });
    expect((await post(url, 'market/holidays', { apikey: KEY, year: 2027 })).json.year).toBe(2027);
  });

  it('validates like OpenAlgo: year 2020–2050, a real date, no unknown field; the key is not checked (as upstream)', async () => {
    const { url } = await serve(new PaperCalendar());
    expect((await post(url, 'market/holidays', { apikey: KEY, year: 2051 })).status).toBe(400);
    expect((await post(url, 'market/holidays', { apikey: KEY, year: 2026, extra: 1 })).status).toBe(400);
    expect((await post(url, 'market/timings', { apikey: KEY, date: '24-11-2026' })).status).toBe(400);
    expect((await post(url, 'market/timings', { apikey: KEY })).status).toBe(400);
    expect((await post(url, 'market/holidays', { apikey: 'wrong', year: 2026 })).status).toBe(200);
  });

  it('timings: a weekday has every exchange, a weekend only CRYPTO, a holiday only CRYPTO, a special session its hours', async () => {
    const { url } = await serve(new PaperCalendar(parsePaperHolidays('2026-11-25:Test holiday,2026-11-26@18:15-19:15:Muhurat')));
    const exchanges = async (date: string): Promise<string[]> =>
      ((await post(url, 'market/timings', { apikey: KEY, date })).json.data as { exchange: string }[]).map((d) => d.exchange);
    expect(await exchanges('2026-11-24')).toEqual(['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX', 'NCO', 'CRYPTO']);
    expect(await exchanges('2026-11-29')).toEqual(['CRYPTO']);
    expect(await exchanges('2026-11-25')).toEqual(['CRYPTO']);
    const special = (await post(url, 'market/timings', { apikey: KEY, date: '2026-11-26' })).json.data as { exchange: string; start_time: number; end_time: number }[];
    expect(special.find((s) => s.exchange === 'NFO')).toEqual({ exchange: 'NFO', start_time: MS('2026-11-26T18:15:00'), end_time: MS('2026-11-26T19:15:00') });
    const nfo = ((await post(url, 'market/timings', { apikey: KEY, date: '2026-11-24' })).json.data as { exchange: string; start_time: number; end_time: number }[]).find((s) => s.exchange === 'NFO');
    expect(nfo).toEqual({ exchange: 'NFO', start_time: MS('2026-11-24T09:15:00'), end_time: MS('2026-11-24T15:40:00') });
  });

  it('the real client reads them back, and the day they describe resolves as the engine will see it', async () => {
    const { url } = await serve(PaperCalendar.withBuiltIns(parsePaperHolidays('2026-11-24:Paper test day')));
    const client = new OpenAlgoClient({ host: url, apiKey: KEY, strategy: 'T', timeoutMs: 2000 });
    const holidays = (await client.marketHolidays(2026)) ?? [];
    expect(resolveMarketDay('2026-11-24', 'NFO', holidays, await client.marketTimings('2026-11-24'))).toEqual({ kind: 'holiday', name: 'Paper test day' });
    expect(resolveMarketDay('2026-11-08', 'NFO', holidays, await client.marketTimings('2026-11-08'))).toEqual({
      kind: 'special', name: 'Diwali Laxmi Pujan (Muhurat trading)', sessions: [{ start: MS('2026-11-08T18:15:00'), end: MS('2026-11-08T19:15:00') }],
    });
    expect(resolveMarketDay('2026-02-19', 'NFO', holidays, null)).toEqual({ kind: 'regular' });
    await client.close();
  });

  it("Date headers carry the server's clock: a --clock-offset server is measured from the client", async () => {
    const server = await paperServerMain({ port: 0, seed: 1, apiKey: KEY, clockOffsetMs: 90_000, print: () => {} });
    close = server.close;
    const estimator = new ServerClock();
    const client = new OpenAlgoClient({ host: server.url, apiKey: KEY, strategy: 'T', timeoutMs: 2000, onServerTime: (s) => estimator.addSample(s) });
    for (let i = 0; i < 4; i++) await client.health();
    const est = estimator.estimate();
    expect(est?.samples).toBeGreaterThanOrEqual(2);
    expect(Math.abs((est?.offsetMs ?? 0) - 90_000)).toBeLessThanOrEqual(1000);
    await client.close();
  });
});

describe('PAPER_HOLIDAYS / --holidays syntax', () => {
  it('reads holidays and special sessions, names optional', () => {
    expect(parsePaperHolidays(' 2026-12-01:My day , 2026-12-02 ,2026-12-03@18:15-19:15:Muhurat,2026-12-04@09:00-10:00')).toEqual([
      { date: '2026-12-01', name: 'My day', type: 'TRADING_HOLIDAY' },
      { date: '2026-12-02', name: 'Paper holiday', type: 'TRADING_HOLIDAY' },
      { date: '2026-12-03', name: 'Muhurat', type: 'SPECIAL_SESSION', session: { start: 1095, end: 1155 } },
      { date: '2026-12-04', name: 'Special session', type: 'SPECIAL_SESSION', session: { start: 540, end: 600 } },
    ]);
    expect(parsePaperHolidays('')).toEqual([]);
  });

  it.each(['2026-02-30', 'tomorrow', '2026-12-01@19:00-18:00', '2026-12-01@25:00-26:00', '01-12-2026:x'])('refuses %j in one line naming the entry and the format', (spec) => {
    expect(() => parsePaperHolidays(spec)).toThrow(new RegExp(`PAPER_HOLIDAYS: invalid .*${spec.slice(0, 8)}.*`));
  });
});
