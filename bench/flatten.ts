// Flatten latency: from engine.flatten() to the market SELL arriving at the broker (the paper
// broker's placedOrders[].at, stamped in the paper-server process; both processes read the same
// system clock). Each sample: wait until long and protected, wait a random 0–1 s (a random phase
// against the OCO, quote and reconcile loops, which can hold the engine's lock), flatten, wait
// flat, resume entries. Baseline: one placeorder round trip through the same client code.

import { OpenAlgoClient } from '../src/broker/openalgo/client.js';
import type { RpcChild } from './lib/ipc.js';
import { createMarket, startEngine, type BenchEngine, type MarketHandle } from './lib/engine-on-server.js';
import { log, rng, sleep, waitForStore } from './lib/util.js';

export interface FlattenResult {
  /** flatten() → market SELL received by the broker, ms. */
  toSellMs: number[];
  /** flatten() → the engine shows flat (SELL confirmed by its status poll), ms. */
  toFlatMs: number[];
  invalid: string[];
  /** Client calls around the slowest samples (time from flatten() in ms: call name (round trip)). */
  slow: string[];
  wallMs: number;
}

interface Snapshot {
  placed: { at: number; orderId: string | null; action: string; priceType: string; outcome: string }[];
}

async function sampleLoop(host: RpcChild, be: BenchEngine, samples: number, deadline: number, seed: number, out: FlattenResult): Promise<void> {
  const random = rng(seed);
  const { store, engine, market } = be;
  for (let k = 0; k < samples && Date.now() < deadline; k++) {
    try {
      await waitForStore(store, (s) => s.position.phase === 'protected', 20_000, 'protected');
      await sleep(random.next() * 1000);
      const t0 = Date.now();
      const p0 = performance.now();
      engine.flatten();
      await waitForStore(store, (s) => s.position.phase === 'flat' && s.shutdown.phase === 'idle', 15_000, 'flat after flatten');
      const flatMs = performance.now() - p0;
      const snap = await host.call<Snapshot>('snapshot', { id: market.id });
      const sell = snap.placed.find((o) => o.at >= t0 && o.action === 'SELL' && o.priceType === 'MARKET');
      if (!sell) {
        out.invalid.push('no market SELL after flatten');
      } else {
        out.toSellMs.push(sell.at - t0);
        out.toFlatMs.push(flatMs);
        if (sell.at - t0 > 100 && out.slow.length < 5) {
          // What the client did around a slow one (calls complete at `at`; rate-limiter waits are not in rttMs).
          const calls = be.calls.filter((c) => c.at >= t0 - 1000 && c.at <= sell.at + 50).map((c) => `${c.at - t0}:${c.name}${c.ok ? '' : '!'}(${Math.round(c.rttMs)})`);
          out.slow.push(`${sell.at - t0} ms: ${calls.join(' ')}`);
        }
      }
      // flatten() pauses new entries: resume them for the next sample.
      await sleep(20);
      if (store.getState().paused) engine.togglePause();
    } catch (err) {
      out.invalid.push(err instanceof Error ? err.message : String(err));
      if (store.getState().paused) engine.togglePause();
    }
  }
}

export async function measureFlatten(host: RpcChild, o: { samples: number; engines: number; seed: number; budgetMs: number }): Promise<FlattenResult> {
  const started = Date.now();
  const out: FlattenResult = { toSellMs: [], toFlatMs: [], invalid: [], slow: [], wallMs: 0 };
  const engines: BenchEngine[] = [];
  for (let i = 0; i < o.engines; i++) {
    const market = await createMarket(host, { seed: 100 + o.seed + i, freeze: true });
    engines.push(await startEngine(market, { INTERVAL: '1s' }));
  }
  const per = Math.ceil(o.samples / o.engines);
  const deadline = started + o.budgetMs;
  await Promise.all(engines.map((be, i) => sampleLoop(host, be, per, deadline, o.seed * 17 + i, out)));
  await Promise.all(engines.map((be) => be.stop()));
  out.wallMs = Date.now() - started;
  if (out.invalid.length > 0) log(`flatten: ${out.invalid.length} samples lost: ${[...new Set(out.invalid)].slice(0, 3).join('; ')}`);
  return out;
}

export interface RttResult {
  placeOrderMs: number[];
  quoteMs: number[];
}

/**
 * The loopback baseline: single calls through OpenAlgoClient to a paper server (rate limits off
 * on both sides so nothing queues). placeorder is a BUY LIMIT far below the market: it rests.
 */
export async function measureRtt(host: RpcChild, reps: number): Promise<RttResult> {
  const market: MarketHandle = await createMarket(host, { seed: 999, freeze: true, rateLimit: false });
  const client = new OpenAlgoClient({
    host: market.url,
    apiKey: market.apiKey,
    strategy: 'bench',
    timeoutMs: 10_000,
    ordersPerSecond: 1_000_000,
    othersPerSecond: 1_000_000,
  });
  const out: RttResult = { placeOrderMs: [], quoteMs: [] };
  const order = { symbol: market.symbol, exchange: market.exchange, action: 'BUY' as const, quantity: 65, priceType: 'LIMIT' as const, product: 'MIS', price: 50 };
  for (let i = 0; i < 20; i++) await client.quote(market.symbol, market.exchange); // warm-up
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    await client.quote(market.symbol, market.exchange);
    out.quoteMs.push(performance.now() - t);
    t = performance.now();
    await client.placeOrder(order);
    out.placeOrderMs.push(performance.now() - t);
  }
  await client.close();
  await host.call('close', { id: market.id });
  return out;
}
