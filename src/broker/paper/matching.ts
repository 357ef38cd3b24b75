// Whether an order trades on a print, and at what price (in ticks). The rules follow an exchange
// (and OpenAlgo's analyzer sandbox): MARKET takes the touch; a resting LIMIT trades at its price
// once the LTP reaches it; SL-M/SL wait in "trigger pending" until the LTP crosses the trigger,
// then act as a MARKET / LIMIT order. These functions may move an order from trigger_pending to
// working and mark a gap skip; recording the fill is the caller's job.

import type { PaperOrder } from './ledger.js';
import type { MarketState, PriceEvent } from './market.js';

/** Match an order against the market as it stands (placement, modification): no movement to cross. */
export function matchNow(o: PaperOrder, s: MarketState): number | null {
  if (o.priceType === 'MARKET') return touch(o, s);
  if (o.status === 'trigger_pending') {
    if (!triggered(o, s.ltp)) return null;
    o.status = 'working';
    if (o.priceType === 'SL-M') return touch(o, s);
  }
  return marketableLimit(o, s);
}

/**
 * Match a resting order against a new print. `gapSkips` is asked only when a gap jumps over the
 * order's limit; true leaves the order unfilled until a normal step trades at or through it.
 */
export function matchEvent(o: PaperOrder, e: PriceEvent, gapSkips: () => boolean): number | null {
  if (o.priceType === 'MARKET') return touch(o, e);
  if (o.status === 'trigger_pending') {
    if (!triggered(o, e.ltp)) return null;
    o.status = 'working';
    if (o.priceType === 'SL-M') return touch(o, e);
    // An SL's limit goes live at this print: it trades now only if it is marketable here.
    return marketableLimit(o, e);
  }
  if (o.gapSkipped) {
    // No prints happened at the limit; only a print at it (a step through it, or a gap onto it) fills.
    const printed = e.kind === 'gap' ? e.ltp === o.price : Math.min(e.prev, e.ltp) <= o.price && o.price <= Math.max(e.prev, e.ltp);
    if (!printed) return null;
    o.gapSkipped = false;
    return o.price;
  }
  if (!limitReached(o, e.ltp)) return null;
  if (e.kind === 'gap' && jumpedOver(o, e) && gapSkips()) {
    o.gapSkipped = true;
    return null;
  }
  return o.price;
}

/** A market order's price: the ask for a BUY, the bid for a SELL. */
function touch(o: PaperOrder, s: MarketState): number {
  return o.action === 'BUY' ? s.ask : s.bid;
}

function triggered(o: PaperOrder, ltp: number): boolean {
  return o.action === 'SELL' ? ltp <= o.trigger : ltp >= o.trigger;
}

function limitReached(o: PaperOrder, ltp: number): boolean {
  return o.action === 'SELL' ? ltp >= o.price : ltp <= o.price;
}

/** A limit that is marketable on arrival trades at the better of its price and the touch. */
function marketableLimit(o: PaperOrder, s: MarketState): number | null {
  if (!limitReached(o, s.ltp)) return null;
  return o.action === 'SELL' ? Math.max(o.price, s.bid) : Math.min(o.price, s.ask);
}

function jumpedOver(o: PaperOrder, e: PriceEvent): boolean {
  return o.action === 'SELL' ? e.prev < o.price && e.ltp > o.price : e.prev > o.price && e.ltp < o.price;
}
