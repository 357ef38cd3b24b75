// The push feed dropping under an engine in position: how soon full-rate polling resumes (the
// first order-book request the server answers after the drop), and, once the feed is back,
// that the engine subscribed again and re-read the books (order book, trade book, position
// book requests after the reconnect). Counted at the server, on its clock.

import type { Hit } from './server-child.js';
import type { RpcChild } from './lib/ipc.js';
import { createMarket, startEngine } from './lib/engine-on-server.js';
import { sleep, waitForStore } from './lib/util.js';

export interface FeedDropResult {
  samples: number;
  /** Drop → first order-book poll at the server, ms, one per sample. */
  toPollMs: number[];
  /** Drop → feed trusted again in the engine, ms. */
  toLiveMs: number[];
  /** Each reconnect was followed by order-book, trade-book and position-book reads. */
  resynced: boolean[];
  ocoPollMs: number;
}

export async function measureFeedDrop(host: RpcChild, o: { samples: number; downMs: number; seed: number }): Promise<FeedDropResult> {
  const market = await createMarket(host, { seed: 500 + o.seed, freeze: true, feed: true });
  const be = await startEngine(market, { INTERVAL: '1s' });
  const out: FeedDropResult = { samples: 0, toPollMs: [], toLiveMs: [], resynced: [], ocoPollMs: 1000 };
  await waitForStore(be.store, (s) => s.position.phase === 'protected', 20_000, 'protected');
  for (let k = 0; k < o.samples; k++) {
    await waitForStore(be.store, (s) => s.feed?.ordersTrusted === true, 30_000, 'feed trusted');
    await sleep(1_000 + 700 * k); // a different phase of the 5 s safety poll each time
    const { at } = await host.call<{ at: number }>('dropFeed', { id: market.id, ms: o.downMs });
    await waitForStore(be.store, (s) => s.feed?.state === 'down', 5_000, 'feed down');
    await waitForStore(be.store, (s) => s.feed?.ordersTrusted === true, o.downMs + 20_000, 'feed back');
    const liveAt = Date.now();
    await sleep(1_500);
    const hits = (await host.call<Record<number, Hit[]>>('hits', { id: market.id }))[market.id] ?? [];
    const firstPoll = hits.find((h) => h.at > at && h.route === 'orderbook');
    out.toPollMs.push(firstPoll ? firstPoll.at - at : Number.NaN);
    out.toLiveMs.push(liveAt - at);
    const after = hits.filter((h) => h.at >= at + o.downMs);
    out.resynced.push(['orderbook', 'tradebook', 'positionbook'].every((r) => after.some((h) => h.route === r)));
    out.samples++;
  }
  await be.stop();
  return out;
}
