// Broker calls at steady state, counted at the server (every HTTP request the paper-server
// answered, by route and status): one engine at default settings, first long with both legs
// working (market frozen, so nothing fills), then flat (after a flatten, entries paused). Also the
// busiest one-second window per route class over every server of the run, and every 429.

import type { Hit } from './server-child.js';
import type { RpcChild } from './lib/ipc.js';
import { createMarket, startEngine } from './lib/engine-on-server.js';
import { peakInWindow } from './lib/stats.js';
import { sleep, waitForStore } from './lib/util.js';

export interface Steady {
  windowMs: number;
  perMinute: number;
  byRoute: Record<string, number>;
  /** Most requests of one route class (all order routes, all other routes) in any one second. */
  peakPerSecond: { orders: number; others: number };
  /** Most requests of one route in any one second (the server counts per route). */
  peakRoute: { route: string; perSecond: number };
}

export interface CallsResult {
  inPosition: Steady;
  flat: Steady;
}

export const ORDER_ROUTES = new Set(['placeorder', 'modifyorder', 'cancelorder', 'closeposition', 'cancelallorder']);

/** Requests per minute in [from, to), by route, and the busiest seconds. */
export function steady(hits: Hit[], from: number, to: number): Steady {
  const inWindow = hits.filter((h) => h.at >= from && h.at < to);
  const byRoute: Record<string, number> = {};
  for (const h of inWindow) byRoute[h.route] = (byRoute[h.route] ?? 0) + 1;
  const windowMs = to - from;
  return {
    windowMs,
    perMinute: (inWindow.length * 60_000) / windowMs,
    byRoute: Object.fromEntries(Object.entries(byRoute).map(([r, n]) => [r, Math.round(((n * 60_000) / windowMs) * 10) / 10])),
    peakPerSecond: {
      orders: peakInWindow(inWindow.filter((h) => ORDER_ROUTES.has(h.route)).map((h) => h.at), 1000),
      others: peakInWindow(inWindow.filter((h) => !ORDER_ROUTES.has(h.route)).map((h) => h.at), 1000),
    },
    peakRoute: busiestRoute(inWindow),
  };
}

function busiestRoute(hits: Hit[]): { route: string; perSecond: number } {
  let best = { route: '', perSecond: 0 };
  for (const route of new Set(hits.map((h) => h.route))) {
    const perSecond = peakInWindow(hits.filter((h) => h.route === route).map((h) => h.at), 1000);
    if (perSecond > best.perSecond) best = { route, perSecond };
  }
  return best;
}

export async function measureCalls(host: RpcChild, o: { windowMs: number; seed: number; feed?: boolean }): Promise<CallsResult> {
  const market = await createMarket(host, { seed: 300 + o.seed, freeze: true, feed: o.feed ?? false });
  const be = await startEngine(market, { INTERVAL: '1s' });
  await waitForStore(be.store, (s) => s.position.phase === 'protected', 20_000, 'protected');
  await sleep(1500); // past the entry's own calls
  const a0 = Date.now();
  await sleep(o.windowMs);
  const a1 = Date.now();
  be.engine.flatten();
  await waitForStore(be.store, (s) => s.position.phase === 'flat' && s.shutdown.phase === 'idle', 15_000, 'flat');
  await sleep(1500);
  const b0 = Date.now();
  await sleep(o.windowMs);
  const b1 = Date.now();
  await be.stop();
  const hits = (await host.call<Record<number, Hit[]>>('hits', { id: market.id }))[market.id] ?? [];
  return { inPosition: steady(hits, a0, a1), flat: steady(hits, b0, b1) };
}

export interface TrafficSummary {
  requests: number;
  status429: number;
  otherErrors: number;
  /** Busiest one-second window on any one server (each server is one trader's OpenAlgo): per class, and per route. */
  peakPerSecond: { orders: number; others: number; route: string; routePeak: number };
}

/** Every request every paper server of this run answered. */
export async function trafficSummary(host: RpcChild): Promise<TrafficSummary> {
  const all = await host.call<Record<number, Hit[]>>('hits', {});
  const out: TrafficSummary = { requests: 0, status429: 0, otherErrors: 0, peakPerSecond: { orders: 0, others: 0, route: '', routePeak: 0 } };
  for (const hits of Object.values(all)) {
    out.requests += hits.length;
    out.status429 += hits.filter((h) => h.status === 429).length;
    out.otherErrors += hits.filter((h) => h.status >= 500).length;
    const orders = peakInWindow(hits.filter((h) => ORDER_ROUTES.has(h.route)).map((h) => h.at), 1000);
    const others = peakInWindow(hits.filter((h) => !ORDER_ROUTES.has(h.route)).map((h) => h.at), 1000);
    out.peakPerSecond.orders = Math.max(out.peakPerSecond.orders, orders);
    out.peakPerSecond.others = Math.max(out.peakPerSecond.others, others);
    const busiest = busiestRoute(hits);
    if (busiest.perSecond > out.peakPerSecond.routePeak) out.peakPerSecond = { ...out.peakPerSecond, route: busiest.route, routePeak: busiest.perSecond };
  }
  return out;
}
