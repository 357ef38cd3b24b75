// Trailing stop on the push feed: from a tick that moves the best price (stamped by the paper
// broker's market in the paper-server process) to the stop's modifyorder arriving at the broker
// (modifyRequests[].at, same clock). The market is frozen; once the position is protected the
// bench raises the price by one step at a time, each after the trail's minimum interval (and a
// random delay), so every step is one move. Target and stop are far away: nothing fills.

import type { RpcChild } from './lib/ipc.js';
import { createMarket, startEngine } from './lib/engine-on-server.js';
import { log, rng, sleep, waitForStore } from './lib/util.js';
import { activeLeg } from '../src/engine/state.js';

export interface TrailResult {
  /** Tick → stop modify at the broker, ms. */
  moveMs: number[];
  invalid: string[];
  wallMs: number;
}

interface Snapshot {
  modifies: { at: number; orderId: string; outcome: string; trigger: number | null }[];
}

export async function measureTrail(host: RpcChild, o: { samples: number; seed: number; budgetMs: number }): Promise<TrailResult> {
  const started = Date.now();
  const out: TrailResult = { moveMs: [], invalid: [], wallMs: 0 };
  const market = await createMarket(host, { seed: o.seed, freeze: true, feed: true });
  const be = await startEngine(market, {
    INTERVAL: '1s',
    PROFIT_TARGET_RUPEES: '1000',
    STOP_LOSS_RUPEES: '50',
    TRAIL_TRIGGER_RUPEES: '0.5',
    TRAIL_STEP_RUPEES: '0.5',
    TRAIL_MIN_INTERVAL_MS: '250',
  });
  const random = rng(o.seed);
  try {
    await waitForStore(be.store, (s) => s.position.phase === 'protected', 20_000, 'protected');
    let price = be.store.getState().position.avgEntry ?? 100;
    const deadline = started + o.budgetMs;
    for (let k = 0; k < o.samples && Date.now() < deadline; k++) {
      await sleep(300 + random.next() * 200);
      const stop = activeLeg(be.engine.state, 'stop');
      if (!stop?.orderId) {
        out.invalid.push('no stop');
        continue;
      }
      price = Math.round((price + 0.5) * 100) / 100;
      const fired = await host.call<{ at: number }>('setPrice', { id: market.id, price, symbol: market.symbol });
      const want = Math.round((price - 0.5) * 100) / 100;
      const t0 = Date.now();
      let moved: Snapshot['modifies'][number] | undefined;
      while (!moved && Date.now() - t0 < 3_000) {
        const snap = await host.call<Snapshot>('snapshot', { id: market.id });
        moved = snap.modifies.find((m) => m.orderId === stop.orderId && m.trigger === want && m.at >= fired.at);
        if (!moved) await sleep(5);
      }
      if (!moved) out.invalid.push(`no move of ${stop.orderId} to ${want} within 3 s`);
      else out.moveMs.push(moved.at - fired.at);
    }
  } finally {
    await be.stop();
  }
  out.wallMs = Date.now() - started;
  if (out.invalid.length > 0) log(`trail: ${out.invalid.length} samples lost: ${[...new Set(out.invalid)].slice(0, 3).join('; ')}`);
  return out;
}
