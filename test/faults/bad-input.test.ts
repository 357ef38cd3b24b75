import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_MESSAGE, BrokerError, type BrokerErrorKind } from '../../src/broker/errors.js';
import { OpenAlgoClient } from '../../src/broker/openalgo/client.js';
import type { Broker } from '../../src/broker/types.js';
import { main } from '../../src/cli/main.js';
import { ConfigError, describeSource, resolveConfig, showValue, type RawSources, type Source } from '../../src/config/resolve.js';
import { CONFIG_KEYS, SCHEMA, flagName, type ConfigKey, type FieldSpec } from '../../src/config/schema.js';
import { istParts } from '../../src/time/ist.js';
import { enterAndProtect, ist, scenario } from '../engine/harness.js';
import { ensureBuilt, freePort, start, tempDir } from '../support/proc.js';

process.env.TZ = 'America/New_York';

// Bad input from every side: configuration (every field of SCHEMA, wrong in every way its kind
// allows, from every source), broker responses (wrong shapes, wrong types, HTML, empty, huge,
// never finished), the broker session expiring or the server going away mid-day, and the wall
// clock jumping.

// ---- configuration -----------------------------------------------------------------------------

/** Wrong values for a field, generated from its kind and range. */
function badValues(key: ConfigKey, spec: FieldSpec): string[] {
  const empty = spec.allowEmpty ? [] : [''];
  switch (spec.kind) {
    case 'int': {
      const out = [...empty, 'abc', '2.5', '1e3', '0x10'];
      if (spec.min !== undefined) out.push(String(spec.min - 1));
      if (spec.max !== undefined) out.push(String(spec.max + 1));
      return out;
    }
    case 'number': {
      const out = [...empty, 'abc', '1,5', 'NaN', 'Infinity'];
      if (spec.min !== undefined) out.push(spec.exclusiveMin ? String(spec.min) : String(spec.min - 0.05));
      if (spec.max !== undefined) out.push(String(spec.max + 1));
      return out;
    }
    case 'bool': return [...empty, 'maybe', '2', 'tru'];
    case 'time': return [...empty, '25:00', '12:60', 'noon', '9.30'];
    case 'interval': return [...empty, '0s', '5x', '-5m', '25h', 'm'];
    case 'enum': return [...empty, 'NOPE', 'nse ex'];
    case 'windows': return [...empty, '10:00-09:00', 'always', '09:00-10:00-11:00', '09:00'];
    case 'date': return [...empty, '2026-02-30', 'tomorrow', '24-11-2026'];
    case 'symbols': return [...empty, ',', 'A,,B', 'A@XYZ', 'A:0', 'A:x', 'A@NFO@NSE', 'A b', 'A,A', 'A:1001'];
    case 'buffer': return [...empty, '0%', '25%', '-1%', '0ticks', '2.5ticks', 'wide', '3'];
    case 'brokerage': return [...empty, 'abc', '-1', '20%:', '0.03%:x', '1.234', '101%', '20 rupees'];
    case 'alerts': return ['critical', 'critical:loud', 'nope:on', 'trade:on;feed:off'];
    case 'url': return [...empty, 'not a url', key === 'OPENALGO_WS_URL' ? 'http://127.0.0.1:8765' : 'ftp://127.0.0.1:5000', 'http://'];
    case 'string':
    case 'secret':
    case 'path': return spec.allowEmpty ? [] : ['', '   '];
  }
}

const TABLE = CONFIG_KEYS.flatMap((key) => badValues(key, SCHEMA[key] as FieldSpec).map((raw) => ({ key, raw })));
const SOURCES: Source[] = ['flag', 'env', '.env', 'store'];
const FLAG_KEYS = new Set(CONFIG_KEYS.filter((k) => SCHEMA[k].kind !== 'secret' && k !== 'TEST_MODE'));

function sourcesWith(key: ConfigKey, raw: string, source: Source): RawSources {
  const s: RawSources = { store: {}, dotenv: {}, env: {}, flags: {} };
  if (source === 'flag') s.flags[key] = raw;
  if (source === 'env') s.env[key] = raw;
  if (source === '.env') s.dotenv[key] = raw;
  if (source === 'store') s.store[key] = raw;
  return s;
}

describe('configuration: every field, every way wrong, every source', () => {
  it('the table covers every field of the schema that can be wrong', () => {
    const covered = new Set(TABLE.map((r) => r.key));
    for (const key of CONFIG_KEYS) if (!(SCHEMA[key] as FieldSpec).allowEmpty) expect(covered, key).toContain(key);
    expect(TABLE.length).toBeGreaterThan(100);
  });

  const cases = TABLE.flatMap(({ key, raw }) => SOURCES.filter((s) => s !== 'flag' || FLAG_KEYS.has(key)).map((source) => ({ key, raw, source })));
  it.each(cases)('resolveConfig: $key = "$raw" from $source is a ConfigError naming field, value and source', ({ key, raw, source }) => {
    let caught: unknown;
    try {
      resolveConfig(sourcesWith(key, raw, source));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).toContain(key);
    expect(message).toContain(showValue(key, raw));
    expect(message).toContain(describeSource(source));
    expect(message).not.toMatch(/\n/);
  });

  it('an inverted history range names the fields', () => {
    expect(() =>
      resolveConfig({ store: {}, dotenv: {}, flags: {}, env: { USE_HISTORY: 'true', HISTORY_START_DATE: '2026-02-01', HISTORY_END_DATE: '2026-01-01' } }),
    ).toThrow(/HISTORY_START_DATE.*HISTORY_END_DATE/);
  });

  // The CLI: exit code 1, exactly one line on stderr, no stack trace, nothing traded.
  const dir = tempDir('rs-badcfg-');
  const withDotenv = tempDir('rs-badcfg-dotenv-');
  async function cli(argv: string[], env: Record<string, string>, cwd = dir): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, env: { XDG_DATA_HOME: dir, ...env }, cwd, confCwd: dir });
    return { code, out, err };
  }
  function oneCleanLine(r: { code: number; out: string[]; err: string[] }, key: ConfigKey, raw: string, source: Source): void {
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    const line = r.err[0] as string;
    expect(line).toMatch(/^random-scalp: /);
    expect(line).toContain(key);
    expect(line).toContain(showValue(key, raw));
    expect(line).toContain(describeSource(source));
    expect(line).not.toMatch(/\n|\bat .*\(|Error:|node:internal/);
    expect(r.out).toEqual([]);
  }

  it.each(TABLE)('main(): $key = "$raw" in the environment → exit 1, one line, no stack', async ({ key, raw }) => {
    oneCleanLine(await cli([], { [key]: raw }), key, raw, 'env');
  });

  it.each(TABLE.filter((r) => FLAG_KEYS.has(r.key)))('main(): $key = "$raw" as a flag → exit 1, one line, no stack', async ({ key, raw }) => {
    oneCleanLine(await cli([flagName(key), raw], {}), key, raw, 'flag');
  });

  it.each(TABLE.filter((_, i) => i % 4 === 0))('main(): $key = "$raw" in .env → exit 1, one line, no stack', async ({ key, raw }) => {
    fs.writeFileSync(path.join(withDotenv, '.env'), `${key}="${raw}"\n`);
    oneCleanLine(await cli([], {}, withDotenv), key, raw, '.env');
  });

  it('main(): a bad PAPER_FAULTS spec → exit 1, one line naming the fault', async () => {
    const r = await cli(['--paper-faults', 'partialFill=2'], {});
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/partialFill/);
    expect(r.err[0]).not.toMatch(/\n|\bat .*\(/);
  });
});

// ---- broker responses ---------------------------------------------------------------------------

const KEY = 'BADINPUT-KEY-5c1d9e';

type Reply =
  | { status?: number; json: unknown }
  | { status?: number; text: string; type?: string }
  /** Headers sent, then the body stalls for ever. */
  | 'stall'
  /** A valid reply, but `bytes` long. */
  | { huge: 'json' | 'garbage'; bytes: number };

let server: http.Server;
let url = '';
let reply: Reply = { json: {} };
const sockets = new Set<import('node:net').Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const r = reply;
      if (r === 'stall') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"status":"success","data":');
        return; // never ends
      }
      if ('huge' in r) {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (r.huge === 'garbage') {
          res.end('x'.repeat(r.bytes));
        } else {
          const row = JSON.stringify({ symbol: 'NIFTY', exchange: 'NFO', product: 'MIS', action: 'BUY', quantity: 75, average_price: 100, trade_value: 7500, orderid: '1', timestamp: '09:15:03' });
          const n = Math.floor(r.bytes / (row.length + 1));
          res.end(`{"status":"success","data":[${new Array(n).fill(row).join(',')}]}`);
        }
        return;
      }
      if ('json' in r) {
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(r.json));
      } else {
        res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'text/html' });
        res.end(r.text);
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(): OpenAlgoClient {
  return new OpenAlgoClient({ host: url, apiKey: KEY, strategy: 'rs', timeoutMs: 400, readRetries: 0, ordersPerSecond: 1000, othersPerSecond: 1000, sleep: async () => {} });
}

const REQ = { symbol: 'NIFTY', exchange: 'NFO', action: 'BUY' as const, quantity: 75, priceType: 'MARKET' as const, product: 'MIS' };
const CALLS: Record<string, (c: OpenAlgoClient) => Promise<unknown>> = {
  placeorder: (c) => c.placeOrder(REQ),
  orderstatus: (c) => c.orderStatus('1'),
  orderbook: (c) => c.orderBook(),
  tradebook: (c) => c.tradeBook(),
  positionbook: (c) => c.positionBook(),
  quotes: (c) => c.quote('NIFTY', 'NFO'),
};

const HTML = '<!doctype html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>';
const row = { symbol: 'NIFTY', exchange: 'NFO', action: 'BUY', quantity: 75, price: 0, trigger_price: 0, pricetype: 'MARKET', product: 'MIS', orderid: '1', order_status: 'open', timestamp: '09:15:02', average_price: 0 };

/** Malformed answers, per call: each must become a typed BrokerError of one of `kinds`. */
const BAD: { name: string; call: keyof typeof CALLS; reply: Reply; kinds: BrokerErrorKind[] }[] = [
  // missing fields
  { name: 'placeorder success without orderid', call: 'placeorder', reply: { json: { status: 'success' } }, kinds: ['server'] },
  { name: 'orderstatus without data', call: 'orderstatus', reply: { json: { status: 'success' } }, kinds: ['server'] },
  { name: 'orderstatus row without action', call: 'orderstatus', reply: { json: { status: 'success', data: { ...row, action: undefined } } }, kinds: ['server'] },
  { name: 'quotes without ltp', call: 'quotes', reply: { json: { status: 'success', data: { bid: 1, ask: 2 } } }, kinds: ['server'] },
  { name: 'positionbook rows without quantity', call: 'positionbook', reply: { json: { status: 'success', data: [{ symbol: 'NIFTY', exchange: 'NFO' }] } }, kinds: ['server'] },
  { name: 'tradebook row without a price', call: 'tradebook', reply: { json: { status: 'success', data: [{ symbol: 'NIFTY', exchange: 'NFO', action: 'BUY', quantity: 75, orderid: '1' }] } }, kinds: ['server'] },
  // strings (and other types) where numbers belong
  { name: 'quotes ltp "abc"', call: 'quotes', reply: { json: { status: 'success', data: { ltp: 'abc' } } }, kinds: ['server'] },
  { name: 'orderstatus quantity "seventy-five"', call: 'orderstatus', reply: { json: { status: 'success', data: { ...row, quantity: 'seventy-five' } } }, kinds: ['server'] },
  { name: 'positionbook quantity {}', call: 'positionbook', reply: { json: { status: 'success', data: [{ symbol: 'NIFTY', exchange: 'NFO', quantity: {} }] } }, kinds: ['server'] },
  { name: 'orderstatus action "HOLD"', call: 'orderstatus', reply: { json: { status: 'success', data: { ...row, action: 'HOLD' } } }, kinds: ['server'] },
  { name: 'placeorder orderid {}', call: 'placeorder', reply: { json: { status: 'success', orderid: {} } }, kinds: ['server'] },
  { name: 'orderbook data a string', call: 'orderbook', reply: { json: { status: 'success', data: 'none' } }, kinds: ['server'] },
  { name: 'a JSON array for a body', call: 'positionbook', reply: { json: [1, 2, 3] }, kinds: ['server'] },
  { name: 'a JSON null for a body', call: 'quotes', reply: { json: null }, kinds: ['server'] },
  // HTML and empty bodies
  { name: 'HTML with 200', call: 'positionbook', reply: { text: HTML }, kinds: ['server'] },
  { name: 'HTML with 502 (a proxy)', call: 'orderstatus', reply: { status: 502, text: HTML }, kinds: ['server'] },
  { name: 'HTML with 504 on placeorder', call: 'placeorder', reply: { status: 504, text: HTML }, kinds: ['server'] },
  { name: 'an empty 200 body', call: 'tradebook', reply: { text: '', type: 'application/json' }, kinds: ['server'] },
  { name: 'an empty 500 body', call: 'orderbook', reply: { status: 500, text: '' }, kinds: ['server'] },
  { name: 'truncated JSON', call: 'quotes', reply: { text: '{"status":"success","data":{"ltp":10', type: 'application/json' }, kinds: ['server'] },
  // statuses
  { name: '403 in the middle of the day (session expired)', call: 'positionbook', reply: { status: 403, json: { status: 'error', message: 'Invalid openalgo apikey' } }, kinds: ['auth'] },
  { name: '429 with an HTML body', call: 'placeorder', reply: { status: 429, text: '<h1>Too Many Requests</h1>' }, kinds: ['rate_limited'] },
  { name: 'error envelope with a field map', call: 'placeorder', reply: { status: 400, json: { status: 'error', message: { quantity: ['Not a valid integer.'] } } }, kinds: ['rejected'] },
  // huge and unfinished bodies
  { name: '5 MB of garbage', call: 'positionbook', reply: { huge: 'garbage', bytes: 5 * 1024 * 1024 }, kinds: ['server', 'timeout'] },
  { name: 'a body that never finishes', call: 'orderbook', reply: 'stall', kinds: ['timeout'] },
  { name: 'a placeorder body that never finishes (outcome unknown)', call: 'placeorder', reply: 'stall', kinds: ['timeout'] },
];

describe('broker responses: malformed answers become typed errors, never crashes', () => {
  it.each(BAD)('$call: $name', async ({ call, reply: r, kinds }) => {
    reply = r;
    const c = client();
    let caught: unknown;
    try {
      await CALLS[call]?.(c);
    } catch (err) {
      caught = err;
    } finally {
      await c.close();
    }
    expect(caught, `no error for ${call}`).toBeInstanceOf(BrokerError);
    const err = caught as BrokerError;
    expect(kinds).toContain(err.kind);
    expect(err.message.length).toBeLessThan(600);
    for (const text of [err.message, err.stack ?? '', JSON.stringify(err)]) expect(text).not.toContain(KEY);
    if (err.kind === 'auth') expect(err.message).toBe(AUTH_MESSAGE);
  }, 30_000);

  it('a 5 MB well-formed trade book is read, not refused', async () => {
    reply = { huge: 'json', bytes: 5 * 1024 * 1024 };
    const c = new OpenAlgoClient({ host: url, apiKey: KEY, strategy: 'rs', timeoutMs: 10_000, readRetries: 0, sleep: async () => {} });
    try {
      const rows = await c.tradeBook();
      expect(rows.length).toBeGreaterThan(10_000);
      expect(rows[0]).toMatchObject({ orderId: '1', quantity: 75, price: 100 });
    } finally {
      await c.close();
    }
  }, 30_000);

  it('a huge error message is cut short and carries no key', async () => {
    reply = { status: 400, json: { status: 'error', message: `bad ${KEY} ${'y'.repeat(1_000_000)}` } };
    const c = client();
    let caught: unknown;
    try {
      await c.placeOrder(REQ);
    } catch (err) {
      caught = err;
    } finally {
      await c.close();
    }
    expect(caught).toBeInstanceOf(BrokerError);
    expect((caught as BrokerError).message.length).toBeLessThanOrEqual(300);
    expect((caught as BrokerError).message).not.toContain(KEY);
  });

  it('numeric strings where numbers belong are accepted as numbers', async () => {
    reply = { json: { status: 'success', data: [{ symbol: 'NIFTY', exchange: 'NFO', product: 'MIS', quantity: '150', average_price: '101.25', ltp: '102' }] } };
    const c = client();
    try {
      expect(await c.positionBook()).toEqual([{ symbol: 'NIFTY', exchange: 'NFO', product: 'MIS', quantity: 150, averagePrice: 101.25, ltp: 102 }]);
    } finally {
      await c.close();
    }
  });
});

// ---- the broker going away or refusing mid-day (engine on fake time) ---------------------------

/** A broker that, while `mode` says so, answers every call with that failure. */
function switchable(b: Broker, mode: { now: 'ok' | 'expired' | 'down'; refused?: Record<string, number> }): Broker {
  const fail = (name: string): never => {
    mode.refused ??= {};
    mode.refused[name] = (mode.refused[name] ?? 0) + 1;
    if (mode.now === 'expired') throw new BrokerError('auth', AUTH_MESSAGE, 403);
    throw new BrokerError('not_sent', 'placeorder: could not reach the server (ECONNREFUSED)');
  };
  const wrapped = Object.create(b) as Broker;
  for (const name of ['placeOrder', 'orderStatus', 'cancelOrder', 'modifyOrder', 'orderBook', 'tradeBook', 'positionBook', 'quote', 'searchInstrument', 'health'] as const) {
    const original = (b[name] as (...a: unknown[]) => Promise<unknown>).bind(b);
    (wrapped as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => (mode.now === 'ok' ? original(...args) : fail(name));
  }
  return wrapped;
}

describe('the broker mid-day', () => {
  for (const [what, kind, held] of [
    ['the session expires (403)', 'expired', /session/],
    ['OpenAlgo goes down', 'down', /broker unreachable/],
  ] as const) {
    it(`${what}: entries held, protection keeps polling, nothing cancelled or sold; trading resumes after`, async () => {
      const mode: { now: 'ok' | 'expired' | 'down'; refused?: Record<string, number> } = { now: 'ok' };
      const s = await scenario({ wrap: (b) => switchable(b, mode) });
      await enterAndProtect(s);
      const sentBefore = s.broker.placedOrders.length;
      const cancelsBefore = s.broker.cancelRequests.length;
      mode.now = kind;
      // The target is reached at the broker while the bot cannot see it.
      s.market.setPrice(102.1);
      await s.clock.advance(3 * 60_000);
      expect(s.store.getState().entriesHeld).toMatch(held);
      expect(s.logs().some((l) => /entry skipped/.test(l))).toBe(true);
      expect(s.broker.placedOrders.length).toBe(sentBefore);
      expect(s.broker.cancelRequests.length).toBe(cancelsBefore);
      // Protection kept running: the legs were read every poll (and refused) all along.
      const legReads = (mode.refused?.orderStatus ?? 0) + (mode.refused?.orderBook ?? 0);
      expect(legReads).toBeGreaterThanOrEqual(150);
      expect(mode.refused?.positionBook ?? 0).toBeGreaterThan(0);
      // Nothing was read as flat or lost: the position and both legs are still the engine's.
      expect(s.store.getState().position.held).toBe(150);
      expect(s.engine.state.orders.filter((o) => o.role === 'target' || o.role === 'stop').every((o) => o.phase === 'working')).toBe(true);
      mode.now = 'ok';
      await s.clock.advanceUntil(() => s.store.getState().tradesToday.length === 1, 10_000);
      expect(s.store.getState().tradesToday[0]?.reason).toBe('target');
      expect(s.store.getState().entriesHeld).toBeNull();
      // The next signal enters again.
      const buys = (): number => s.broker.placedOrders.filter((o) => o.request.action === 'BUY').length;
      await s.clock.advanceUntil(() => buys() === 2, 70_000);
      expect(buys()).toBe(2);
      expect(s.broker.netQuantity()).toBeGreaterThanOrEqual(0);
    });
  }

  it('OpenAlgo down at start: the CLI exits 2 with a clear message', async () => {
    ensureBuilt();
    const dir = tempDir('rs-down-');
    const port = await freePort();
    const bot = start(['--live', '--headless'], {
      OPENALGO_API_HOST: `http://127.0.0.1:${port}`,
      OPENALGO_API_KEY: KEY,
      SYMBOL: 'NIFTY28NOV2525000CE',
      STATE_DIR: dir,
      XDG_CONFIG_HOME: dir,
      API_TIMEOUT_SECONDS: '2',
    });
    const { code } = await bot.exited;
    expect(code).toBe(2);
    expect(bot.stderr().trim().split('\n')).toHaveLength(1);
    expect(bot.stderr()).toMatch(/^random-scalp: cannot reach the broker .*could not reach the server/);
    expect(bot.output()).not.toContain(KEY);
    expect(bot.output()).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  }, 30_000);
});

// ---- the wall clock jumping -------------------------------------------------------------------

describe('the wall clock jumps', () => {
  it('forward an hour: no duplicate entries, each signal acted on once', async () => {
    const s = await scenario();
    await enterAndProtect(s);
    s.engine.togglePause();
    s.engine.togglePause();
    s.clock.jump(3_600_000);
    await s.clock.advance(5 * 60_000);
    const entries = s.broker.placedOrders.filter((o) => o.request.action === 'BUY' && o.request.priceType === 'MARKET' && o.outcome === 'placed');
    // Every entry belongs to a different bar, and no bar close was acted on twice.
    const bars = entries.map((o) => Math.floor(o.at / 60_000));
    expect(new Set(bars).size).toBe(bars.length);
    const signals = s.logs().filter((l) => l.includes('[SIGNAL]')).map((l) => /bar close (\S+ \S+) IST/.exec(l)?.[1]);
    expect(signals.length).toBeGreaterThan(3);
    expect(new Set(signals).size).toBe(signals.length);
    expect(s.broker.netQuantity()).toBe(150);
    expect(s.broker.netQuantity()).toBeGreaterThanOrEqual(0);
  });

  it('across square-off: the position is still squared off and nothing enters after', async () => {
    const s = await scenario({ start: '2026-11-24T15:00:00' });
    await enterAndProtect(s);
    expect(s.broker.netQuantity()).toBe(150);
    s.clock.jump(ist('2026-11-24T15:40:00') - s.clock.now());
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'flat', 60_000);
    expect(s.broker.netQuantity()).toBe(0);
    expect(s.engine.state.squaredOffDay).toBe(istParts(s.clock.now()).day);
    expect(s.store.getState().tradesToday.at(-1)?.reason).toBe('square_off');
    const count = s.broker.placedOrders.length;
    await s.clock.advance(10 * 60_000);
    expect(s.broker.placedOrders.length).toBe(count);
    expect(s.store.getState().entriesHeld).toBe('after square-off');
  });
});
