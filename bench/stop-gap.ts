// A gap through a stop's limit → flat. Once both legs work, the bench gaps the frozen market
// straight past the stop-limit's limit (no prints in between): the stop triggers and rests
// unfilled, as on the exchange. With the chase (the defaults: STOP_CHASE_MS 500, 3 tries) the
// engine moves its limit under the last price and it fills; measured from the gap (paper-server's
// clock) to the position's last SELL fill at the broker. The baseline is the same gap without a
// chase (STOP_CHASE_MS at its maximum, the one-tick limit of the code before): never flat within
// the sample's wait, counted, and the market then brought back so the next sample can start.

import type { ConfigKey } from '../src/config/schema.js';
import { activeLeg } from '../src/engine/state.js';
import type { RpcChild } from './lib/ipc.js';
import { createMarket, startEngine } from './lib/engine-on-server.js';
import { log, sleep, waitForStore } from './lib/util.js';

export interface StopGapResult {
  chase: boolean;
  /** Gap → flat at the broker, ms (samples that got flat). */
  flatMs: number[];
  /** Samples still holding when the wait ran out. */
  notFlat: number;
  invalid: string[];
  wallMs: number;
}

interface Snapshot {
  placed: { at: number; orderId: string | null; action: string; priceType: string; outcome: string }[];
  trades: { orderId: string; action: string; timestamp: number | null }[];
}

export interface StopGapOptions {
  samples: number;
  seed: number;
  chase: boolean;
  /** How long a sample waits for flat before it counts as "not flat". */
  waitMs: number;
  budgetMs: number;
}

export async function measureStopGap(host: RpcChild, o: StopGapOptions): Promise<StopGapResult> {
  const started = Date.now();
  const out: StopGapResult = { chase: o.chase, flatMs: [], notFlat: 0, invalid: [], wallMs: 0 };
  const flags: Partial<Record<ConfigKey, string>> = o.chase
    ? { INTERVAL: '1s' }
    : { INTERVAL: '1s', STOP_LIMIT_BUFFER: '1ticks', STOP_CHASE_MS: '60000' };
  const market = await createMarket(host, { seed: o.seed, freeze: true, feed: true });
  const be = await startEngine(market, flags);
  const deadline = started + o.budgetMs;
  for (let k = 0; k < o.samples && Date.now() < deadline; k++) {
    try {
      await waitForStore(be.store, (s) => s.position.phase === 'protected', 20_000, 'protected');
      const stop = activeLeg(be.engine.state, 'stop');
      if (!stop?.orderId || stop.request.priceType !== 'SL' || stop.request.price === undefined || stop.request.triggerPrice === undefined) {
        out.invalid.push('no working SL stop');
        continue;
      }
      await sleep(50);
      // As far past the limit as the limit is under the trigger, and at least ₹0.50.
      const depth = Math.max(0.5, stop.request.triggerPrice - stop.request.price);
      const to = Math.round((stop.request.price - depth) * 20) / 20;
      const gap = await host.call<{ at: number }>('gapTo', { id: market.id, price: to });
      const flat = await waitForStore(be.store, (s) => s.position.phase === 'flat', o.waitMs, 'flat').then(
        () => true,
        () => false,
      );
      if (!flat) {
        out.notFlat++;
        // Today's behaviour: the stop rests unfilled. Bring the price back to its limit so it fills, and go on.
        await host.call('setPrice', { id: market.id, price: stop.request.price + 0.05 });
        await waitForStore(be.store, (s) => s.position.phase === 'flat', 10_000, 'flat after the price came back');
        continue;
      }
      const snap = await host.call<Snapshot>('snapshot', { id: market.id });
      const sells = snap.trades.filter((t) => t.action === 'SELL' && t.timestamp !== null && t.timestamp >= gap.at);
      const last = sells.at(-1);
      if (!last || last.timestamp === null) {
        out.invalid.push('flat without a sell after the gap');
        continue;
      }
      out.flatMs.push(last.timestamp - gap.at);
    } catch (err) {
      out.invalid.push(err instanceof Error ? err.message : String(err));
    }
  }
  await be.stop();
  out.wallMs = Date.now() - started;
  if (out.invalid.length > 0) log(`stop gap (${o.chase ? 'chase' : 'no chase'}): ${out.invalid.length} samples lost: ${[...new Set(out.invalid)].slice(0, 3).join('; ')}`);
  return out;
}
