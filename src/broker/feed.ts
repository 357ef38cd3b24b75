import type { OrderReport } from './types.js';

// A push feed: prices and order updates the broker sends us, already parsed into the same
// shapes the REST calls return, so the engine cannot tell a pushed order state from a polled one.
// Two implementations: OpenAlgo's WebSocket feed and the in-process paper market's.

export type FeedState =
  /** FEED=poll, or not started. */
  | 'off'
  | 'connecting'
  | 'authenticating'
  /** Authenticated and subscribed: ticks and order updates flow. */
  | 'live'
  /** Not usable now (dropped, refused, broker logged out); a reconnect is scheduled. */
  | 'down';

export interface FeedHealth {
  state: FeedState;
  /** Why it is not live, in words for the header and the log. */
  reason: string | null;
  /** Order updates are subscribed (the server acknowledged subscribe_orders). */
  orders: boolean;
  /** Market data is subscribed for every symbol asked for. */
  ticks: boolean;
  /** Round trip of the last ping we sent, ms. */
  rttMs: number | null;
  /** Clock ms of the last state change. */
  since: number;
}

export interface FeedSymbol {
  symbol: string;
  exchange: string;
}

export interface FeedListener {
  /** A last traded price for a subscribed symbol; `at` is the exchange's stamp when sent, else receipt. */
  tick(symbol: string, exchange: string, ltp: number, at: number): void;
  /** An order's new state (any order of the account: filter by id). */
  orderUpdate(report: OrderReport): void;
  health(health: FeedHealth): void;
  /** A (re)connect has subscribed again: nothing missed is replayed, so read the books over REST. */
  resync(): void;
  /** The server's clock, from a pong: `sentAt`/`receivedAt` local, `serverAt` the server's ms. */
  serverTime?(sample: { sentAt: number; receivedAt: number; serverAt: number }): void;
  /** One line for the log, tagged [FEED] by the receiver. */
  note(level: 'info' | 'warn' | 'error', text: string): void;
}

export interface MarketFeed {
  readonly label: string;
  /** Connect and keep connected (reconnecting forever) until stop(). */
  start(listener: FeedListener, symbols: readonly FeedSymbol[]): void;
  stop(): Promise<void>;
}

export const FEED_MODES = ['auto', 'push', 'poll'] as const;
export type FeedMode = (typeof FEED_MODES)[number];

/** What the header and the log show of the feed. */
export interface FeedView {
  mode: FeedMode;
  state: FeedState;
  reason: string | null;
  rttMs: number | null;
  /** Order updates are trusted: the OCO poll runs at its safety interval. */
  ordersTrusted: boolean;
  /** Why order updates are not trusted although connected (silent, missed a change). */
  unreliable: string | null;
}
