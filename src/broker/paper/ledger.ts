// The paper broker's books: orders, one trade row per fill, and net positions, for every
// instrument the broker trades. Prices are kept in whole ticks of each row's own instrument and
// converted to rupees only when reported.

import type { TickGrid } from '../ticks.js';
import type { Action, OrderReport, PositionRow, PriceType, TradeRow } from '../types.js';
import type { PaperFunds } from './paper-types.js';

export type PaperOrderStatus = 'working' | 'trigger_pending' | 'complete' | 'rejected' | 'cancelled';

export interface PaperOrder {
  id: string;
  symbol: string;
  exchange: string;
  action: Action;
  product: string;
  priceType: PriceType;
  quantity: number;
  /** Limit price in ticks (0 for MARKET and SL-M). */
  price: number;
  /** Trigger in ticks (0 for MARKET and LIMIT). */
  trigger: number;
  status: PaperOrderStatus;
  filled: number;
  /** Sum of quantity × fill price in ticks (an integer), for the weighted average. */
  fillValue: number;
  firstFillPrice: number | null;
  placedAt: number;
  /** Before this time the order is "not found" (fault notFoundAfterPlaceMs). */
  visibleAt: number;
  /** A hung MARKET order fills at the first print at or after this time. */
  hangUntil: number | null;
  /** The order does not match on prints at or before this time (a partial fill's rest). */
  blockedThrough: number;
  /** The partial-fill roll has been made (only the first fill can be partial). */
  partialDecided: boolean;
  /** A gap jumped over this limit and the fault left it unfilled. */
  gapSkipped: boolean;
  rejectionReason?: string;
  /** Placed from outside the API (the broker's terminal). */
  external: boolean;
}

export interface PaperTrade {
  orderId: string;
  symbol: string;
  exchange: string;
  product: string;
  action: Action;
  quantity: number;
  /** Fill price in ticks. */
  price: number;
  at: number;
}

export interface PaperPosition {
  symbol: string;
  exchange: string;
  product: string;
  /** Signed net quantity. */
  quantity: number;
  /** Average price of the open quantity, in (fractional) ticks; 0 when flat. */
  avgTicks: number;
  /** Realised P&L in tick-units × quantity. */
  realizedTicks: number;
}

export function isOpen(o: PaperOrder): boolean {
  return o.status === 'working' || o.status === 'trigger_pending';
}

export class Ledger {
  readonly orders = new Map<string, PaperOrder>();
  readonly trades: PaperTrade[] = [];
  readonly positions = new Map<string, PaperPosition>();

  /** `gridOf` names each instrument's tick grid: a row's ticks are its own instrument's. */
  constructor(private readonly gridOf: (symbol: string, exchange: string) => TickGrid) {}

  add(order: PaperOrder): void {
    this.orders.set(order.id, order);
  }

  /** Record one fill: a trade row, the order's filled quantity, the position. */
  fill(order: PaperOrder, quantity: number, price: number, at: number): PaperTrade {
    const trade: PaperTrade = {
      orderId: order.id,
      symbol: order.symbol,
      exchange: order.exchange,
      product: order.product,
      action: order.action,
      quantity,
      price,
      at,
    };
    this.trades.push(trade);
    order.filled += quantity;
    order.fillValue += quantity * price;
    order.firstFillPrice ??= price;
    if (order.filled >= order.quantity) order.status = 'complete';
    this.applyToPosition(trade);
    return trade;
  }

  position(symbol: string, exchange: string, product: string): PaperPosition {
    const key = `${symbol}|${exchange}|${product}`;
    let p = this.positions.get(key);
    if (!p) {
      p = { symbol, exchange, product, quantity: 0, avgTicks: 0, realizedTicks: 0 };
      this.positions.set(key, p);
    }
    return p;
  }

  report(o: PaperOrder): OrderReport {
    const grid = this.gridOf(o.symbol, o.exchange);
    const status = o.status === 'working' && o.filled > 0 ? 'partially_filled' : o.status;
    return {
      orderId: o.id,
      symbol: o.symbol,
      exchange: o.exchange,
      action: o.action,
      quantity: o.quantity,
      priceType: o.priceType,
      product: o.product,
      price: grid.fromTicks(o.price),
      triggerPrice: grid.fromTicks(o.trigger),
      status,
      filledQuantity: o.filled,
      averagePrice: o.filled > 0 ? average(grid, o.fillValue, o.filled) : null,
      timestamp: o.placedAt,
      ...(o.rejectionReason !== undefined ? { rejectionReason: o.rejectionReason } : {}),
    };
  }

  tradeRow(t: PaperTrade): TradeRow {
    return {
      orderId: t.orderId,
      symbol: t.symbol,
      exchange: t.exchange,
      action: t.action,
      quantity: t.quantity,
      price: this.gridOf(t.symbol, t.exchange).fromTicks(t.price),
      timestamp: t.at,
    };
  }

  positionRow(p: PaperPosition, ltpTicks: number | null): PositionRow {
    const grid = this.gridOf(p.symbol, p.exchange);
    return {
      symbol: p.symbol,
      exchange: p.exchange,
      product: p.product,
      quantity: p.quantity,
      averagePrice: p.quantity === 0 ? 0 : average(grid, p.avgTicks, 1),
      ltp: ltpTicks === null ? null : grid.fromTicks(ltpTicks),
    };
  }

  /** Realised plus unrealised P&L of a position, in rupees. */
  pnl(p: PaperPosition, ltpTicks: number | null): number {
    const open = ltpTicks === null || p.quantity === 0 ? 0 : (ltpTicks - p.avgTicks) * p.quantity;
    return round((p.realizedTicks + open) * this.gridOf(p.symbol, p.exchange).tick, 2);
  }

  /** Account summary: cash less the open positions' cost, with realised and unrealised P&L. */
  funds(startingCash: number, ltpOf: (p: PaperPosition) => number | null): PaperFunds {
    let realized = 0;
    let unrealized = 0;
    let used = 0;
    for (const p of this.positions.values()) {
      const ltp = ltpOf(p);
      const open = this.pnl({ ...p, realizedTicks: 0 }, ltp);
      realized += this.pnl(p, ltp) - open;
      unrealized += open;
      used += Math.abs(p.quantity) * p.avgTicks * this.gridOf(p.symbol, p.exchange).tick;
    }
    return {
      availableCash: round(startingCash + realized - used, 2),
      collateral: 0,
      m2mRealized: round(realized, 2),
      m2mUnrealized: round(unrealized, 2),
      utilisedDebits: round(used, 2),
    };
  }

  private applyToPosition(t: PaperTrade): void {
    const p = this.position(t.symbol, t.exchange, t.product);
    const signed = t.action === 'BUY' ? t.quantity : -t.quantity;
    if (p.quantity === 0 || Math.sign(p.quantity) === Math.sign(signed)) {
      const held = Math.abs(p.quantity);
      p.avgTicks = (p.avgTicks * held + t.price * t.quantity) / (held + t.quantity);
      p.quantity += signed;
      return;
    }
    const closing = Math.min(t.quantity, Math.abs(p.quantity));
    p.realizedTicks += (t.price - p.avgTicks) * closing * Math.sign(p.quantity);
    const before = p.quantity;
    p.quantity += signed;
    if (p.quantity === 0) p.avgTicks = 0;
    else if (Math.sign(p.quantity) !== Math.sign(before)) p.avgTicks = t.price;
  }
}

/** value/quantity ticks in rupees; an average need not be on the grid, so keep two extra decimals. */
function average(grid: TickGrid, valueTicks: number, quantity: number): number {
  return round((valueTicks / quantity) * grid.tick, grid.decimals + 2);
}

function round(x: number, decimals: number): number {
  return Number(x.toFixed(decimals));
}
