// Fill truth. The live order status has no filled quantity for most brokers, and its
// average_price is the first fill's price; the trade book's rows for an order id are the
// dependable record of what filled and at what average.

import { normaliseOrderStatus } from '../order-status.js';
import type { OrderReport, TradeRow } from '../types.js';
import type { RawOrder } from './schemas.js';

export interface Fill {
  quantity: number;
  /** Quantity-weighted average price, null while nothing filled. */
  averagePrice: number | null;
}

/** Sum the trade book per order id, with quantity-weighted average prices. */
export function fillsByOrder(trades: readonly TradeRow[]): Map<string, Fill> {
  const sums = new Map<string, { quantity: number; value: number }>();
  for (const t of trades) {
    const sum = sums.get(t.orderId) ?? { quantity: 0, value: 0 };
    sum.quantity += Math.abs(t.quantity);
    sum.value += Math.abs(t.quantity) * t.price;
    sums.set(t.orderId, sum);
  }
  const fills = new Map<string, Fill>();
  for (const [orderId, s] of sums) {
    fills.set(orderId, { quantity: s.quantity, averagePrice: s.quantity > 0 ? s.value / s.quantity : null });
  }
  return fills;
}

/** Whether this order's fills must come from the trade book. */
export function needsTradeBook(raw: RawOrder): boolean {
  // The status says it already; a rejected order never filled.
  return raw.filledQuantity === null && normaliseOrderStatus(raw.statusWord) !== 'rejected';
}

/** Whether an order's report is still right without the trade book (it is complete). */
export function tradeBookOptional(raw: RawOrder): boolean {
  return !needsTradeBook(raw) || normaliseOrderStatus(raw.statusWord) === 'complete';
}

/**
 * Build the report. `tradeFill` is this order's trade-book sum: undefined when the trade book
 * was not consulted (or could not be read for a complete order) or has no rows for it.
 */
export function toOrderReport(raw: RawOrder, tradeFill: Fill | undefined): OrderReport {
  const { filled, average } = resolveFill(raw, tradeFill);
  const report: OrderReport = {
    orderId: raw.orderId,
    symbol: raw.symbol,
    exchange: raw.exchange,
    action: raw.action,
    quantity: raw.quantity,
    priceType: raw.priceType,
    product: raw.product,
    price: raw.price,
    triggerPrice: raw.triggerPrice,
    status: normaliseOrderStatus(raw.statusWord, filled, raw.quantity),
    filledQuantity: filled,
    averagePrice: average,
    timestamp: raw.timestamp,
  };
  if (raw.rejectionReason !== undefined) report.rejectionReason = raw.rejectionReason;
  return report;
}

function resolveFill(raw: RawOrder, tradeFill: Fill | undefined): { filled: number; average: number | null } {
  const statusAverage = raw.averagePrice !== null && raw.averagePrice > 0 ? raw.averagePrice : null;
  if (raw.filledQuantity !== null) {
    return { filled: raw.filledQuantity, average: raw.filledQuantity > 0 ? statusAverage : null };
  }
  if (normaliseOrderStatus(raw.statusWord) === 'complete') {
    // Complete means fully filled, even when the trade book lags behind the status; its rows
    // still give a better average than the status's first-fill price.
    const average = tradeFill !== undefined && tradeFill.quantity > 0 ? tradeFill.averagePrice : statusAverage;
    return { filled: raw.quantity, average };
  }
  if (tradeFill === undefined || tradeFill.quantity <= 0) return { filled: 0, average: null };
  return { filled: tradeFill.quantity, average: tradeFill.averagePrice };
}
