import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPaperSymbol } from '../../src/time/expiry.js';
import { freePort, PAPER_SERVER_LISTENING, start, tempDir, type Child } from '../support/proc.js';

// The real CLI, headless, trading paper-server through the real HTTP client on loopback.

const KEY = 'e2e-key-0123456789';
let server: Child;
let url: string;
let wsUrl: string;

beforeAll(async () => {
  const port = await freePort();
  server = start(['paper-server', '--port', String(port), '--ws-port', '0', '--seed', '11'], { OPENALGO_API_KEY: KEY });
  const { match } = await server.waitFor(PAPER_SERVER_LISTENING);
  url = match[1] as string;
  wsUrl = match[2] as string;
});

afterAll(async () => {
  server.kill('SIGTERM');
  await server.exited;
});

function env(dir: string): Record<string, string> {
  return {
    OPENALGO_API_HOST: url,
    OPENALGO_WS_URL: wsUrl,
    OPENALGO_API_KEY: KEY,
    SYMBOL: defaultPaperSymbol(Date.now()),
    INTERVAL: '2s',
    SESSION_WINDOWS: '00:00-23:59',
    SQUARE_OFF_TIME: '23:59',
    TRADE_WEEKENDS: 'true',
    STATE_DIR: dir,
    XDG_CONFIG_HOME: dir,
  };
}

describe('headless against paper-server', () => {
  it('shows the whole cycle in its log lines and stops flat on SIGTERM with exit 0', async () => {
    const dir = tempDir('rs-e2e-');
    const bot = start(['--live', '--headless'], env(dir));
    await bot.waitFor(/\[START\] LIVE broker \(--live\): OpenAlgo at http:\/\/127\.0\.0\.1/);
    await bot.waitFor(/\[SIGNAL\] bar close .*long entry queued/);
    await bot.waitFor(/\[ENTRY\] (filled|MARKET BUY)/);
    await bot.waitFor(/\[EXITS\] target LIMIT/);
    await bot.waitFor(/\[EXITS\] stop SL(-M)? /);
    await bot.waitFor(/STATE=LONG qty=\d+ entry=[\d.]+ tp=[\d.]+ sl=[\d.]+/);
    await bot.waitFor(/\[TRADE\] closed \d+/, { timeoutMs: 60_000 });
    bot.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(bot.output()).toMatch(/\[STOP\] stopped flat/);
    expect(code).toBe(0);
    expect(bot.output()).not.toContain(KEY);
  }, 90_000);

  it('a wrong key stops the start with exit code 2 and says what to do', async () => {
    const dir = tempDir('rs-e2e-');
    const bot = start(['--live', '--headless'], { ...env(dir), OPENALGO_API_KEY: 'wrong-key-abcdefgh' });
    const { code } = await bot.exited;
    expect(code).toBe(2);
    expect(bot.output()).toMatch(/invalid API key, or not logged in to the broker in OpenAlgo today/);
    expect(bot.output()).not.toContain('wrong-key-abcdefgh');
  });

  it('an unknown symbol stops a live start (fail closed) with exit code 1', async () => {
    const dir = tempDir('rs-e2e-');
    const bot = start(['--live', '--headless'], { ...env(dir), SYMBOL: 'NOSUCHSYMBOL' });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.output()).toMatch(/unknown symbol NOSUCHSYMBOL on NFO/);
  });

  it('OpenAlgo down at start: exit code 2 with a clear message', async () => {
    const dir = tempDir('rs-e2e-');
    const port = await freePort();
    const bot = start(['--live', '--headless'], { ...env(dir), OPENALGO_API_HOST: `http://127.0.0.1:${port}` });
    const { code } = await bot.exited;
    expect(code).toBe(2);
    expect(bot.output()).toMatch(/cannot reach the broker/);
  });
});
