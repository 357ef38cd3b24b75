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
async function sleepUnlessWoken(deps: LoopDeps, ms: number, wake?: AbortSignal): Promise<void> {
  if (!wake) return deps.clock.sleep(ms, deps.stop);
  // One controller per sleep, both listeners removed after: AbortSignal.any on a long-lived
  // signal keeps every dependent signal alive until that signal aborts (Node 20).
  const both = new AbortController();
  const abort = (): void => both.abort();
  deps.stop.addEventListener('abort', abort, { once: true });
  wake.addEventListener('abort', abort, { once: true });
  try {
    await deps.clock.sleep(ms, both.signal);
  } finally {
    deps.stop.removeEventListener('abort', abort);
    wake.removeEventListener('abort', abort);
  }
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
