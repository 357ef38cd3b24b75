// Real processes for the fault suites: the compiled CLI (bin/random-scalp.js) as a child, its
// output collected line by line, waits driven by output (never fixed sleeps), and plain HTTP
// calls to a paper-server.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/random-scalp.js');

/** Build dist/ if it is missing (the global setup normally builds it before any test). */
export function ensureBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  // The launcher prefers the bundle when there is one; build it too when the project can.
  const bundle = path.join(ROOT, 'scripts/bundle.mjs');
  if (fs.existsSync(bundle)) execFileSync(process.execPath, [bundle], { cwd: ROOT, stdio: 'inherit' });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Child {
  child: ChildProcess;
  /** stdout and stderr, interleaved as received. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in the output after `from` (a character offset). */
  waitFor(pattern: RegExp, opts?: { from?: number; timeoutMs?: number }): Promise<{ match: RegExpMatchArray; end: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

export function start(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    all += d.toString();
    for (const l of [...listeners]) l();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    all += d.toString();
    for (const l of [...listeners]) l();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const l of [...listeners]) l();
    }),
  );
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  return {
    child,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal) => {
      if (!dead) child.kill(signal);
    },
    waitFor: (pattern, opts = {}) =>
      new Promise((resolve, reject) => {
        const from = opts.from ?? 0;
        const check = (): boolean => {
          const rest = all.slice(from);
          const m = rest.match(pattern);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve({ match: m, end: from + (m.index ?? 0) + m[0].length });
            return true;
          }
          if (dead) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`process exited while waiting for ${pattern}; output:\n${all.slice(-4000)}`));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output:\n${all.slice(-4000)}`));
        }, opts.timeoutMs ?? 20_000);
        if (!check()) listeners.add(check);
      }),
  };
}

/** A free loopback port (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The line paper-server prints once it listens: its HTTP URL and, when served, its WebSocket feed's. */
export const PAPER_SERVER_LISTENING = /listening on (http:\/\/[^\s,]+)(?:, WebSocket feed on (ws:\/\/\S+))?/;

/** `random-scalp paper-server` on free ports (HTTP and feed); resolves once it listens. */
export async function startPaperServer(key: string, extra: string[] = []): Promise<{ server: Child; url: string; wsUrl: string }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const server = start(['paper-server', '--port', String(port), '--ws-port', '0', ...extra], { OPENALGO_API_KEY: key });
    try {
      const { match } = await server.waitFor(PAPER_SERVER_LISTENING, { timeoutMs: 15_000 });
      return { server, url: match[1] as string, wsUrl: match[2] ?? '' };
    } catch (err) {
      server.kill('SIGKILL');
      if (attempt >= 2) throw err;
    }
  }
}

/** One OpenAlgo call to a server, as plain HTTP. */
export async function api<T = unknown>(url: string, name: string, body: Record<string, unknown>): Promise<{ status: number; json: T }> {
  const res = await fetch(`${url}/api/v1/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.status, json: (await res.json()) as T };
}

export interface BookRow {
  orderid: string;
  action: 'BUY' | 'SELL';
  quantity: number;
  pricetype: string;
  order_status: string;
  symbol: string;
}

export interface TradeRowJson {
  orderid: string;
  action: 'BUY' | 'SELL';
  quantity: number;
  average_price: number;
  symbol: string;
}

/** The account as the server shows it: net quantity, working orders with what is left of each, fills. */
export async function account(url: string, key: string, symbol: string): Promise<{
  net: number;
  working: (BookRow & { left: number })[];
  trades: TradeRowJson[];
}> {
  const pos = await api<{ data: { symbol: string; quantity: number }[] }>(url, 'positionbook', { apikey: key });
  const book = await api<{ data: { orders: BookRow[] } }>(url, 'orderbook', { apikey: key });
  const trades = await api<{ data: TradeRowJson[] }>(url, 'tradebook', { apikey: key });
  const filled = new Map<string, number>();
  for (const t of trades.json.data) filled.set(t.orderid, (filled.get(t.orderid) ?? 0) + Number(t.quantity));
  const net = pos.json.data.filter((p) => p.symbol === symbol).reduce((n, p) => n + Number(p.quantity), 0);
  const working = book.json.data.orders
    .filter((o) => o.symbol === symbol && /^(open|trigger pending)$/i.test(o.order_status))
    .map((o) => ({ ...o, quantity: Number(o.quantity), left: Number(o.quantity) - (filled.get(o.orderid) ?? 0) }));
  return { net, working, trades: trades.json.data.filter((t) => t.symbol === symbol) };
}

/**
 * Environment for the CLI trading a paper-server live and fast: always-open session, 5 s bars,
 * tight legs so exits come within seconds, reconcile every 2 s, state and config in `dir`.
 */
export function fastLiveEnv(url: string, key: string, symbol: string, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPENALGO_API_HOST: url,
    OPENALGO_API_KEY: key,
    SYMBOL: symbol,
    INTERVAL: '5s',
    SESSION_WINDOWS: '00:00-23:59',
    SQUARE_OFF_TIME: '23:59',
    TRADE_WEEKENDS: 'true',
    RECONCILE_SECONDS: '2',
    PROFIT_TARGET_RUPEES: '0.5',
    STOP_LOSS_RUPEES: '0.5',
    STATE_DIR: dir,
    XDG_CONFIG_HOME: dir,
    ...extra,
  };
}
