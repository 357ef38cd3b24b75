// A real Engine, with its store and logger, trading through the real HTTP client (OpenAlgoClient)
// against one market of the paper-server host — wired the way src/cli/run.ts wires a live run,
// with the configuration's own defaults (paper mode) unless a flag overrides them.

import { OpenAlgoClient, type CallInfo } from '../../src/broker/openalgo/client.js';
import { resolveConfig, type ResolvedConfig } from '../../src/config/resolve.js';
import type { ConfigKey } from '../../src/config/schema.js';
import { engineSettings } from '../../src/config/settings.js';
import { systemClock } from '../../src/time/clock.js';
import { Engine } from '../../src/engine/engine.js';
import { MemoryStateFile } from '../../src/engine/persistence.js';
import type { EngineState } from '../../src/engine/state.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startJournal, type Journal } from '../../src/journal/journal.js';
import { createLogger } from '../../src/log/logger.js';
import { createAppStore, type AppStore } from '../../src/store/store.js';
import type { RpcChild } from './ipc.js';
import { waitForStore, withTimeout } from './util.js';
import { OpenAlgoFeed } from '../../src/broker/openalgo/feed-client.js';
import type { FeedMode } from '../../src/broker/feed.js';

export interface MarketHandle {
  id: number;
  url: string;
  /** The market's WebSocket feed, when it was created with one. */
  wsUrl: string | null;
  apiKey: string;
  symbol: string;
  exchange: string;
}

export interface BenchEngine {
  market: MarketHandle;
  engine: Engine;
  store: AppStore;
  client: OpenAlgoClient;
  /** Every HTTP attempt the client made (client side), with the time it completed. */
  calls: (CallInfo & { at: number })[];
  stop(): Promise<void>;
}

export async function createMarket(host: RpcChild, opts: { seed: number; rateLimit?: boolean; freeze?: boolean; feed?: boolean; symbols?: string[] }): Promise<MarketHandle> {
  return host.call<MarketHandle>('create', opts);
}

/** BENCH_ENGINE_FLAGS='{"OTHER_RATE_PER_SECOND":"50"}': settings laid over every bench engine's (for experiments). */
function extraFlags(): Partial<Record<ConfigKey, string>> {
  const raw = process.env.BENCH_ENGINE_FLAGS;
  if (!raw) return {};
  return JSON.parse(raw) as Partial<Record<ConfigKey, string>>;
}

/** BENCH_JOURNAL=1 (`npm run bench -- --journal`): every engine also writes the SQLite journal, as a run does. */
function benchJournal(market: MarketHandle, log: ReturnType<typeof createLogger>): Journal | null {
  if (process.env.BENCH_JOURNAL !== '1') return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-bench-journal-'));
  return startJournal({
    file: path.join(dir, 'journal-paper.sqlite'),
    session: { startedAt: Date.now(), mode: 'paper', exchange: market.exchange, symbol: market.symbol, settingsHash: 'bench', pid: process.pid },
    recoveredTrades: [],
    log,
    now: () => Date.now(),
  });
}

/** The real HTTP client for `market` with the configuration's limits, as a run makes it; every attempt lands in `calls`. */
export function benchClient(market: MarketHandle, c: ResolvedConfig['config'], calls: (CallInfo & { at: number })[], several = false): OpenAlgoClient {
  return new OpenAlgoClient({
    // As the CLI builds it (src/cli/run.ts): several instruments spread the order routes evenly.
    evenOrders: several,
    host: market.url,
    apiKey: market.apiKey,
    strategy: c.STRATEGY_NAME,
    timeoutMs: Math.round(c.API_TIMEOUT_SECONDS * 1000),
    ordersPerSecond: c.ORDER_RATE_PER_SECOND,
    othersPerSecond: c.OTHER_RATE_PER_SECOND,
    onCall: (info) => calls.push({ ...info, at: Date.now() }),
  });
}

/** BENCH_ENGINE_FLAGS laid over `flags`: what every bench engine's configuration is resolved from. */
export function benchFlags(flags: Partial<Record<ConfigKey, string>>): Partial<Record<ConfigKey, string>> {
  return { LOG_TO_FILE: 'false', PERSIST_STATE: 'false', ...flags, ...extraFlags() };
}

/** Start an engine on `market` with the paper defaults plus `flags` (config keys → raw values). */
export async function startEngine(market: MarketHandle, flags: Partial<Record<ConfigKey, string>> = {}): Promise<BenchEngine> {
  const resolved = resolveConfig({
    store: {},
    dotenv: {},
    env: {},
    flags: benchFlags({ SYMBOL: market.symbol, EXCHANGE: market.exchange, ...flags }),
    modeFlag: 'paper',
  });
  const c = resolved.config;
  const calls: (CallInfo & { at: number })[] = [];
  const client = benchClient(market, c, calls);
  const store = createAppStore();
  store.getState().configured({
    mode: 'paper',
    brokerLabel: client.label,
    symbol: market.symbol,
    exchange: market.exchange,
    product: c.PRODUCT,
    lots: c.LOTS,
    marketOnTarget: c.ENABLE_MARKET_ON_TARGET,
  });
  const log = createLogger({ store, clock: systemClock, secrets: [market.apiKey] });
  // On push when the market serves a feed (FEED=auto, as a live run): the real WebSocket client.
  const feed = market.wsUrl && c.FEED !== 'poll' ? new OpenAlgoFeed({ url: market.wsUrl, apiKey: market.apiKey, clock: systemClock }) : null;
  const journal = benchJournal(market, log);
  const engine = new Engine({
    ...(feed ? { feed, feedMode: c.FEED as FeedMode, safetyPollMs: Math.round(c.FEED_SAFETY_POLL_SECONDS * 1000) } : {}),
    broker: client,
    clock: systemClock,
    store,
    log,
    settings: engineSettings(c),
    stateFile: new MemoryStateFile<EngineState>(),
    marketOnTarget: c.ENABLE_MARKET_ON_TARGET,
    failClosedOnUnknownSymbol: false,
    ...(journal ? { observers: [journal.observe] } : {}),
  });
  await engine.start();
  if (feed) await waitForStore(store, (s) => s.feed?.ordersTrusted === true, 10_000, 'feed live');
  return {
    market,
    engine,
    store,
    client,
    calls,
    stop: async () => {
      try {
        await withTimeout(engine.shutdown(), 40_000, 'engine shutdown');
      } catch {
        engine.abandon();
      }
      journal?.close(0, Date.now());
      await log.close();
      await client.close();
    },
  };
}
