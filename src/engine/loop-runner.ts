import { describeError } from '../broker/errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';

// The engine's timers: each loop sleeps on the engine clock, wakes early when its wake signal
// fires, runs its body, and goes on after a failure (logged with the loop's name) until the
// engine stops. With aligned polls every instrument of a desk wakes on the same clock boundary,
// so their reads of the account's books are one shared read.

export interface LoopDeps {
  clock: Clock;
  log: Logger;
  /** Aborted when the engine stops: every loop ends. */
  stop: AbortSignal;
  /** Wake `aligned` loops on multiples of their interval on the clock. */
  alignPolls: boolean;
}

/** Run `body` every `ms` until `stop` aborts; `wake` (asked before each sleep) cuts a sleep short. */
export async function runEvery(
  deps: LoopDeps,
  name: string,
  ms: number | (() => number),
  body: () => Promise<void>,
  wake?: () => AbortSignal,
  aligned = false,
): Promise<void> {
  const { stop } = deps;
  while (!stop.aborted) {
    try {
      const interval = typeof ms === 'number' ? ms : ms();
      await sleepUnlessWoken(deps, aligned && deps.alignPolls ? untilBoundary(deps.clock.now(), interval) : interval, wake?.());
    } catch {
      if (stop.aborted) return;
    }
    try {
      await body();
    } catch (err) {
      deps.log.error('ENGINE', `${name} failed: ${describeError(err)}`);
    }
  }
}

/** Time from `now` to the next multiple of `ms` on the clock (a whole `ms` when exactly on one). */
function untilBoundary(now: number, ms: number): number {
  return ms - (now % ms);
}

/** Sleep on the clock until `ms` pass, the engine stops, or `wake` aborts (which throws too). */
function sleepUnlessWoken(deps: LoopDeps, ms: number, wake?: AbortSignal): Promise<void> {
  return deps.clock.sleep(ms, wake ? stopOrWake(deps.stop, wake) : deps.stop);
}

/** The signal of "stopped or woken", one per wake signal (a loop sleeps many times between wakes). */
const eitherSignals = new WeakMap<AbortSignal, AbortSignal>();

function stopOrWake(stop: AbortSignal, wake: AbortSignal): AbortSignal {
  const known = eitherSignals.get(wake);
  if (known) return known;
  // Not AbortSignal.any: on Node 20 it keeps every dependent signal of a long-lived signal (the
  // engine's stop) alive until that one aborts. Here the stop listener goes when the wake fires.
  const either = new AbortController();
  const onStop = (): void => either.abort();
  const onWake = (): void => {
    stop.removeEventListener('abort', onStop);
    either.abort();
  };
  if (stop.aborted || wake.aborted) either.abort();
  else {
    stop.addEventListener('abort', onStop, { once: true });
    wake.addEventListener('abort', onWake, { once: true });
  }
  eitherSignals.set(wake, either.signal);
  return either.signal;
}

/**
 * A loop's wake: `wake()` cuts its current sleep short (and the next sleep gets a fresh signal);
 * `idle` says the loop sleeps only until woken (nothing due), so news that makes work due must
 * wake it.
 */
export class LoopWake {
  private controller = new AbortController();
  idle = false;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  wake(): void {
    this.idle = false;
    this.controller.abort();
    this.controller = new AbortController();
  }

  /** How long the loop sleeps: until the soonest of `due` (ms from now), or idle for `idleMs` when nothing is due. */
  nextIn(due: readonly number[], idleMs: number): number {
    this.idle = due.length === 0;
    return this.idle ? idleMs : Math.max(1, Math.min(...due));
  }
}
