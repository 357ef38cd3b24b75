// OCO reaction: from a leg's fill at the broker to the cancel request for its sibling arriving at
// the broker, both stamped by the paper broker (trade time, cancelRequests[].at) in the
// paper-server process. Fills are driven deterministically: the market is frozen, and once both
// legs work the bench moves the price onto one leg (after a random delay, so the fill lands at a
// random phase of the engine's OCO poll). Pattern target, stop, stop keeps the price level.
//
// Also the over-exit window: how long, after a leg filled, the sibling still worked at the
// broker for a quantity no longer held (until its cancel took effect).

import type { ConfigKey } from '../src/config/schema.js';
import { activeLeg } from '../src/engine/state.js';
import type { RpcChild } from './lib/ipc.js';
import { createMarket, startEngine, type BenchEngine } from './lib/engine-on-server.js';
import { log, rng, sleep, waitForStore } from './lib/util.js';

export interface OcoResult {
  feed: boolean;
  side: 'long' | 'short';
  pollMs: number;
  engines: number;
  /** Fill → sibling cancel request, ms. */
  reactionMs: number[];
  /** Fill → sibling cancelled at the broker (the over-exit window), ms. */
  windowMs: number[];
  /** Samples lost (no fill, no cancel, timeout), with why. */
  invalid: string[];
  wallMs: number;
}

interface Snapshot {
  placed: { at: number; orderId: string | null; action: string; priceType: string; outcome: string }[];
  cancels: { at: number; orderId: string; outcome: string }[];
  trades: { orderId: string; timestamp: number | null }[];
}

interface Fired {
  at: number;
  fills: { orderId: string; timestamp: number | null }[];
}

const PATTERN = ['target', 'stop', 'stop'] as const;

export async function sampleLoop(
  host: RpcChild,
  be: BenchEngine,
  pollMs: number,
  samples: number,
  deadline: number,
  seed: number,
  out: OcoResult,
): Promise<void> {
  const random = rng(seed);
  const { store, engine, market } = be;
  for (let k = 0; k < samples && Date.now() < deadline; k++) {
    try {
      await waitForStore(store, (s) => s.position.phase === 'protected', 20_000, 'protected');
      const target = activeLeg(engine.state, 'target');
      const stop = activeLeg(engine.state, 'stop');
      if (!target?.orderId || !stop?.orderId || target.phase !== 'working' || stop.phase !== 'working') {
        out.invalid.push('legs not both working when protected');
        await sleep(200);
        continue;
      }
      // A random phase against the OCO poll.
      await sleep(random.next() * pollMs);
      if (engine.state.phase !== 'protected') {
        out.invalid.push(`phase changed to ${engine.state.phase} before the fill`);
        continue;
      }
      const which = PATTERN[k % PATTERN.length];
      const leg = which === 'target' ? target : stop;
      const sibling = which === 'target' ? stop : target;
      const price = which === 'target' ? leg.request.price : leg.request.triggerPrice;
      if (price === undefined) throw new Error(`${which} leg without a price`);
      const fired = await host.call<Fired>('setPrice', { id: market.id, price, symbol: market.symbol });
      const fill = fired.fills.find((f) => f.orderId === leg.orderId);
      if (!fill || fill.timestamp === null) {
        out.invalid.push(`${which} did not fill at ${price}`);
        continue;
      }
      await waitForStore(store, (s) => s.position.phase === 'flat', pollMs * 3 + 10_000, 'flat after the fill');
      const snap = await host.call<Snapshot>('snapshot', { id: market.id });
      const cancels = snap.cancels.filter((c) => c.orderId === sibling.orderId && c.at >= (fill.timestamp as number));
      const first = cancels[0];
      const effective = cancels.find((c) => c.outcome === 'cancelled');
      if (!first || !effective) {
        out.invalid.push(`no cancel of the sibling ${sibling.orderId}`);
        continue;
      }
      out.reactionMs.push(first.at - (fill.timestamp as number));
      out.windowMs.push(effective.at - (fill.timestamp as number));
    } catch (err) {
      out.invalid.push(err instanceof Error ? err.message : String(err));
    }
  }
}

export interface OcoOptions {
  pollMs: number;
  samples: number;
  engines: number;
  seed: number;
  /** Give up on samples still missing after this long. */
  budgetMs: number;
  /** On the push feed (the real WebSocket client against paper-server's feed). */
  feed?: boolean;
  /** DIRECTION=short (the option written: ALLOW_OPTION_WRITING): the same legs, mirrored. */
  side?: 'long' | 'short';
  /** Busy: a safety poll and a reconciliation every second, so fills land while they run (the lock is held across their reads). */
  busy?: boolean;
}

/** Run `engines` engines in parallel, each on its own frozen market, until `samples` reactions are measured. */
export async function measureOco(host: RpcChild, o: OcoOptions): Promise<OcoResult> {
  const started = Date.now();
  const out: OcoResult = { feed: o.feed ?? false, side: o.side ?? 'long', pollMs: o.pollMs, engines: o.engines, reactionMs: [], windowMs: [], invalid: [], wallMs: 0 };
  const flags: Partial<Record<ConfigKey, string>> = {
    OCO_POLL_SECONDS: String(o.pollMs / 1000),
    // One-second bars: a new entry at the first bar close after the previous trade is done.
    INTERVAL: '1s',
    ...(o.side === 'short' ? { DIRECTION: 'short', ALLOW_OPTION_WRITING: 'true' } : {}),
    ...(o.busy ? { FEED_SAFETY_POLL_SECONDS: '1', RECONCILE_SECONDS: '1' } : {}),
  };
  const engines: BenchEngine[] = [];
  for (let i = 0; i < o.engines; i++) {
    const market = await createMarket(host, { seed: o.seed + i, freeze: true, feed: o.feed ?? false });
    engines.push(await startEngine(market, flags));
  }
  const per = Math.ceil(o.samples / o.engines);
  const deadline = started + o.budgetMs;
  await Promise.all(engines.map((be, i) => sampleLoop(host, be, o.pollMs, per, deadline, o.seed * 31 + i, out)));
  await Promise.all(engines.map((be) => be.stop()));
  out.wallMs = Date.now() - started;
  if (out.invalid.length > 0) log(`oco ${o.feed ? 'push' : `${o.pollMs} ms`}: ${out.invalid.length} samples lost: ${[...new Set(out.invalid)].slice(0, 3).join('; ')}`);
  return out;
}
