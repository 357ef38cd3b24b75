import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PAPER_SYMBOL } from '../../src/broker/paper/setup.js';
import { ensureBuilt, fastLiveEnv, start, startPaperServer, tempDir, type Child } from '../support/proc.js';

// Alerts from a real session: the CLI, headless, trading a paper-server over HTTP, tells
// paper-server's Telegram route and a loopback webhook about every closed trade.

const KEY = 'alerts-session-key-4R5T6Y7U';
const SYMBOL = DEFAULT_PAPER_SYMBOL;
let server: Child;
let url: string;
let hook: Server;
let hookUrl: string;
const hooked: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  ({ server, url } = await startPaperServer(KEY, ['--seed', '31']));
  hook = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => { text += d.toString(); });
    req.on('end', () => { hooked.push(text); res.writeHead(200).end(); });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
}, 60_000);

afterAll(async () => {
  server?.kill('SIGTERM');
  await server?.exited;
  await new Promise<void>((r) => { hook.closeAllConnections(); hook.close(() => r()); });
});

describe('alerts from a paper session', () => {
  it('a closed trade reaches paper-server\'s Telegram route and the webhook; the key is in neither', async () => {
    const dir = tempDir('rs-alerts-');
    const bot = start(['--live', '--headless'], fastLiveEnv(url, KEY, SYMBOL, dir, {
      ALERT_TELEGRAM_USER: 'trader1',
      ALERT_WEBHOOK_URL: hookUrl,
      ALERTS: 'all:on',
    }));
    try {
      await bot.waitFor(/\[ALERT\] alerts to telegram \(OpenAlgo user trader1\), webhook 127\.0\.0\.1:\d+; critical:on,halt:on,feed:on,trade:on,summary:on/);
      const { match } = await bot.waitFor(/\[TRADE\] closed (\d+) ([\d.]+) → ([\d.]+) \((\w+)\)/, { timeoutMs: 45_000 });
      const [, qty, entry, exit] = match;
      const want = `TRADE closed ${qty} ${entry} → ${exit}`;
      const inbox = async (): Promise<{ count: number; messages: { username: string; message: string }[] }> =>
        (await fetch(`${url}/paper/telegram`)).json() as Promise<{ count: number; messages: { username: string; message: string }[] }>;
      let got = await inbox();
      for (let i = 0; i < 100 && !got.messages.some((m) => m.message.includes(want)); i++) {
        await new Promise((r) => setTimeout(r, 50));
        got = await inbox();
      }
      const message = got.messages.find((m) => m.message.includes(want));
      expect(message?.username).toBe('trader1');
      expect(message?.message).toMatch(new RegExp(`^random-scalp LIVE ${SYMBOL}@NFO: trade [+-]₹[\\d.]+\\n${want.replace(/[.]/g, '\\.')} \\(\\w+\\) net [+-]₹[\\d.]+$`));
      for (let i = 0; i < 100 && !hooked.some((h) => h.includes(want)); i++) await new Promise((r) => setTimeout(r, 50));
      const body = JSON.parse(hooked.find((h) => h.includes(want)) ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ source: 'random-scalp', class: 'trade', level: 'on', silent: false, mode: 'live', symbol: SYMBOL });
      expect(server.stdout()).toContain(`telegram → trader1: random-scalp LIVE ${SYMBOL}@NFO: trade`);
      expect(JSON.stringify(got)).not.toContain(KEY);
      expect(hooked.join('\n')).not.toContain(KEY);
      expect(server.stdout()).not.toContain(KEY);
    } finally {
      bot.kill('SIGTERM');
      await bot.exited;
    }
    expect(bot.output()).not.toContain(KEY);
    const logs = fs.existsSync(path.join(dir, 'logs')) ? fs.readdirSync(path.join(dir, 'logs')) : [];
    for (const f of logs) expect(fs.readFileSync(path.join(dir, 'logs', f), 'utf8')).not.toContain(KEY);
    // Headless with stdout on a pipe: no bell or escape sequence in the log.
    expect(bot.stdout()).not.toMatch(/\u0007|\u001b\]/);
  }, 90_000);
});
