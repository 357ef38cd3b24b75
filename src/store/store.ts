import type { FeedView } from '../broker/feed.js';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { withPrice } from './bars.js';
import type { DashboardState, GuardView, JournalView, LogLine, PositionPhase, ShutdownPhase } from './types.js';

export const LOG_RING_SIZE = 500;
export const LTP_HISTORY_SIZE = 240;
export const STOP_PATH_SIZE = 500;

export interface StoreActions {
  configured(info: Pick<DashboardState, 'mode' | 'brokerLabel' | 'symbol' | 'exchange' | 'product' | 'lots' | 'marketOnTarget'> & Partial<Pick<DashboardState, 'barMs'>>): void;
  instrumentResolved(info: { lotSize: number; tickSize: number }): void;
  analyzerDetected(analyzer: boolean): void;
  clockTicked(now: number, session: DashboardState['session'], nextBarAt: number | null): void;
  brokerCallSucceeded(at: number, rttMs: number): void;
  brokerCallFailed(message: string, reachable: boolean): void;
  /** A price (quote poll or pushed tick) at `at` (default: the store's clock); it also feeds the chart's bars. */
  quoteReceived(ltp: number, prevClose: number | null, at?: number): void;
  /** Past closes for the chart (USE_HISTORY), oldest first. */
  historyLoaded(closes: number[]): void;
  entriesHeldChanged(reason: string | null): void;
  marketDayChanged(note: string | null): void;
  clockOffsetChanged(offsetMs: number): void;
  /** What an engine commit changed (position, legs, P&L, trades, flags), in one update: one render. */
  engineStateChanged(view: Partial<Pick<DashboardState, 'position' | 'legs' | 'pnl' | 'tradesToday' | 'paused' | 'marketOnTarget'>>): void;
  /** The session guard's figures or state changed (halts counts every halt, for the bell). */
  guardChanged(view: GuardView): void;
  shutdownPhaseChanged(phase: ShutdownPhase, detail: string, at: number): void;
  /** The trade journal was read (at start and after each round trip it recorded). */
  journalRead(view: JournalView): void;
  criticalRaised(): void;
  terminalAlertRaised(alert: Omit<NonNullable<DashboardState['terminalAlert']>, 'seq'>): void;
  feedChanged(feed: FeedView): void;
  bannerChanged(banner: string | null): void;
  logged(line: Omit<LogLine, 'seq'>): void;
}

export type AppState = DashboardState & StoreActions;
export type AppStore = StoreApi<AppState>;

export function initialState(): DashboardState {
  return {
    mode: 'paper',
    analyzer: false,
    brokerLabel: '',
    symbol: '',
    exchange: '',
    product: 'MIS',
    lots: 1,
    lotSize: 1,
    tickSize: 0.05,
    now: 0,
    session: 'before_session',
    nextBarAt: null,
    health: { lastOkAt: null, rttMs: null, error: null, reachable: true },
    entriesHeld: 'starting',
    marketDayNote: null,
    clockOffsetMs: 0,
    paused: false,
    marketOnTarget: false,
    position: { phase: 'flat', side: 'long', requested: 0, entryFilled: 0, held: 0, exited: 0, avgEntry: null, openedAt: null },
    legs: { target: null, stop: null },
    ltp: null,
    prevClose: null,
    ltpHistory: [],
    barMs: 60_000,
    bars: [],
    stopPath: [],
    pnl: { realised: 0, trades: 0, wins: 0, losses: 0, day: '' },
    tradesToday: [],
    journal: null,
    guard: {
      on: false,
      state: 'ACTIVE',
      reason: null,
      since: null,
      dayPnl: 0,
      realised: 0,
      open: 0,
      trades: 0,
      lossStreak: 0,
      peak: 0,
      cooldownUntil: null,
      limits: { maxDailyLoss: 0, dailyProfitTarget: 0, profitLock: 0, maxTradesPerDay: 0, maxConsecutiveLosses: 0, cooldownMinutes: 0 },
      halts: 0,
    },
    shutdown: { phase: 'idle', detail: '', since: null },
    criticalSeq: 0,
    terminalAlert: null,
    feed: null,
    banner: null,
    log: [],
    logSeq: 0,
  };
}

export function createAppStore(): AppStore {
  return createStore<AppState>()((set) => ({
    ...initialState(),
    configured: (info) => set(info),
    instrumentResolved: ({ lotSize, tickSize }) => set({ lotSize, tickSize }),
    analyzerDetected: (analyzer) => set({ analyzer }),
    clockTicked: (now, session, nextBarAt) => set({ now, session, nextBarAt }),
    brokerCallSucceeded: (at, rttMs) =>
      set((s) => ({ health: { lastOkAt: at, rttMs, error: null, reachable: true }, banner: s.health.reachable ? s.banner : null })),
    brokerCallFailed: (message, reachable) => set((s) => ({ health: { ...s.health, error: message, reachable } })),
    quoteReceived: (ltp, prevClose, at) =>
      set((s) => {
        const history = s.ltpHistory.length >= LTP_HISTORY_SIZE ? s.ltpHistory.slice(1) : s.ltpHistory.slice();
        history.push(ltp);
        return { ltp, prevClose: prevClose ?? s.prevClose, ltpHistory: history, bars: withPrice(s.bars, ltp, at ?? s.now, s.barMs) };
      }),
    feedChanged: (feed) => set({ feed }),
    historyLoaded: (closes) => set({ ltpHistory: closes.slice(-LTP_HISTORY_SIZE) }),
    entriesHeldChanged: (entriesHeld) => set({ entriesHeld }),
    marketDayChanged: (marketDayNote) => set({ marketDayNote }),
    clockOffsetChanged: (clockOffsetMs) => set({ clockOffsetMs }),
    engineStateChanged: (view) =>
      set((s) => {
        if (!view.legs) return view;
        // The stop's path for the chart: a point whenever the working stop's trigger changes.
        const stop = view.legs.stop;
        const price = stop && (stop.phase === 'working' || stop.phase === 'partially_filled') ? (stop.trigger ?? stop.price) : null;
        const last = s.stopPath[s.stopPath.length - 1];
        if ((last?.price ?? null) === price) return view;
        return { ...view, stopPath: [...s.stopPath, { at: s.now, price }].slice(-STOP_PATH_SIZE) };
      }),
    guardChanged: (guard) => set({ guard }),
    shutdownPhaseChanged: (phase, detail, at) => set({ shutdown: { phase, detail, since: at } }),
    journalRead: (journal) => set({ journal }),
    criticalRaised: () => set((s) => ({ criticalSeq: s.criticalSeq + 1 })),
    terminalAlertRaised: (alert) => set((s) => ({ terminalAlert: { ...alert, seq: (s.terminalAlert?.seq ?? 0) + 1 } })),
    bannerChanged: (banner) => set({ banner }),
    logged: (line) =>
      set((s) => {
        const seq = s.logSeq + 1;
        const log = s.log.length >= LOG_RING_SIZE ? s.log.slice(s.log.length - LOG_RING_SIZE + 1) : s.log.slice();
        log.push({ ...line, seq });
        return { log, logSeq: seq };
      }),
  }));
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export type { PositionPhase };
