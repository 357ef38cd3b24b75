// The Broker contract the engine depends on. Everything here is already parsed and
// normalised: the engine never sees raw JSON, numeric strings or broker spellings.

import type { ExchangeSession, MarketHoliday } from '../time/market-calendar.js';

export type { ExchangeSession, MarketHoliday };

export type Action = 'BUY' | 'SELL';
export type PriceType = 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
export const EXCHANGES = [
  'NSE', 'NFO', 'CDS', 'BSE', 'BFO', 'BCD', 'MCX', 'NCDEX', 'NCO',
  'NSE_INDEX', 'BSE_INDEX', 'MCX_INDEX', 'GLOBAL_INDEX', 'CRYPTO',
] as const;
export type Exchange = (typeof EXCHANGES)[number];

/** An order's status at the broker, as a closed set (see normaliseOrderStatus). */
export type BrokerOrderStatus =
  | 'working'
  | 'trigger_pending'
  | 'partially_filled'
  | 'complete'
  | 'rejected'
  | 'cancelled'
  | 'unknown';

export interface OrderRequest {
  symbol: string;
  exchange: string;
  action: Action;
  quantity: number;
  priceType: PriceType;
  product: string;
  /** Limit price for LIMIT and SL; omitted (0) for MARKET and SL-M. */
  price?: number;
  /** Trigger for SL and SL-M. */
  triggerPrice?: number;
}

export interface OrderReport {
  orderId: string;
  symbol: string;
  exchange: string;
  action: Action;
  quantity: number;
  priceType: PriceType | string;
  product: string;
  price: number;
  triggerPrice: number;
  status: BrokerOrderStatus;
  /** Filled quantity: from the status when the broker sends it, else from the trade book. */
  filledQuantity: number;
  /** Quantity-weighted average fill price, null while nothing filled. */
  averagePrice: number | null;
  /** Epoch ms when the broker stamped the order, when it says. */
  timestamp: number | null;
  rejectionReason?: string;
}

export interface TradeRow {
  orderId: string;
  symbol: string;
  exchange: string;
  action: Action;
  quantity: number;
  price: number;
  timestamp: number | null;
}

export interface PositionRow {
  symbol: string;
  exchange: string;
  product: string;
  /** Signed net quantity: positive long, negative short. */
  quantity: number;
  averagePrice: number;
  ltp: number | null;
}

/** One instrument's answer in a multiquote: its quote, or why the broker could not give one. */
export interface MultiQuote {
  symbol: string;
  exchange: string;
  quote: Quote | null;
  error: string | null;
}

export interface Quote {
  ltp: number;
  bid: number | null;
  ask: number | null;
  open: number | null;
  high: number | null;
  low: number | null;
  prevClose: number | null;
  volume: number | null;
}

export interface Instrument {
  symbol: string;
  exchange: string;
  lotSize: number;
  tickSize: number;
  freezeQty: number | null;
  name?: string;
  /** The broker's instrument type (OpenAlgo search: CE, PE, FUT, EQ, OPTIDX, …), when it says. */
  instrumentType?: string;
}

export interface BrokerHealth {
  /** The broker's name as the server reports it (ping), e.g. "zerodha" or "paper". */
  broker: string;
  /** The server is in analyzer (sandbox) mode: orders are simulated. */
  analyzer: boolean;
}

export interface Broker {
  /** Human label shown in the header: "paper" or "openalgo@host". */
  readonly label: string;
  placeOrder(req: OrderRequest): Promise<{ orderId: string }>;
  orderStatus(orderId: string): Promise<OrderReport>;
  cancelOrder(orderId: string): Promise<void>;
  modifyOrder(orderId: string, req: OrderRequest): Promise<void>;
  /**
   * The day's orders. `fills: false` skips what it costs to learn filled quantities (OpenAlgo's
   * trade book): open orders may then report 0 filled. For spotting a change, not for applying one.
   */
  orderBook(opts?: { fills?: boolean }): Promise<OrderReport[]>;
  tradeBook(): Promise<TradeRow[]>;
  positionBook(): Promise<PositionRow[]>;
  quote(symbol: string, exchange: string): Promise<Quote>;
  /**
   * Quotes of several instruments in one call (OpenAlgo's multiquotes), in the order asked; an
   * instrument the broker could not quote has its error instead. Optional: without it, or when
   * the server refuses the route, each instrument is quoted on its own.
   */
  multiQuote?(instruments: readonly { symbol: string; exchange: string }[]): Promise<MultiQuote[]>;
  /** The instrument's lot and tick size, or null when the broker does not know the symbol. */
  searchInstrument(symbol: string, exchange: string): Promise<Instrument | null>;
  /**
   * Closing prices of past bars, oldest first (USE_HISTORY, for the chart). Optional: the paper
   * broker has no past. `interval` is OpenAlgo's: 1m, 5m, 15m, 1h, D…; dates are YYYY-MM-DD.
   */
  history?(symbol: string, exchange: string, interval: string, startDate: string, endDate: string): Promise<number[]>;
  /**
   * The year's trading holidays and special sessions (OpenAlgo's POST /api/v1/market/holidays,
   * servers since late 2025). Resolves null when the server does not serve the calendar.
   */
  marketHolidays?(year: number): Promise<MarketHoliday[] | null>;
  /** Each exchange's session on a day, YYYY-MM-DD IST (POST /api/v1/market/timings); null when not served. */
  marketTimings?(date: string): Promise<ExchangeSession[] | null>;
  /** Key valid, broker session live, analyzer mode. Throws BrokerError(auth) on 403. */
  health(): Promise<BrokerHealth>;
  /** Release sockets and timers. */
  close?(): Promise<void>;
}
