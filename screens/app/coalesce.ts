// The live dashboard draws from a view of the store that passes market ticks on at a human pace.
// Every price tick (and the clock and broker-health stamp that come with it) would otherwise
// cost a whole frame — Ink rebuilds the entire screen on each — and a 20 ticks/s feed would keep
// a core busy. Trading state (position, legs, fills, log, flags, shutdown, errors) still reaches
// the screen at once, inside the same store update, as before.

import { createStore } from 'zustand/vanilla';
import type { AppState, AppStore } from '../../src/store/store.js';

/** What changes with every quote and clock tick. */
const TICK_FIELDS: ReadonlySet<string> = new Set<keyof AppState>(['now', 'session', 'nextBarAt', 'health', 'ltp', 'prevClose', 'ltpHistory', 'bars']);

export interface CoalesceOptions {
  /** Ticks alone reach the view at most once per this many ms (real time). Default 1000: the price and clock redraw once a second, like the default quote poll. */
  tickMs?: number;
  /** A tick waits this long for the rest of its burst (the quote after the clock). Default 50. */
  settleMs?: number;
}

export interface CoalescedView {
  view: AppStore;
  dispose(): void;
}

export interface CoalescedViews {
  /** One view per source, in the same order. */
  views: AppStore[];
  dispose(): void;
}

/**
 * Views of several instruments' stores on one clock: ticks from any of them wait for the same
 * timer, and any flush (a tick's or a trading change's) brings every view up to date together,
 * so four instruments quoting once a second each still cost one frame a second, not four.
 * React batches the views' updates of one flush into one render.
 */
export function coalescedViews(sources: readonly AppStore[], opts: CoalesceOptions = {}): CoalescedViews {
  const tickMs = opts.tickMs ?? 1000;
  const settleMs = opts.settleMs ?? 50;
  const shown = sources.map((s) => s.getState());
  const views = shown.map((state) => createStore<AppState>()(() => state));
  let lastFlush = 0;
  let timer: NodeJS.Timeout | null = null;

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    lastFlush = Date.now();
    sources.forEach((source, i) => {
      const next = source.getState();
      if (next === shown[i]) return;
      shown[i] = next;
      views[i]?.setState(next, true);
    });
  };
  const unsubscribes = sources.map((source, i) =>
    source.subscribe((next) => {
      if (!onlyTicks(shown[i] as AppState, next)) return flush();
      timer ??= setTimeout(flush, Math.max(settleMs, lastFlush + tickMs - Date.now()));
    }),
  );
  return {
    views,
    dispose: () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Whether everything that differs between what the view shows and `next` is a market tick. */
function onlyTicks(shown: AppState, next: AppState): boolean {
  for (const key of Object.keys(next) as (keyof AppState)[]) {
    if (shown[key] === next[key]) continue;
    if (!TICK_FIELDS.has(key)) return false;
    // A broker error (or its clearing) is news, not a tick.
    if (key === 'health' && (shown.health.error !== next.health.error || shown.health.reachable !== next.health.reachable)) return false;
  }
  return true;
}
