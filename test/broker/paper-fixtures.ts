// Shared set-up for the paper broker tests: a frozen market at ₹100 (bid 99.95, ask 100.05) on a
// fake clock, so every price in a test is the one the test set.

import { PaperBroker, type PaperBrokerOptions } from '../../src/broker/paper/paper-broker.js';
import { PaperMarket, type PaperMarketOptions } from '../../src/broker/paper/market.js';
import type { FaultConfig } from '../../src/broker/paper/faults.js';
import type { Instrument, OrderRequest } from '../../src/broker/types.js';
import { FakeClock } from '../../src/time/clock.js';

export const T0 = Date.UTC(2025, 10, 13, 4, 0, 0); // 09:30 IST

export const OPTION: Instrument = {
  symbol: 'NIFTY28NOV2525000CE',
  exchange: 'NFO',
  lotSize: 75,
  tickSize: 0.05,
  freezeQty: 1800,
};

/** A future: SL-M is allowed (on options the exchange refuses it). */
export const FUTURE: Instrument = {
  symbol: 'NIFTY25NOV25FUT',
  exchange: 'NFO',
  lotSize: 75,
  tickSize: 0.05,
  freezeQty: 1800,
};

export interface Rig {
  clock: FakeClock;
  market: PaperMarket;
  broker: PaperBroker;
}

export function rig(opts: {
  faults?: Partial<FaultConfig>;
  seed?: number;
  frozen?: boolean;
  market?: Partial<PaperMarketOptions>;
  broker?: Partial<PaperBrokerOptions>;
  /** Default OPTION; FUTURE where a test needs SL-M. */
  instrument?: Instrument;
} = {}): Rig {
  const clock = new FakeClock(T0);
  const market = new PaperMarket({ clock, seed: opts.seed ?? 7, instrument: opts.instrument ?? OPTION, startPrice: 100, gapRate: 0, ...opts.market });
  if (opts.frozen ?? true) market.freeze(true);
  const broker = new PaperBroker({ clock, market, seed: opts.seed ?? 7, faults: opts.faults ?? {}, ...opts.broker });
  return { clock, market, broker };
}

export function order(action: 'BUY' | 'SELL', quantity = 75, extra: Partial<OrderRequest> = {}): OrderRequest {
  return { symbol: OPTION.symbol, exchange: OPTION.exchange, action, quantity, priceType: 'MARKET', product: 'MIS', ...extra };
}

/** The same order on FUTURE (SL-M allowed). */
export const onFuture = (req: OrderRequest): OrderRequest => ({ ...req, symbol: FUTURE.symbol, exchange: FUTURE.exchange });

export const limit = (action: 'BUY' | 'SELL', price: number, quantity = 75): OrderRequest =>
  order(action, quantity, { priceType: 'LIMIT', price });
export const slm = (action: 'BUY' | 'SELL', trigger: number, quantity = 75): OrderRequest =>
  order(action, quantity, { priceType: 'SL-M', triggerPrice: trigger });
export const sl = (action: 'BUY' | 'SELL', trigger: number, price: number, quantity = 75): OrderRequest =>
  order(action, quantity, { priceType: 'SL', triggerPrice: trigger, price });

/** A second instrument beside OPTION, on its own tick (0.10), for the several-instruments tests. */
export const OPTION_PE: Instrument = {
  symbol: 'NIFTY28NOV2525000PE',
  exchange: 'NFO',
  lotSize: 75,
  tickSize: 0.1,
  freezeQty: 1800,
};

export interface TwoRig {
  clock: FakeClock;
  /** OPTION at ₹100 (bid 99.95, ask 100.05): the broker's first market. */
  call: PaperMarket;
  /** OPTION_PE at ₹50 (bid 49.90, ask 50.10). */
  put: PaperMarket;
  broker: PaperBroker;
}

/** Two frozen markets on one broker: each price in a test is the one the test set on that market. */
export function twoRig(opts: { faults?: Partial<FaultConfig>; broker?: Partial<PaperBrokerOptions> } = {}): TwoRig {
  const clock = new FakeClock(T0);
  const call = new PaperMarket({ clock, seed: 7, instrument: OPTION, startPrice: 100, gapRate: 0 });
  const put = new PaperMarket({ clock, seed: 8, instrument: OPTION_PE, startPrice: 50, gapRate: 0 });
  call.freeze(true);
  put.freeze(true);
  const broker = new PaperBroker({ clock, markets: [call, put], seed: 7, faults: opts.faults ?? {}, ...opts.broker });
  return { clock, call, put, broker };
}

/** An order for OPTION_PE. */
export function putOrder(action: 'BUY' | 'SELL', quantity = 75, extra: Partial<OrderRequest> = {}): OrderRequest {
  return order(action, quantity, { symbol: OPTION_PE.symbol, exchange: OPTION_PE.exchange, ...extra });
}
