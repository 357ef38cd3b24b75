import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { DoctorRow } from '../../src/cli/doctor-checks.js';
import { DEFAULT_PAPER_SYMBOL } from '../../src/broker/paper/setup.js';
import { ensureBuilt, freePort, start, startPaperServer, tempDir, type Child } from '../support/proc.js';

// `random-scalp doctor` as a trader runs it: against the paper market, a paper-server with the
// right and the wrong key, a server that is down, and small loopback servers for what
// paper-server cannot be made to do (a clock minutes off, no broker session, analyzer on).

const KEY = 'doctor-test-key-P0O9I8U7';
const SYMBOL = DEFAULT_PAPER_SYMBOL;

interface Report {
  ok: boolean;
  mode: string;
  summary: { ok: number; warn: number; fail: number };
  rows: DoctorRow[];
}

async function doctor(env: Record<string, string>, args: string[] = []): Promise<{ code: number; report: Report; text: string }> {
  const home = tempDir('rs-doctor-');
  const dir = env.STATE_DIR ?? home;
  const run = async (extra: string[]): Promise<{ code: number; out: string[] }> => {
    const out: string[] = [];
    const code = await main(['doctor', ...args, ...extra], {
      io: { out: (l) => out.push(l), err: (l) => out.push(l) },
      env: { STATE_DIR: dir, XDG_DATA_HOME: home, ...env },
      cwd: home,
      confCwd: home,
    });
    return { code, out };
  };
  const json = await run(['--json']);
  const text = await run([]);
  expect(text.code).toBe(json.code);
  return { code: json.code, report: JSON.parse(json.out.join('\n')) as Report, text: text.out.join('\n') };
}

const row = (r: Report, check: string): DoctorRow | undefined => r.rows.find((x) => x.check === check);
const statuses = (r: Report): Record<string, string> => Object.fromEntries(r.rows.map((x) => [x.check, x.status]));

let closedWs = 'ws://127.0.0.1:9';
beforeAll(async () => {
  closedWs = `ws://127.0.0.1:${await freePort()}`;
});
const liveEnv = (host: string, key = KEY, ws = closedWs): Record<string, string> => ({ OPENALGO_API_HOST: host, OPENALGO_API_KEY: key, SYMBOL, OPENALGO_WS_URL: ws });

describe('doctor on the paper market', () => {
  it('LOTS past the freeze quantity fails with both figures and the largest LOTS; SL-M on an option warns', async () => {
    const { code, report } = await doctor({ LOTS: '30', STOP_ORDER_TYPE: 'SL-M' }, ['--paper']);
    expect(code).not.toBe(0);
    expect(row(report, 'freeze qty')).toMatchObject({ status: 'fail', figure: expect.stringContaining('30 × lot 65 = 1950 is above the freeze quantity 1560'), advice: 'set LOTS to 24 or less' });
    expect(row(report, 'stops')).toMatchObject({ status: 'warn', figure: expect.stringContaining('the exchange refuses SL-M on options') });
  });

  it('DIRECTION=short on an option fails without ALLOW_OPTION_WRITING and warns of margin with it; on a future it is ok', async () => {
    const refused = await doctor({ DIRECTION: 'short' }, ['--paper']);
    expect(refused.code).not.toBe(0);
    expect(row(refused.report, 'direction')).toMatchObject({ status: 'fail', figure: expect.stringContaining('invalid DIRECTION = short'), advice: expect.stringContaining('ALLOW_OPTION_WRITING=true') });
    const allowed = await doctor({ DIRECTION: 'alternate', ALLOW_OPTION_WRITING: 'true' }, ['--paper']);
    expect(row(allowed.report, 'direction')).toMatchObject({ status: 'warn', figure: expect.stringContaining('margin') });
    const future = await doctor({ DIRECTION: 'short', SYMBOL: 'NIFTY29DEC26FUT' }, ['--paper']);
    expect(row(future.report, 'direction')).toMatchObject({ status: 'ok', figure: 'short: sell, then buy back' });
  });

  it('from a fresh directory: every row ok, exit 0', async () => {
    const { code, report, text } = await doctor({}, ['--paper']);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.rows.map((r) => r.check)).toEqual(['config', 'host', 'key', 'session', 'analyzer', 'symbol', 'freeze qty', 'stops', 'direction', 'clock', 'state_dir', 'instance', 'saved_state', 'feed', 'calendar']);
    expect(row(report, 'stops')).toMatchObject({ status: 'ok', figure: expect.stringMatching(/^SL \(an option: SL-M is refused there\), limit buffer auto \(price slab\)/) });
    expect(row(report, 'freeze qty')).toMatchObject({ status: 'ok', figure: expect.stringMatching(/^LOTS \d+ × lot \d+ = \d+ ≤ freeze quantity \d+$/) });
    expect(Object.values(statuses(report)).every((s) => s === 'ok')).toBe(true);
    expect(row(report, 'symbol')?.figure).toMatch(new RegExp(`^${SYMBOL}@NFO: lot \\d+, tick 0\\.05, LTP [\\d.]+ `));
    expect(text).toMatch(/\n15 ok, 0 warn, 0 fail$/);
  });

  it('says where each setting came from', async () => {
    const { report } = await doctor({ LOTS: '3' }, ['--paper', '--interval', '10s']);
    expect(row(report, 'config')?.figure).toMatch(/^PAPER \(--paper\); set: LOTS \(environment\), INTERVAL \(command-line flag\), STATE_DIR \(environment\)/);
  });

  it('a configuration that does not resolve is a failed row naming the field, exit 1', async () => {
    const { code, report } = await doctor({ LOTS: 'many' }, ['--paper']);
    expect(code).toBe(1);
    expect(row(report, 'config')).toMatchObject({ status: 'fail', figure: 'invalid LOTS = "many" (from environment): expected a whole number ≥ 1 and ≤ 1000' });
  });

  it('an unwritable STATE_DIR fails with what to do', async () => {
    const file = path.join(tempDir('rs-doctor-'), 'a-file');
    fs.writeFileSync(file, 'x');
    const { code, report } = await doctor({ STATE_DIR: path.join(file, 'sub') }, ['--paper']);
    expect(code).toBe(1);
    expect(row(report, 'state_dir')).toMatchObject({ status: 'fail', advice: expect.stringMatching(/^set STATE_DIR to a directory you own/) });
  });
});

/** Today's date in IST, as the calendar speaks it. */
const todayIst = (): string => new Date(Date.now() + 5.5 * 3_600_000).toISOString().slice(0, 10);

describe('doctor against paper-server with its calendar and clock', () => {
  const started: Child[] = [];
  beforeAll(() => ensureBuilt(), 60_000);
  afterAll(async () => {
    for (const s of started) s.kill('SIGTERM');
    await Promise.all(started.map((s) => s.exited));
  });

  it("today a holiday in the server's calendar: the calendar row says no entries today", async () => {
    const { server, url } = await startPaperServer(KEY, ['--holidays', `${todayIst()}:Doctor Test Holiday`]);
    started.push(server);
    const { code, report } = await doctor(liveEnv(url));
    expect(row(report, 'calendar')).toMatchObject({ status: 'warn', figure: `${todayIst()} is a trading holiday on NFO: Doctor Test Holiday — no entries today` });
    expect(code).toBe(0);
  }, 30_000);

  it("the server's clock 3 minutes ahead: the clock row warns with the offset", async () => {
    const { server, url } = await startPaperServer(KEY, ['--clock-offset', '180']);
    started.push(server);
    const { report } = await doctor(liveEnv(url));
    expect(row(report, 'clock')).toMatchObject({ status: 'warn', figure: expect.stringMatching(/^this machine is 1(79|80|81)\.\d s behind the server/) });
  }, 30_000);

  it('paper: a PAPER_HOLIDAYS day is shown as a holiday', async () => {
    const { report } = await doctor({ PAPER_HOLIDAYS: `${todayIst()}:Paper Holiday` }, ['--paper']);
    expect(row(report, 'calendar')).toMatchObject({ status: 'warn', figure: `${todayIst()} is a trading holiday on NFO: Paper Holiday — no entries today` });
  });
});

describe('doctor against paper-server', () => {
  let server: Child;
  let url: string;
  let wsUrl: string;
  beforeAll(async () => {
    ensureBuilt();
    ({ server, url, wsUrl } = await startPaperServer(KEY, ['--seed', '5']));
  }, 60_000);
  afterAll(async () => {
    server?.kill('SIGTERM');
    await server?.exited;
  });

  it('the right key: host, key, session, analyzer, symbol, clock, feed and calendar answer; exit 0', async () => {
    const { code, report } = await doctor(liveEnv(url, KEY, wsUrl));
    expect(code).toBe(0);
    expect(statuses(report)).toMatchObject({ config: 'ok', host: 'ok', key: 'ok', session: 'ok', analyzer: 'ok', symbol: 'ok', clock: 'ok', state_dir: 'ok', instance: 'ok', saved_state: 'ok', feed: 'ok' });
    expect(row(report, 'host')?.figure).toMatch(/answered in \d+ ms \(HTTP 200\)$/);
    expect(row(report, 'session')?.figure).toBe('broker paper logged in');
    expect(row(report, 'feed')?.figure).toMatch(new RegExp(`^${wsUrl} live in \\d+ ms: authenticated, order updates subscribed, ticks subscribed$`));
    expect(row(report, 'calendar')?.figure).toMatch(/^\d{4}-\d\d-\d\d (is a trading day on NFO|is a trading holiday on NFO|: SPECIAL SESSION)/);
  });

  it('the WebSocket port closed: the feed row warns (FEED=auto falls back to polling) or fails (FEED=push), with where to look', async () => {
    const auto = await doctor(liveEnv(url));
    expect(auto.code).toBe(0);
    expect(row(auto.report, 'feed')).toMatchObject({ status: 'warn', figure: expect.stringMatching(new RegExp(`^${closedWs}: `)) });
    expect(row(auto.report, 'feed')?.advice).toMatch(/^trading falls back to polling \(FEED=auto\); start OpenAlgo's WebSocket server/);
    const push = await doctor({ ...liveEnv(url), FEED: 'push' });
    expect(push.code).toBe(1);
    expect(row(push.report, 'feed')?.status).toBe('fail');
    const poll = await doctor({ ...liveEnv(url), FEED: 'poll' });
    expect(row(poll.report, 'feed')).toMatchObject({ status: 'ok', figure: 'FEED=poll: the WebSocket feed is not used' });
  });

  it('a wrong key: the key row fails with where to get the right one; exit 1; the key is never shown', async () => {
    const wrong = 'wrong-key-QWERTY123';
    const { code, report, text } = await doctor(liveEnv(url, wrong));
    expect(code).toBe(1);
    expect(row(report, 'host')?.status).toBe('ok');
    expect(row(report, 'key')).toMatchObject({ status: 'fail', figure: 'refused: HTTP 403 (Invalid openalgo apikey)' });
    expect(row(report, 'key')?.advice).toMatch(/copy the key from OpenAlgo \(API Key page\) into OPENALGO_API_KEY/);
    expect(row(report, 'feed')?.figure).toBe('not checked: the key is not accepted');
    expect(text).not.toContain(wrong);
    expect(JSON.stringify(report)).not.toContain(wrong);
  });

  it('a symbol the server does not know fails with the format to use', async () => {
    const { code, report } = await doctor({ ...liveEnv(url), SYMBOL: 'NIFTY99XYZ' });
    expect(code).toBe(1);
    expect(row(report, 'symbol')).toMatchObject({ status: 'fail', figure: 'NIFTY99XYZ not found on NFO' });
  });
});

describe('doctor when the server is down or odd', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
  });

  /** A loopback OpenAlgo stand-in: ping and analyzer as told, the Date header `skewMs` off. */
  async function fake(opts: { skewMs?: number; pingStatus?: number; analyzer?: boolean }): Promise<string> {
    const server = createServer((req, res) => {
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json', date: new Date(Date.now() - (opts.skewMs ?? 0)).toUTCString() });
        res.end(JSON.stringify(body));
      };
      if (req.url?.startsWith('/api/v1/ping')) {
        return opts.pingStatus === 403 ? send(403, { status: 'error', message: 'Invalid openalgo apikey' }) : send(200, { status: 'success', data: { message: 'pong', broker: 'fakebroker' } });
      }
      if (req.url?.startsWith('/api/v1/analyzer')) return send(200, { status: 'success', data: { mode: opts.analyzer ? 'analyze' : 'live', analyze_mode: opts.analyzer ?? false } });
      send(404, { status: 'error', message: 'not here' });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('OpenAlgo down: the host row fails with what to do; rows that need it are not checked; exit 1', async () => {
    const port = await freePort();
    const { code, report } = await doctor(liveEnv(`http://127.0.0.1:${port}`));
    expect(code).toBe(1);
    expect(row(report, 'host')).toMatchObject({ status: 'fail', figure: `no answer from http://127.0.0.1:${port}: ping: could not reach the server (ECONNREFUSED)` });
    expect(row(report, 'host')?.advice).toMatch(/^start OpenAlgo, or set OPENALGO_API_HOST/);
    expect(row(report, 'key')?.figure).toBe('not checked: the host does not answer');
    expect(row(report, 'state_dir')?.status).toBe('ok');
  });

  it('a clock 3 minutes off is a warning, 10 minutes a failure, each with the measured offset', async () => {
    const three = await doctor(liveEnv(await fake({ skewMs: 180_000 })));
    expect(row(three.report, 'clock')).toMatchObject({ status: 'warn', figure: expect.stringMatching(/^this machine is 1(79|80|81)\.\d s ahead of the server/) });
    expect(row(three.report, 'clock')?.advice).toMatch(/network time sync/);
    const ten = await doctor(liveEnv(await fake({ skewMs: -600_000 })));
    expect(row(ten.report, 'clock')).toMatchObject({ status: 'fail', figure: expect.stringMatching(/^this machine is (599|600|601)\.\d s behind the server/) });
    expect(ten.code).toBe(1);
  });

  it('a valid key without today\'s broker login: key ok, session fails with "log in to your broker"', async () => {
    const { code, report } = await doctor(liveEnv(await fake({ pingStatus: 403 })));
    expect(code).toBe(1);
    expect(row(report, 'key')).toMatchObject({ status: 'ok', figure: 'accepted (the analyzer route answers)' });
    expect(row(report, 'session')).toMatchObject({ status: 'fail' });
    expect(row(report, 'session')?.advice).toMatch(/^log in to your broker in OpenAlgo's web UI/);
    expect(row(report, 'symbol')?.figure).toMatch(/^not checked: no broker session/);
  });

  it('LIVE with the server in analyzer mode is a warning worth reading', async () => {
    const { report } = await doctor(liveEnv(await fake({ analyzer: true })));
    expect(row(report, 'analyzer')).toMatchObject({ status: 'warn', figure: expect.stringMatching(/^ON: OpenAlgo simulates every order/) });
    expect(row(report, 'session')?.figure).toBe('broker fakebroker logged in');
  });
});

describe('doctor and a running or crashed bot', () => {
  let bot: Child | null = null;
  beforeAll(() => ensureBuilt(), 60_000);
  afterAll(async () => {
    bot?.kill('SIGKILL');
    await bot?.exited;
  });

  it('a running bot holds the book (fail, with its pid); after a SIGKILL in position the lock is stale (ok) and the saved open position is a warning', async () => {
    const dir = tempDir('rs-doctor-');
    bot = start(['--paper', '--headless'], { STATE_DIR: dir, XDG_CONFIG_HOME: dir, PAPER_SEED: '3', LOG_TO_FILE: 'false', HOME: os.tmpdir() });
    await bot.waitFor(/\[EXITS\] stop /, { timeoutMs: 30_000 });
    const held = await doctor({ STATE_DIR: dir }, ['--paper']);
    expect(held.code).toBe(1);
    expect(row(held.report, 'instance')).toMatchObject({ status: 'fail', figure: expect.stringMatching(new RegExp(`^held by pid ${bot.child.pid} since `)) });
    bot.kill('SIGKILL');
    await bot.exited;
    const after = await doctor({ STATE_DIR: dir }, ['--paper']);
    expect(row(after.report, 'instance')).toMatchObject({ status: 'ok', figure: expect.stringMatching(/^a lock left by a run that is gone \(pid \d+\): the next start takes it over$/) });
    const saved = row(after.report, 'saved_state');
    expect(saved?.status === 'warn' && /^OPEN POSITION: \d+ held/.test(saved.figure)).toBe(true);
    expect(saved?.advice).toMatch(/^a start adopts it/);
    expect(after.code).toBe(0);
  }, 60_000);
});
