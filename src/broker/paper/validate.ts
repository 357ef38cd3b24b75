// The checks a real broker's order management system makes before it accepts an order. Every
// violation is a BrokerError('rejected') with a message a trader can act on.

import { BrokerError } from '../errors.js';
import type { TickGrid } from '../ticks.js';
import { segmentOf } from '../segment.js';
import type { Instrument, OrderRequest, PriceType } from '../types.js';

/** The exchange's answer to an SL-M on an option, as brokers pass it on. */
export const SLM_ON_OPTIONS_REFUSED = '16052: Function not available: SL-M orders are not allowed on options (exchange rule); use SL';

const PRICE_TYPES: readonly PriceType[] = ['MARKET', 'LIMIT', 'SL', 'SL-M'];
const PRODUCTS: readonly string[] = ['MIS', 'CNC', 'NRML'];

/** The request's prices in whole ticks (0 where the price type has none). */
export interface ValidPrices {
  price: number;
  trigger: number;
}

/**
 * `triggered`: a modification of a stop that has already triggered (it rests as a limit now):
 * the exchange no longer checks its trigger against the last price.
 */
export function validateOrder(req: OrderRequest, instrument: Instrument | null, grid: TickGrid, ltpTicks: number, triggered = false): ValidPrices {
  const reject = (message: string): never => {
    throw new BrokerError('rejected', message);
  };
  if (!instrument) return reject(`instrument ${req.symbol} not found on ${req.exchange}`);
  if (req.action !== 'BUY' && req.action !== 'SELL') reject(`invalid action ${String(req.action)}`);
  if (!PRICE_TYPES.includes(req.priceType)) reject(`invalid price type ${String(req.priceType)}`);
  if (!PRODUCTS.includes(req.product)) reject(`invalid product ${req.product}`);

  const lot = instrument.lotSize;
  if (!Number.isInteger(req.quantity) || req.quantity <= 0) reject(`quantity must be a whole number above 0, got ${req.quantity}`);
  if (req.quantity % lot !== 0) reject(`quantity ${req.quantity} is not a multiple of the lot size ${lot}`);
  if (instrument.freezeQty !== null && req.quantity > instrument.freezeQty) {
    reject(`quantity ${req.quantity} exceeds the freeze quantity ${instrument.freezeQty}`);
  }

  const needsPrice = req.priceType === 'LIMIT' || req.priceType === 'SL';
  const needsTrigger = req.priceType === 'SL' || req.priceType === 'SL-M';
  const price = needsPrice ? onGrid('price', req.price ?? 0, grid, reject) : 0;
  const trigger = needsTrigger ? onGrid('trigger price', req.triggerPrice ?? 0, grid, reject) : 0;

  if (req.priceType === 'SL-M' && segmentOf(instrument.symbol, instrument.exchange, instrument.instrumentType) === 'option') {
    // NSE since 27 Sep 2021: no stop-loss market orders on index or stock options.
    reject(SLM_ON_OPTIONS_REFUSED);
  }
  if (needsTrigger && !triggered) {
    const ltp = grid.format(grid.fromTicks(ltpTicks));
    if (req.action === 'SELL' && trigger >= ltpTicks) {
      reject(`trigger price for a stop-loss SELL order must be below the last traded price ${ltp}`);
    }
    if (req.action === 'BUY' && trigger <= ltpTicks) {
      reject(`trigger price for a stop-loss BUY order must be above the last traded price ${ltp}`);
    }
  }
  if (req.priceType === 'SL') {
    if (req.action === 'SELL' && price > trigger) reject('limit price of an SL SELL order must be at or below its trigger price');
    if (req.action === 'BUY' && price < trigger) reject('limit price of an SL BUY order must be at or above its trigger price');
  }
  return { price, trigger };
}

function onGrid(what: string, value: number, grid: TickGrid, reject: (m: string) => never): number {
  if (!Number.isFinite(value) || value <= 0) reject(`${what} must be above 0, got ${value}`);
  if (!grid.isOnGrid(value)) reject(`${what} ${value} is not a multiple of the tick size ${grid.tick}`);
  return grid.toTicks(value);
}
