// Decides, call by call and fill by fill, which fault fires: a scripted one-shot first, else a
// roll of the configured rate on a seeded stream (one stream per kind of decision, so adding
// price steps does not shift which call gets the 500).

import type { Action, PriceType } from '../types.js';
import { resolveFaults, type FaultConfig, type FaultName } from './faults.js';
import { deriveSeed, mulberry32, type Rng } from './rng.js';

/** Broker calls the paper broker counts and can fail. */
export type BrokerCallName =
  | 'placeOrder'
  | 'orderStatus'
  | 'cancelOrder'
  | 'modifyOrder'
  | 'orderBook'
  | 'tradeBook'
  | 'positionBook'
  | 'quote'
  | 'searchInstrument'
  | 'health'
  | 'openPosition'
  | 'closeAllPositions'
  | 'cancelAllOrders'
  | 'funds'
  | 'marketHolidays'
  | 'marketTimings';

/** Faults that can be scripted once with injectOnce (the rest are settings). */
/** The push feed's faults are the feed's own (PaperFeed reads them live), not one-shot broker faults. */
export type FeedFaultName = 'feedDrop' | 'feedDownMs' | 'feedSilentOrders' | 'feedLoseUpdate' | 'feedDuplicate' | 'feedDelayMs';
export type OnceFault = Exclude<FaultName, 'partialRestFills' | 'serverErrorBurst' | 'rejectAfterAcceptPriceType' | FeedFaultName>;

/** Narrows which call, order or fill a one-shot fault hits; unset fields match anything. */
export interface FaultMatch {
  /** serverError, rateLimited, latencyMs: only this call. */
  call?: BrokerCallName;
  /** Order faults: only orders with this action. */
  action?: Action;
  /** Order faults: only orders of this price type. */
  priceType?: PriceType;
  /** partialFill: the quantity that fills (rounded down to whole lots, kept ≥ 1 lot and < quantity). */
  fillQuantity?: number;
  /** notFoundAfterPlaceMs, marketHangMs, latencyMs: how long (default: the configured value, else 1500/3000/200). */
  ms?: number;
  /** serverError, rateLimited: consecutive failing calls (default serverErrorBurst / 1). */
  count?: number;
  /** rejectAfterAccept: the rejection reason shown in the order status. */
  reason?: string;
}

interface OrderLike {
  action: Action;
  priceType: PriceType;
}

/** What happens to an order the broker accepted. */
export interface AcceptFaults {
  /** The placeOrder call times out although the order is placed. */
  acceptThenTimeout: boolean;
  /** Rejection reason when the order is to be rejected right after acceptance. */
  rejectAfterAccept: string | null;
  /** The order is "not found" for this long. */
  hiddenMs: number;
  /** A MARKET order rests open this long before it fills. */
  hangMs: number;
}

const REJECT_REASON = 'RMS: order rejected by the broker after acceptance (paper fault rejectAfterAccept)';

export class FaultPlan {
  config: FaultConfig;
  private readonly callRng: Rng;
  private readonly orderRng: Rng;
  private readonly fillRng: Rng;
  private readonly stepRng: Rng;
  private once: { fault: OnceFault; match: FaultMatch }[] = [];
  private serverLeft = 0;
  private limitedLeft = 0;

  constructor(seed: number, config: Partial<FaultConfig> = {}) {
    this.config = resolveFaults(config);
    this.callRng = mulberry32(deriveSeed(seed, 11));
    this.orderRng = mulberry32(deriveSeed(seed, 12));
    this.fillRng = mulberry32(deriveSeed(seed, 13));
    this.stepRng = mulberry32(deriveSeed(seed, 14));
  }

  inject(fault: OnceFault, match: FaultMatch = {}): void {
    this.once.push({ fault, match });
  }

  /** One-shot faults not yet consumed. */
  get pendingOnce(): readonly { fault: OnceFault; match: FaultMatch }[] {
    return this.once;
  }

  /** Extra latency for this call, in ms. */
  latency(call: BrokerCallName): number {
    const once = this.take('latencyMs', (m) => m.call === undefined || m.call === call);
    return once ? (once.ms ?? (this.config.latencyMs || 200)) : this.config.latencyMs;
  }

  /** A transport-level failure for this call, if any. */
  callError(call: BrokerCallName): 'server' | 'rate_limited' | null {
    if (this.serverLeft > 0) {
      this.serverLeft--;
      return 'server';
    }
    if (this.limitedLeft > 0) {
      this.limitedLeft--;
      return 'rate_limited';
    }
    const forCall = (m: FaultMatch): boolean => m.call === undefined || m.call === call;
    const server = this.take('serverError', forCall);
    if (server || (this.config.serverError > 0 && this.callRng.chance(this.config.serverError))) {
      this.serverLeft = Math.max(1, server?.count ?? this.config.serverErrorBurst) - 1;
      return 'server';
    }
    const limited = this.take('rateLimited', forCall);
    if (limited || (this.config.rateLimited > 0 && this.callRng.chance(this.config.rateLimited))) {
      this.limitedLeft = Math.max(1, limited?.count ?? 1) - 1;
      return 'rate_limited';
    }
    return null;
  }

  /** placeOrder times out before reaching the broker: nothing is placed. */
  timeoutNotPlaced(order: OrderLike): boolean {
    return this.hit('timeoutNotPlaced', this.config.timeoutNotPlaced, order);
  }

  /** SL-M is refused for this order. */
  slmRefused(order: OrderLike): boolean {
    if (order.priceType !== 'SL-M') return false;
    return this.take('slmRefused', (m) => matchesOrder(m, order)) !== null || this.config.slmRefused;
  }

  /** MARKET is refused for this order. */
  marketRefused(order: OrderLike): boolean {
    if (order.priceType !== 'MARKET') return false;
    return this.take('marketRefused', (m) => matchesOrder(m, order)) !== null || this.config.marketRefused;
  }

  /** Whether the print that triggers this stop-limit gaps straight past its limit. */
  stopGaps(order: OrderLike): boolean {
    if (order.priceType !== 'SL') return false;
    return this.hit('stopGap', this.config.stopGap, order);
  }

  /** Faults for an order that passed validation and is being accepted. */
  accepted(order: OrderLike): AcceptFaults {
    const c = this.config;
    const rejectType = c.rejectAfterAcceptPriceType;
    const rejectRate = rejectType === null || rejectType === order.priceType ? c.rejectAfterAccept : 0;
    const reject = this.take('rejectAfterAccept', (m) => matchesOrder(m, order));
    const rejected = reject !== null || (rejectRate > 0 && this.orderRng.chance(rejectRate));
    const hidden = this.take('notFoundAfterPlaceMs', (m) => matchesOrder(m, order));
    const hang = order.priceType === 'MARKET' ? this.take('marketHangMs', (m) => matchesOrder(m, order)) : null;
    return {
      acceptThenTimeout: this.hit('acceptThenTimeout', c.acceptThenTimeout, order),
      rejectAfterAccept: rejected ? (reject?.reason ?? REJECT_REASON) : null,
      hiddenMs: hidden ? (hidden.ms ?? (c.notFoundAfterPlaceMs || 1500)) : c.notFoundAfterPlaceMs,
      hangMs: order.priceType !== 'MARKET' ? 0 : hang ? (hang.ms ?? (c.marketHangMs || 3000)) : c.marketHangMs,
    };
  }

  /**
   * The quantity an order's first fill takes, when this fill is to be partial; null for a full
   * fill. Only MARKET/LIMIT orders of at least two lots qualify.
   */
  partialFill(order: OrderLike & { quantity: number }, lotSize: number): number | null {
    const lots = Math.floor(order.quantity / lotSize);
    if ((order.priceType !== 'MARKET' && order.priceType !== 'LIMIT') || lots < 2) return null;
    const once = this.take('partialFill', (m) => matchesOrder(m, order));
    if (once?.fillQuantity !== undefined) {
      const wanted = Math.floor(once.fillQuantity / lotSize);
      return Math.min(lots - 1, Math.max(1, wanted)) * lotSize;
    }
    if (!once && !(this.config.partialFill > 0 && this.fillRng.chance(this.config.partialFill))) return null;
    return (1 + this.fillRng.int(lots - 1)) * lotSize;
  }

  /** Whether this gap over a resting limit leaves it unfilled. */
  gapSkipsLimit(order: OrderLike): boolean {
    return this.take('gapLeavesLimitUnfilled', (m) => matchesOrder(m, order)) !== null || this.config.gapLeavesLimitUnfilled;
  }

  /** Whether the open position is closed from outside on this step. */
  externalClose(): boolean {
    if (this.take('externalClose', () => true)) return true;
    return this.config.externalClose > 0 && this.stepRng.chance(this.config.externalClose);
  }

  private hit(fault: OnceFault, rate: number, order: OrderLike): boolean {
    if (this.take(fault, (m) => matchesOrder(m, order))) return true;
    return rate > 0 && this.orderRng.chance(rate);
  }

  private take(fault: OnceFault, matches: (m: FaultMatch) => boolean): FaultMatch | null {
    const i = this.once.findIndex((o) => o.fault === fault && matches(o.match));
    if (i < 0) return null;
    const [entry] = this.once.splice(i, 1);
    return entry?.match ?? null;
  }
}

function matchesOrder(m: FaultMatch, order: OrderLike): boolean {
  return (m.action === undefined || m.action === order.action) && (m.priceType === undefined || m.priceType === order.priceType);
}
