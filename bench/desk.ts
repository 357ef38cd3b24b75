// Several instruments in one process (issue 14), against one instrument, in the same run: a desk
// of 4 and a desk of 1, each wired by assembleDesk exactly as the CLI wires SYMBOLS (one process-
// wide real HTTP client with its rate limiter per route, shared book reads, aligned polls, the
// account guard), each on its own paper-server of one account (4 markets, or 1), frozen markets.
//
// 1. Broker calls per minute with every instrument in position (both legs working, nothing
//    fills), counted at the server by route, as broker-calls.ts counts one engine's: 4 against 1.
//    Polling only, and on the push feed (the desk's one WebSocket connection).
// 2. OCO reaction per instrument (fill at the broker → cancel request for the sibling, both on
//    the server's clock) with all 4 instruments sampling at once, against the desk of 1 sampling
//    beside it: the sampling is oco.ts's, on each instrument's own market.

import type { ConfigKey } from '../src/config/schema.js';
import { resolveConfig } from '../src/config/resolve.js';
import { tradedInstruments, type TradedInstrument } from '../src/config/instruments.js';
import type { CallInfo } from '../src/broker/openalgo/client.js';
import { assembleDesk, type Desk } from '../src/desk/assemble.js';
import { OpenAlgoFeed } from '../src/broker/openalgo/feed-client.js';
import { systemClock } from '../src/time/clock.js';
import type { RpcChild } from './lib/ipc.js';
import { benchClient, benchFlags, createMarket, type BenchEngine, type MarketHandle } from './lib/engine-on-server.js';
import { sleep, waitForStore, withTimeout } from './lib/util.js';
import { steady, type Steady } from './broker-calls.js';
import { sampleLoop, type OcoResult } from './oco.js';
import type { Hit } from './server-child.js';

/** The desk bench's instruments: the call and the put of two strikes (paper markets of their own). */
export const DESK_SYMBOLS = ['NIFTY25000CE', 'NIFTY25000PE', 'NIFTY25100CE', 'NIFTY25100PE'] as const;

export interface DeskSide {
  instruments: number;
  calls: Steady;
  /** 429 answers from this desk's server over the whole part, and by route. */
  status429: number;
  status429ByRoute: Record<string, number>;
  /** OCO reaction samples per instrument, ms. */
  reactionMs: Record<string, number[]>;
  lost: string[];
  /** Book reads the engines asked for and the broker was sent (several instruments only). */
  sharedReads: { asked: number; sent: number } | null;
}

export interface DeskResult {
  /** On the push feed (one WebSocket connection per desk), else polling only. */
  feed: boolean;
  one: DeskSide;
  four: DeskSide;
  windowMs: number;
  wallMs: number;
}

interface RunningDesk {
  market: MarketHandle;
  desk: Desk;
  members: BenchEngine[];
  stop(): Promise<void>;
}

async function startDesk(host: RpcChild, symbols: readonly string[], seed: number, flags: Partial<Record<ConfigKey, string>>, onFeed: boolean): Promise<RunningDesk> {
  const market = await createMarket(host, { seed, freeze: true, symbols: [...symbols], feed: onFeed });
  const resolved = resolveConfig({
    store: {},
    dotenv: {},
    env: {},
    flags: benchFlags({ SYMBOLS: symbols.join(','), EXCHANGE: market.exchange, JOURNAL: 'false', ...flags }),
    modeFlag: 'paper',
  });
  const traded = tradedInstruments(resolved.config) as TradedInstrument[];
  const calls: (CallInfo & { at: number })[] = [];
  const client = benchClient(market, resolved.config, calls, traded.length > 1);
  // On push: the real WebSocket client, one connection for every instrument (the desk's FeedHub).
  const feed = market.wsUrl ? new OpenAlgoFeed({ url: market.wsUrl, apiKey: market.apiKey, clock: systemClock }) : null;
  const desk = assembleDesk({ resolved, traded, clock: systemClock, broker: client, ...(feed ? { feed } : {}), headless: false, stdout: process.stdout, secrets: [market.apiKey] });
  await Promise.all(desk.runs.map((r) => r.engine.start()));
  if (feed) await Promise.all(desk.runs.map((r) => waitForStore(r.store, (s) => s.feed?.ordersTrusted === true, 10_000, `${r.instrument.key} feed live`)));
  const members = desk.runs.map((r) => ({
    market: { ...market, symbol: r.instrument.symbol },
    engine: r.engine,
    store: r.store,
    client,
    calls,
    stop: async () => {},
  }));
  return {
    market,
    desk,
    members,
    stop: async () => {
      await Promise.all(
        desk.runs.map(async (r) => {
          try {
            await withTimeout(r.engine.shutdown(), 40_000, 'engine shutdown');
          } catch {
            r.engine.abandon();
          }
          await r.log.close();
        }),
      );
      await client.close();
    },
  };
}

export async function measureDesk(host: RpcChild, o: { windowMs: number; samples: number; budgetMs: number; seed: number; feed?: boolean }): Promise<DeskResult> {
  const started = Date.now();
  const flags = { INTERVAL: '1s' };
  const onFeed = o.feed ?? false;
  const [one, four] = await Promise.all([startDesk(host, DESK_SYMBOLS.slice(0, 1), 400 + o.seed, flags, onFeed), startDesk(host, DESK_SYMBOLS, 500 + o.seed, flags, onFeed)]);
  try {
    const all = [...one.members, ...four.members];
    await Promise.all(all.map((m) => waitForStore(m.store, (s) => s.position.phase === 'protected', 30_000, `${m.market.symbol} protected`)));
    await sleep(1500); // past the entries' own calls
    const reads0 = four.desk.shared ? { ...four.desk.shared.counts } : null;
    const a0 = Date.now();
    await sleep(o.windowMs);
    const a1 = Date.now();
    const reads1 = four.desk.shared ? { ...four.desk.shared.counts } : null;
    const stillInPosition = all.filter((m) => m.store.getState().position.phase !== 'protected').map((m) => m.market.symbol);
    const lost: string[] = stillInPosition.length > 0 ? [`left protected during the calls window: ${stillInPosition.join(', ')}`] : [];

    // OCO: every instrument of both desks samples at once, each on its own market.
    const deadline = Date.now() + o.budgetMs;
    const results = new Map<BenchEngine, OcoResult>();
    await Promise.all(
      all.map((m, i) => {
        const out: OcoResult = { side: 'long', feed: onFeed, pollMs: 1000, engines: 1, reactionMs: [], windowMs: [], invalid: [], wallMs: 0 };
        results.set(m, out);
        return sampleLoop(host, m, 1000, o.samples, deadline, o.seed * 131 + i, out);
      }),
    );
    const hits = await host.call<Record<number, Hit[]>>('hits', {});
    const side = (d: RunningDesk, reads: { asked: number; sent: number } | null): DeskSide => {
      const h = hits[d.market.id] ?? [];
      const reactionMs: Record<string, number[]> = {};
      const lostHere = [...lost];
      for (const m of d.members) {
        const r = results.get(m);
        reactionMs[m.market.symbol] = r?.reactionMs ?? [];
        if (r && r.invalid.length > 0) lostHere.push(`${m.market.symbol}: ${r.invalid.length} lost (${[...new Set(r.invalid)].slice(0, 2).join('; ')})`);
      }
      const limited = h.filter((x) => x.status === 429);
      const status429ByRoute: Record<string, number> = {};
      for (const x of limited) status429ByRoute[x.route] = (status429ByRoute[x.route] ?? 0) + 1;
      return { instruments: d.members.length, calls: steady(h, a0, a1), status429: limited.length, status429ByRoute, reactionMs, lost: lostHere, sharedReads: reads };
    };
    const reads = reads0 && reads1 ? { asked: reads1.asked - reads0.asked, sent: reads1.sent - reads0.sent } : null;
    return { feed: onFeed, one: side(one, null), four: side(four, reads), windowMs: o.windowMs, wallMs: Date.now() - started };
  } finally {
    await Promise.all([one.stop(), four.stop()]);
  }
}
