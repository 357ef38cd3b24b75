// Named dashboard states for screen tests (and anyone else who needs a store in a known state).
// Every state is reached through the store's own actions, as the engine would reach it.

import type { EngineCommands } from '../../src/engine/commands.js';
import { createAppStore, type AppStore } from '../../src/store/store.js';
import type { LegView, TradeRecord } from '../../src/store/types.js';

/** Wednesday 15 Jan 2025, 10:15:30 IST (04:45:30 UTC). */
export const FIXTURE_NOW = Date.UTC(2025, 0, 15, 4, 45, 30);
export const FIXTURE_DAY = '2025-01-15';

export const FIXTURE_SYMBOL = 'NIFTY25JANFUT';
export const FIXTURE_LOT_SIZE = 75;
export const FIXTURE_LOTS = 2;
export const FIXTURE_PREV_CLOSE = 23400;
export const FIXTURE_LTP = 23456.7;
export const FIXTURE_AVG_ENTRY = 23450.25;
export const FIXTURE_TARGET = 23480;
export const FIXTURE_STOP = 23430;

export type FixtureName =
  | 'flat'
  | 'entering_partial'
  | 'protected'
  | 'unprotected_missing_stop'
  | 'stop_rejected'
  | 'exiting'
  | 'critical'
  | 'shutting_down'
  | 'with_trades'
  | 'banner'
  | 'live'
  | 'live_analyzer'
  | 'broker_down'
  | 'session_bars';

export const FIXTURE_NAMES: readonly FixtureName[] = [
  'flat',
  'entering_partial',
  'protected',
  'unprotected_missing_stop',
  'stop_rejected',
  'exiting',
  'critical',
  'shutting_down',
  'with_trades',
  'banner',
  'live',
  'live_analyzer',
  'broker_down',
  'session_bars',
];

export function targetLeg(over: Partial<LegView> = {}): LegView {
  return {
    role: 'target',
    orderId: '250115000012345',
    type: 'LIMIT',
    price: FIXTURE_TARGET,
    trigger: null,
    quantity: 150,
    filled: 0,
    phase: 'working',
    ...over,
  };
}

export function stopLeg(over: Partial<LegView> = {}): LegView {
  return {
    role: 'stop',
    orderId: '250115000012346',
    type: 'SL-M',
    price: null,
    trigger: FIXTURE_STOP,
    quantity: 150,
    filled: 0,
    phase: 'working',
    ...over,
  };
}

/** Configured paper session in market hours, quotes flowing, broker healthy, flat. */
export function putBaseline(store: AppStore, quotes = true): void {
  const s = store.getState();
  s.configured({
    mode: 'paper',
    brokerLabel: 'paper',
    symbol: FIXTURE_SYMBOL,
    exchange: 'NFO',
    product: 'MIS',
    lots: FIXTURE_LOTS,
    marketOnTarget: false,
  });
  s.instrumentResolved({ lotSize: FIXTURE_LOT_SIZE, tickSize: 0.05 });
  s.clockTicked(FIXTURE_NOW, 'in_session', FIXTURE_NOW + 29_500);
  s.brokerCallSucceeded(FIXTURE_NOW - 400, 12);
  s.engineStateChanged({ pnl: { realised: 0, trades: 0, wins: 0, losses: 0, day: FIXTURE_DAY }, tradesToday: [] });
  for (let i = 0; quotes && i < 80; i++) {
    const p = 23440 + Math.round(Math.sin(i / 6) * 200 + i * 2) / 20;
    s.quoteReceived(Math.round(p * 20) / 20, FIXTURE_PREV_CLOSE);
  }
  if (quotes) s.quoteReceived(FIXTURE_LTP, FIXTURE_PREV_CLOSE);
  s.entriesHeldChanged(null);
  s.logged({ at: FIXTURE_NOW - 60_000, level: 'INFO', tag: 'engine', text: 'session open; waiting for the 10:15 bar' });
  s.logged({ at: FIXTURE_NOW - 30_000, level: 'DEBUG', tag: 'quotes', text: 'poll ok 12ms' });
}

function putEnteringPartial(store: AppStore): void {
  const s = store.getState();
  s.engineStateChanged({ position: {
    phase: 'entering',
    side: 'long',
    requested: 150,
    entryFilled: 75,
    held: 75,
    exited: 0,
    avgEntry: FIXTURE_AVG_ENTRY,
    openedAt: FIXTURE_NOW - 2000,
  } });
  s.engineStateChanged({ legs: { target: null, stop: null } });
  s.logged({ at: FIXTURE_NOW - 2000, level: 'INFO', tag: 'entry', text: 'BUY 150 MARKET sent' });
  s.logged({ at: FIXTURE_NOW - 1000, level: 'INFO', tag: 'entry', text: 'partial fill 75/150 @ 23450.25' });
}

function putLongProtected(store: AppStore): void {
  const s = store.getState();
  s.engineStateChanged({ position: {
    phase: 'protected',
    side: 'long',
    requested: 150,
    entryFilled: 150,
    held: 150,
    exited: 0,
    avgEntry: FIXTURE_AVG_ENTRY,
    openedAt: FIXTURE_NOW - 5000,
  } });
  s.engineStateChanged({ legs: { target: targetLeg(), stop: stopLeg() } });
  s.logged({ at: FIXTURE_NOW - 4000, level: 'INFO', tag: 'legs', text: 'target LIMIT 23480.00 and stop SL-M 23430.00 working' });
}

export const FIXTURE_TRADES: readonly TradeRecord[] = [
  {
    openedAt: FIXTURE_NOW - 3_600_000,
    closedAt: FIXTURE_NOW - 3_300_000,
    entry: 23400,
    exit: 23430,
    quantity: 150,
    reason: 'target',
    gross: 4500,
    costs: 95.5,
    net: 4404.5,
  },
  {
    openedAt: FIXTURE_NOW - 2_400_000,
    closedAt: FIXTURE_NOW - 2_100_000,
    entry: 23460,
    exit: 23440,
    quantity: 150,
    reason: 'stop',
    gross: -3000,
    costs: 94.25,
    net: -3094.25,
  },
  {
    openedAt: FIXTURE_NOW - 1_200_000,
    closedAt: FIXTURE_NOW - 900_000,
    entry: 23420.05,
    exit: 23425.1,
    quantity: 75,
    reason: 'flatten',
    gross: 378.75,
    costs: 48.1,
    net: 330.65,
  },
];

function putTrades(store: AppStore): void {
  store.getState().engineStateChanged({ pnl: {
      realised: Math.round(FIXTURE_TRADES.reduce((a, t) => a + t.net, 0) * 100) / 100,
      trades: FIXTURE_TRADES.length,
      wins: FIXTURE_TRADES.filter((t) => t.net > 0).length,
      losses: FIXTURE_TRADES.filter((t) => t.net <= 0).length,
      day: FIXTURE_DAY,
    }, tradesToday: [...FIXTURE_TRADES] });
}

/** The session open (09:15 IST) on the fixture's day. */
export const FIXTURE_SESSION_OPEN = Date.UTC(2025, 0, 15, 3, 45);
export const FIXTURE_BAR_MS = 60_000;

/**
 * An hour of 1m bars from the session open to now, four quotes a bar, through every trade's
 * entry and exit price at its time and ending at the fixture's LTP.
 */
function putSessionBars(store: AppStore): void {
  const s = store.getState();
  s.configured({ ...pickConfig(store), barMs: FIXTURE_BAR_MS });
  const anchors: [number, number][] = [[FIXTURE_SESSION_OPEN, 23410]];
  for (const t of FIXTURE_TRADES) anchors.push([t.openedAt, t.entry], [t.closedAt, t.exit]);
  anchors.push([FIXTURE_NOW - 5000, FIXTURE_AVG_ENTRY], [FIXTURE_NOW, FIXTURE_LTP]);
  anchors.sort((a, b) => a[0] - b[0]);
  const priceAt = (t: number): number => {
    const i = Math.max(1, anchors.findIndex(([at]) => at >= t));
    const [t0, p0] = anchors[i - 1] as [number, number];
    const [t1, p1] = anchors[i] as [number, number];
    const p = p0 + ((p1 - p0) * (t - t0)) / Math.max(1, t1 - t0);
    return Math.round(p * 20) / 20;
  };
  for (let t = FIXTURE_SESSION_OPEN; t < FIXTURE_NOW; t += FIXTURE_BAR_MS / 4) {
    const wiggle = Math.round(Math.sin(t / 40_000) * 40) / 20;
    s.quoteReceived(priceAt(t) + wiggle, FIXTURE_PREV_CLOSE, t);
  }
  s.quoteReceived(FIXTURE_LTP, FIXTURE_PREV_CLOSE, FIXTURE_NOW);
}

/** Put the store into a named state (on top of the baseline). */
export function putStoreIn(store: AppStore, name: FixtureName): AppStore {
  // The session's bars bring their own quotes, stamped through the hour.
  putBaseline(store, name !== 'session_bars');
  const s = store.getState();
  switch (name) {
    case 'flat':
      break;
    case 'entering_partial':
      putEnteringPartial(store);
      break;
    case 'protected':
      putLongProtected(store);
      break;
    case 'unprotected_missing_stop':
      putLongProtected(store);
      s.engineStateChanged({ position: { ...store.getState().position, phase: 'unprotected' } });
      s.engineStateChanged({ legs: { target: targetLeg(), stop: null } });
      s.logged({ at: FIXTURE_NOW, level: 'ERROR', tag: 'legs', text: 'stop not working; re-placing' });
      break;
    case 'stop_rejected':
      putLongProtected(store);
      s.engineStateChanged({ legs: { target: targetLeg(), stop: stopLeg({ phase: 'rejected' }) } });
      break;
    case 'exiting':
      putLongProtected(store);
      s.engineStateChanged({ position: { ...store.getState().position, phase: 'exiting', held: 75, exited: 75 } });
      s.engineStateChanged({ legs: { target: targetLeg({ filled: 75, phase: 'partially_filled' }), stop: stopLeg({ phase: 'cancelled' }) } });
      break;
    case 'critical':
      putLongProtected(store);
      s.logged({ at: FIXTURE_NOW, level: 'CRITICAL', tag: 'legs', text: 'stop rejected twice; position unprotected' });
      s.criticalRaised();
      break;
    case 'shutting_down':
      putLongProtected(store);
      s.shutdownPhaseChanged('stopping_entries', '', FIXTURE_NOW - 1500);
      s.shutdownPhaseChanged('cancelling_legs', 'cancelling 2 legs', FIXTURE_NOW - 1000);
      break;
    case 'with_trades':
      putTrades(store);
      break;
    case 'banner':
      s.brokerCallFailed('invalid API key (403)', true);
      s.bannerChanged('OpenAlgo rejected the API key: set OPENALGO_API_KEY in .env and restart. Open positions keep their broker-side legs.');
      break;
    case 'live':
      s.configured({ ...pickConfig(store), mode: 'live', brokerLabel: 'openalgo' });
      break;
    case 'live_analyzer':
      s.configured({ ...pickConfig(store), mode: 'live', brokerLabel: 'openalgo' });
      s.analyzerDetected(true);
      break;
    case 'broker_down':
      s.brokerCallFailed('connect ECONNREFUSED 127.0.0.1:5000', false);
      break;
    case 'session_bars':
      putSessionBars(store);
      putTrades(store);
      putLongProtected(store);
      break;
  }
  return store;
}

function pickConfig(store: AppStore) {
  const { mode, brokerLabel, symbol, exchange, product, lots, marketOnTarget, barMs } = store.getState();
  return { mode, brokerLabel, symbol, exchange, product, lots, marketOnTarget, barMs };
}

/** A fresh store in a named state. */
export function storeIn(name: FixtureName): AppStore {
  return putStoreIn(createAppStore(), name);
}

export type CommandCall = keyof EngineCommands;

/** EngineCommands that record each call by name, in order. */
export function fakeCommands(): { commands: EngineCommands; calls: CommandCall[] } {
  const calls: CommandCall[] = [];
  const commands: EngineCommands = {
    flatten: () => void calls.push('flatten'),
    toggleMarketOnTarget: () => void calls.push('toggleMarketOnTarget'),
    reconcileNow: () => void calls.push('reconcileNow'),
    togglePause: () => void calls.push('togglePause'),
    quit: () => void calls.push('quit'),
  };
  return { commands, calls };
}
