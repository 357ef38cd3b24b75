import { AUTH_MESSAGE, BrokerError, describeError } from '../broker/errors.js';
import type { Broker } from '../broker/types.js';
import type { AppStore } from '../store/store.js';
import type { Clock } from '../time/clock.js';

// Wraps the broker to keep the health the header shows (age of the last good call, round trip)
// and the flags that hold entries: broker unreachable, or the session with it expired.

export interface BrokerHealthFlags {
  reachable: boolean;
  sessionExpired: boolean;
}

export function instrumentBroker(broker: Broker, clock: Clock, store: AppStore, onChange: () => void): Broker & { flags: BrokerHealthFlags } {
  const flags: BrokerHealthFlags = { reachable: true, sessionExpired: false };
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = clock.now();
      try {
        const result = await fn(...args);
        const changed = !flags.reachable || flags.sessionExpired;
        flags.reachable = true;
        flags.sessionExpired = false;
        store.getState().brokerCallSucceeded(clock.now(), clock.now() - started);
        if (changed) onChange();
        return result;
      } catch (err) {
        if (err instanceof BrokerError) {
          const down = err.kind === 'not_sent' || err.kind === 'timeout' || err.kind === 'server';
          const expired = err.kind === 'auth';
          const changed = flags.reachable === down || flags.sessionExpired !== expired;
          if (down) flags.reachable = false;
          if (expired) flags.sessionExpired = true;
          if (down || expired) {
            store.getState().brokerCallFailed(expired ? AUTH_MESSAGE : describeError(err), !down);
            if (changed) onChange();
          } else {
            // A definite answer (rejected, not found) means the broker is up.
            store.getState().brokerCallSucceeded(clock.now(), clock.now() - started);
          }
        }
        throw err;
      }
    };
  return {
    label: broker.label,
    flags,
    placeOrder: wrap(broker.placeOrder.bind(broker)),
    orderStatus: wrap(broker.orderStatus.bind(broker)),
    cancelOrder: wrap(broker.cancelOrder.bind(broker)),
    modifyOrder: wrap(broker.modifyOrder.bind(broker)),
    orderBook: wrap(broker.orderBook.bind(broker)),
    tradeBook: wrap(broker.tradeBook.bind(broker)),
    positionBook: wrap(broker.positionBook.bind(broker)),
    quote: wrap(broker.quote.bind(broker)),
    searchInstrument: wrap(broker.searchInstrument.bind(broker)),
    health: wrap(broker.health.bind(broker)),
    ...(broker.history ? { history: wrap(broker.history.bind(broker)) } : {}),
    ...(broker.marketHolidays ? { marketHolidays: wrap(broker.marketHolidays.bind(broker)) } : {}),
    ...(broker.marketTimings ? { marketTimings: wrap(broker.marketTimings.bind(broker)) } : {}),
    close: async () => broker.close?.(),
  };
}
