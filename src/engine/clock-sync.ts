import type { Logger } from '../log/logger.js';
import type { AppStore } from '../store/store.js';
import { NOTABLE_OFFSET_MS, describeOffset, type CorrectedClock, type ServerClock } from '../time/server-clock.js';

// Keeps the engine's clock on the server's time: the first measurement is applied as soon as it
// arrives (the start-up health call), then the estimate is re-read every few minutes. Applying
// only at those moments keeps the schedule from jittering with every reply.

/** How often the estimate is re-applied. */
export const CLOCK_CHECK_MS = 3 * 60_000;
/** A change smaller than this is noise at a 1-second Date resolution: not applied. */
const APPLY_MIN_CHANGE_MS = 250;

export interface ClockSyncOptions {
  server: ServerClock;
  clock: CorrectedClock;
  log: Logger;
  store: AppStore;
  /** Default CLOCK_CHECK_MS. */
  everyMs?: number;
}

export interface ClockSync {
  /** Read the estimate now and apply it if it moved. */
  check(): void;
  stop(): void;
}

export function startClockSync(opts: ClockSyncOptions): ClockSync {
  const { server, clock, log, store } = opts;
  const stopped = new AbortController();
  let applied = false;

  const check = (): void => {
    const est = server.estimate();
    if (!est) return;
    const change = est.offsetMs - clock.offsetMs;
    if (applied && Math.abs(change) < APPLY_MIN_CHANGE_MS) return;
    const first = !applied;
    applied = true;
    clock.apply(est.offsetMs);
    store.getState().clockOffsetChanged(est.offsetMs);
    const detail = `${describeOffset(est.offsetMs)} against the server (±${(est.uncertaintyMs / 1000).toFixed(1)} s, ${est.samples} sample${est.samples === 1 ? '' : 's'}, ${est.source}): the schedule runs on the server's time`;
    if (first) log.info('CLOCK', detail);
    else if (Math.abs(change) >= NOTABLE_OFFSET_MS) log.warn('CLOCK', `offset changed by ${(change / 1000).toFixed(1)} s: ${detail}`);
  };

  // The first sample is the start-up health call: apply it before the schedule starts.
  const unsubscribe = server.onSample(() => {
    if (!applied) check();
  });

  const loop = async (): Promise<void> => {
    const every = opts.everyMs ?? CLOCK_CHECK_MS;
    while (!stopped.signal.aborted) {
      try {
        await clock.sleep(every, stopped.signal);
      } catch {
        return;
      }
      check();
    }
  };
  void loop();

  return {
    check,
    stop: () => {
      unsubscribe();
      stopped.abort();
    },
  };
}
