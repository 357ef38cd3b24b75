import type { OrderRequest } from '../broker/types.js';
import type { OrderPhase, TradeRecord } from '../store/types.js';
import type { OrderRole } from './order-machine.js';

// What the engine did, as events for those who keep a record of it or tell the trader (the
// journal, alerts). Observers only listen: they never decide anything, and one that throws or
// is slow must not touch trading, so each is called inside its own try/catch and is expected to
// queue its work (a disk write, an HTTP post) rather than do it in the call.

/** Where the engine learnt of an order's new state. */
export type OrderEventSource = 'push' | 'poll' | 'reconcile' | 'recovery' | 'placement';

export type NotableKind =
  | 'critical'
  | 'halt'
  | 'resume'
  | 'recovery'
  | 'outside_close'
  | 'feed_down'
  | 'feed_up'
  | 'square_off'
  | 'day_summary'
  /** A protective limit resting unfilled: the chase started, moved its limit, or gave up for the market. */
  | 'stop_chase'
  /** The exit rules moved the stop: trailing the best price, or to break-even (the journal keeps every move). */
  | 'stop_trailed'
  | 'stop_breakeven'
  /** PARTIAL_TARGET_LOTS booked at market. */
  | 'partial_target';

export type EngineEvent =
  /** The broker accepted an order of ours (or a timed-out one was found and adopted). */
  | { type: 'order_placed'; at: number; role: OrderRole; orderId: string; request: OrderRequest; adopted: boolean }
  /** An order of ours moved to a new phase, or filled more, by what the broker said. */
  | {
      type: 'order_changed';
      at: number;
      role: OrderRole;
      orderId: string | null;
      request: OrderRequest;
      from: OrderPhase;
      to: OrderPhase;
      filled: number;
      avgPrice: number | null;
      source: OrderEventSource;
      reason?: string;
    }
  /** Quantity newly filled on one of our orders, at the price of that portion. */
  | { type: 'fill'; at: number; role: OrderRole; orderId: string | null; action: OrderRequest['action']; quantity: number; price: number; source: OrderEventSource }
  /** A round trip closed and was counted in the day's P&L. */
  | { type: 'trade_closed'; at: number; trade: TradeRecord }
  | { type: 'notable'; at: number; kind: NotableKind; message: string };

export type EngineObserver = (event: EngineEvent) => void;

/** One emit for the engine: every observer gets every event; a failing one is reported once. */
export function fanOut(observers: readonly EngineObserver[], onFailure: (index: number, err: unknown) => void): EngineObserver {
  const failed = new Set<number>();
  return (event) => {
    observers.forEach((observe, index) => {
      try {
        observe(event);
      } catch (err) {
        if (!failed.has(index)) {
          failed.add(index);
          onFailure(index, err);
        }
      }
    });
  };
}

/** The price of the part of an order that filled between two reports, from the two averages. */
export function priceOfIncrement(prevFilled: number, prevAvg: number | null, filled: number, avg: number | null): number | null {
  if (avg === null || filled <= prevFilled) return null;
  if (prevFilled === 0 || prevAvg === null) return avg;
  const value = avg * filled - prevAvg * prevFilled;
  const price = value / (filled - prevFilled);
  // Brokers whose "average" is the last fill's price make the difference meaningless: use it as is.
  return Number.isFinite(price) && price > 0 ? Math.round(price * 100) / 100 : avg;
}
