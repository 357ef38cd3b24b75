// What the paper broker records and returns beyond the Broker contract: the requests it received
// (tests assert on these) and the richer rows the paper-server serves.

import type { Action, OrderRequest, PositionRow, TradeRow } from '../types.js';

/** How the broker dealt with an order request. */
export type OrderOutcome =
  /** An order id was issued (including acceptThenTimeout and rejectAfterAccept). */
  | 'placed'
  /** Refused at placement: validation, slmRefused. */
  | 'rejected'
  /** Lost on the way in (timeoutNotPlaced). */
  | 'not_placed'
  /** The call failed before reaching the order system (serverError, rateLimited). */
  | 'failed';

/** One placeOrder request as the broker received it. */
export interface ReceivedOrder {
  seq: number;
  /** Clock time the call arrived. */
  at: number;
  request: OrderRequest;
  orderId: string | null;
  outcome: OrderOutcome;
  message?: string;
}

export interface ReceivedCancel {
  at: number;
  orderId: string;
  outcome: 'cancelled' | 'rejected' | 'not_found' | 'failed';
  message?: string;
}

export interface ReceivedModify {
  at: number;
  orderId: string;
  request: OrderRequest;
  outcome: 'modified' | 'rejected' | 'not_found' | 'failed';
  message?: string;
}

/** submitOrder's answer: what the broker did, before any client-side waiting. */
export type SubmitResult =
  | { orderId: string; timeout: null }
  /** Placed, but the answer is lost (acceptThenTimeout). */
  | { orderId: string; timeout: 'accepted' }
  /** Lost before it was placed (timeoutNotPlaced). */
  | { orderId: null; timeout: 'not_placed' };

/** A fill made outside the strategy's orders (terminal close, closeposition). */
export interface PaperFill {
  orderId: string;
  symbol: string;
  exchange: string;
  product: string;
  action: Action;
  quantity: number;
  price: number;
}

export interface TradeView extends TradeRow {
  product: string;
}

export interface PositionView extends PositionRow {
  /** Realised plus unrealised, in rupees. */
  pnl: number;
}

export interface PaperFunds {
  availableCash: number;
  collateral: number;
  m2mRealized: number;
  m2mUnrealized: number;
  utilisedDebits: number;
}
