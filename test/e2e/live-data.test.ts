import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultPaperSetup, startPaperServer, type PaperBroker } from '../../src/broker/paper/index.js';
import { systemClock } from '../../src/time/clock.js';
import { start, tempDir } from '../support/proc.js';

// `--paper --live-data`: paper orders on a real server's quotes. The server here stands in for
// a live OpenAlgo; the test proves that nothing but quote calls reach it.

const KEY = 'live-data-key-abcdef';
let server: { url: string; close(): Promise<void> };
let upstream: PaperBroker;

beforeAll(async () => {
  const setup = createDefaultPaperSetup({ clock: systemClock, seed: 21, faults: {} });
  upstream = setup.broker;
  server = await startPaperServer({ port: 0, apiKey: KEY, broker: upstream });
});

afterAll(async () => {
  await server.close();
});

describe('paper on live data', () => {
  it('trades a full cycle while the server only ever receives quote calls', async () => {
    const dir = tempDir('rs-livedata-');
    const bot = start(['--paper', '--live-data', '--headless'], {
      OPENALGO_API_HOST: server.url,
      OPENALGO_API_KEY: KEY,
      INTERVAL: '2s',
      STATE_DIR: dir,
      XDG_CONFIG_HOME: dir,
    });
    await bot.waitFor(/PAPER broker .*live quotes from http:\/\/127\.0\.0\.1/);
    await bot.waitFor(/\[EXITS\] stop/, { timeoutMs: 30_000 });
    bot.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
    const calls = Object.entries(upstream.receivedCalls).filter(([, n]) => n > 0);
    expect(calls.map(([name]) => name)).toEqual(['quote']);
    expect(upstream.placedOrders).toHaveLength(0);
    expect(bot.output()).not.toContain(KEY);
  }, 60_000);
});
