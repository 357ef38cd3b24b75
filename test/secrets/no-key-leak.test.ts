import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPaperSymbol } from '../../src/time/expiry.js';
import { main } from '../../src/cli/main.js';
import { ensureBuilt, fastLiveEnv, freePort, start, startPaperServer, tempDir, type Child } from '../support/proc.js';

// The API key must never be written anywhere: not to stdout or stderr, not to the log file or
// the state file, not into the saved config when it came from the environment, not in an
// error, a 403, a server's echo of the request, or a crash. A recognisable key is used through
// a whole trading cycle and every failure path, then every byte produced is searched for it.

const KEY = 'RSKEY-7f3a9c-LEAKCHECK';
// paper-server's default instrument (the near-month NIFTY 25000 call).
const SYMBOL = defaultPaperSymbol(Date.now());
let server: Child;
let url: string;
/** Everything any run produced, by where it came from. */
const produced: { where: string; text: string }[] = [];

beforeAll(async () => {
  ensureBuilt();
  ({ server, url } = await startPaperServer(KEY, ['--seed', '5']));
}, 60_000);

afterAll(async () => {
  server?.kill('SIGTERM');
  await server?.exited;
});

function env(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return fastLiveEnv(url, KEY, SYMBOL, dir, extra);
}

function collect(where: string, bot: Child): void {
  produced.push({ where: `${where} stdout`, text: bot.stdout() }, { where: `${where} stderr`, text: bot.stderr() });
}

/** Every file under `dir`, recursively (logs, state, temp files, the saved config). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

function collectFiles(dir: string): string[] {
  const files = filesUnder(dir);
  for (const f of files) produced.push({ where: f, text: fs.readFileSync(f, 'latin1') });
  return files;
}

describe('the API key never leaks', () => {
  it('a whole cycle headless: nothing it writes holds the key', async () => {
    const dir = tempDir('rs-secret-');
    const bot = start(['--live', '--headless'], env(dir));
    await bot.waitFor(/\[START\] trading/);
    await bot.waitFor(/\[ENTRY\] MARKET BUY/, { timeoutMs: 30_000 });
    await bot.waitFor(/\[EXITS\] stop/, { timeoutMs: 30_000 });
    await bot.waitFor(/\[TRADE\] closed/, { timeoutMs: 45_000 });
    bot.kill('SIGTERM');
    expect((await bot.exited).code, bot.output()).toBe(0);
    collect('cycle', bot);
    const files = collectFiles(dir);
    // The run wrote a log file and a state file, and they are what was searched.
    expect(files.some((f) => f.endsWith('.log'))).toBe(true);
    expect(files.some((f) => f.endsWith('.state.json'))).toBe(true);
    // A key from the environment is never copied into the saved config.
    expect(files.filter((f) => f.includes('random-scalp') && f.endsWith('config.json')).every((f) => !fs.readFileSync(f, 'utf8').includes(KEY))).toBe(true);
  }, 90_000);

  it('a configuration error with the key set', async () => {
    const dir = tempDir('rs-secret-');
    const bot = start(['--live', '--headless', '--lots', 'many'], env(dir));
    expect((await bot.exited).code).toBe(1);
    expect(bot.stderr()).toMatch(/invalid LOTS = "many" \(from command-line flag\)/);
    collect('config error', bot);
    collectFiles(dir);
  }, 30_000);

  it('a 403 (the server refuses the key)', async () => {
    const other = await startPaperServer('some-other-key-000000');
    try {
      const dir = tempDir('rs-secret-');
      const bot = start(['--live', '--headless'], env(dir, { OPENALGO_API_HOST: other.url }));
      expect((await bot.exited).code).toBe(2);
      expect(bot.stderr()).toMatch(/invalid API key, or not logged in to the broker/);
      collect('403', bot);
      collectFiles(dir);
    } finally {
      other.server.kill('SIGTERM');
      await other.server.exited;
    }
  }, 30_000);

  it('a server that echoes the request (with the key) in its errors', async () => {
    // A misbehaving proxy or server: every answer is an error that quotes the request body.
    const echo = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const status = req.url?.includes('ping') ? 400 : 500;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', message: `bad request: ${body}` }));
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const dir = tempDir('rs-secret-');
      const bot = start(['--live', '--headless'], env(dir, { OPENALGO_API_HOST: `http://127.0.0.1:${(echo.address() as AddressInfo).port}` }));
      expect((await bot.exited).code).toBe(2);
      expect(bot.output()).toMatch(/bad request/);
      expect(bot.output()).toMatch(/\*\*\*/);
      collect('echo', bot);
      collectFiles(dir);
    } finally {
      echo.closeAllConnections();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  }, 30_000);

  it('a crash: killed mid-trade, and an unexpected error at start', async () => {
    const dir = tempDir('rs-secret-');
    const bot = start(['--live', '--headless'], env(dir));
    await bot.waitFor(/\[ENTRY\] MARKET BUY/, { timeoutMs: 30_000 });
    bot.kill('SIGKILL');
    await bot.exited;
    collect('SIGKILL', bot);
    collectFiles(dir);
    // STATE_DIR is a file: the log cannot be opened, and the process dies with an unexpected error.
    const notADir = path.join(tempDir('rs-secret-'), 'state-is-a-file');
    fs.writeFileSync(notADir, 'not a directory\n');
    const broken = start(['--live', '--headless'], env(notADir));
    const { code } = await broken.exited;
    expect(code).not.toBe(0);
    expect(broken.stderr()).toMatch(/random-scalp: /);
    collect('unexpected error', broken);
  }, 60_000);

  it('paper-server itself prints no key', () => {
    produced.push({ where: 'paper-server output', text: server.output() });
    expect(server.output()).toMatch(/OPENALGO_API_KEY from the environment/);
  });

  it('…and the search: not one of them holds the key', () => {
    expect(produced.length).toBeGreaterThan(10);
    const leaks = produced.filter((p) => p.text.includes(KEY) || p.text.includes(Buffer.from(KEY).toString('base64')));
    expect(leaks.map((l) => l.where)).toEqual([]);
  });
});

describe('the saved key', () => {
  it('config set writes the conf file with mode 0600; config show masks the key', async () => {
    const dir = tempDir('rs-secret-conf-');
    const out: string[] = [];
    const err: string[] = [];
    const run = (argv: string[]): Promise<number> =>
      main(argv, { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, env: { XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir }, cwd: dir, confCwd: dir });
    expect(await run(['config', 'set', 'OPENALGO_API_KEY', KEY])).toBe(0);
    expect(out.join('\n')).not.toContain(KEY);
    out.length = 0;
    expect(await run(['config', 'path'])).toBe(0);
    const file = out.at(-1) as string;
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // The conf file is where a saved key lives (owner-only); nothing else may show it.
    expect(fs.readFileSync(file, 'utf8')).toContain(KEY);
    out.length = 0;
    expect(await run(['config', 'show'])).toBe(0);
    const shown = out.join('\n');
    expect(shown).not.toContain(KEY);
    expect(shown).toMatch(/OPENALGO_API_KEY\s+RS\*\*\*\*CK/);
    expect(err).toEqual([]);
  });
});

describe('plain http to a host that is not loopback', () => {
  it('gets a warning line (and https or loopback do not)', async () => {
    // 0.0.0.0 is not a loopback name, yet a connection to it stays on this machine: no network.
    const port = await freePort();
    const dir = tempDir('rs-secret-warn-');
    const bot = start(['--live', '--headless'], env(dir, { OPENALGO_API_HOST: `http://0.0.0.0:${port}`, API_TIMEOUT_SECONDS: '2' }));
    await bot.exited;
    expect(bot.stdout()).toMatch(/WARN\s+\[CONFIG\] OPENALGO_API_HOST http:\/\/0\.0\.0\.0:\d+ is plain http to a host that is not loopback/);
    expect(bot.output()).not.toContain(KEY);
    const loop = start(['--live', '--headless'], env(tempDir('rs-secret-warn-'), { OPENALGO_API_HOST: `http://127.0.0.1:${port}`, API_TIMEOUT_SECONDS: '2' }));
    await loop.exited;
    expect(loop.stdout()).not.toMatch(/plain http/);
  }, 30_000);
});
