import { afterEach, describe, expect, it } from 'vitest';
import { OpenAlgoClient } from '../../src/broker/openalgo/client.js';
import { startPaperServer, type PaperServer } from '../../src/broker/paper/server.js';
import { FakeClock } from '../../src/time/clock.js';
import { rig } from '../broker/paper-fixtures.js';

// OpenAlgo's Telegram route, as paper-server serves it and the REST client calls it.

const KEY = 'telegram-route-key-1A2B3C';
let server: PaperServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(clock = new FakeClock(Date.UTC(2026, 11, 1, 4, 0))): Promise<{ server: PaperServer; clock: FakeClock }> {
  server = await startPaperServer({ port: 0, apiKey: KEY, broker: rig().broker, clock });
  return { server, clock };
}

const post = async (url: string, body: unknown): Promise<{ status: number; text: string }> => {
  const res = await fetch(`${url}/api/v1/telegram/notify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
};

describe('telegram/notify on paper-server', () => {
  it('the client sends {apikey, username, message}; the server records it and lists it at GET /paper/telegram', async () => {
    const { server: s } = await serve();
    const client = new OpenAlgoClient({ host: s.url, apiKey: KEY, strategy: 'T', timeoutMs: 2000 });
    await client.telegramNotify('trader1', 'hello\nsecond line');
    const listed = (await (await fetch(`${s.url}/paper/telegram`)).json()) as { count: number; messages: { username: string; message: string }[] };
    expect(listed.count).toBe(1);
    expect(listed.messages[0]).toMatchObject({ username: 'trader1', message: 'hello\nsecond line', priority: null });
    await client.close();
  });

  it('validates like OpenAlgo: wrong key 403, unknown field 400, empty message 400', async () => {
    const { server: s } = await serve();
    expect((await post(s.url, { apikey: 'wrong', username: 'u', message: 'm' })).status).toBe(403);
    expect((await post(s.url, { apikey: KEY, username: 'u', message: 'm', chat_id: 5 })).status).toBe(400);
    const empty = await post(s.url, { apikey: KEY, username: 'u', message: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Username and message are required');
    expect(s.telegram.messages).toHaveLength(0);
  });

  it('30 a minute per user: the 31st is a 429, the next minute is open again', async () => {
    const { server: s, clock } = await serve();
    for (let i = 0; i < 30; i++) expect((await post(s.url, { apikey: KEY, username: 'u', message: `m${i}` })).status).toBe(200);
    const over = await post(s.url, { apikey: KEY, username: 'u', message: 'm30' });
    expect(over.status).toBe(429);
    expect(over.text).toContain('30 per 1 minute');
    expect((await post(s.url, { apikey: KEY, username: 'other', message: 'x' })).status).toBe(200);
    clock.jump(60_000);
    expect((await post(s.url, { apikey: KEY, username: 'u', message: 'm31' })).status).toBe(200);
    expect(s.telegram.refused).toBe(1);
  });

  it('the client sends a notification once, never again after a refusal (a retry could deliver it twice)', async () => {
    const { server: s } = await serve();
    const client = new OpenAlgoClient({ host: s.url, apiKey: KEY, strategy: 'T', timeoutMs: 2000, sleep: async () => {} });
    for (let i = 0; i < 30; i++) await post(s.url, { apikey: KEY, username: 'u', message: `fill${i}` });
    await expect(client.telegramNotify('u', 'one more')).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(s.telegram.refused).toBe(1);
    await client.close();
  });
});
