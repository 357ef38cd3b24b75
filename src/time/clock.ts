// Time is injected: the engine, the paper market and every scenario read it from a Clock, so a
// whole trading day runs in tests in milliseconds and the schedule is IST whatever the machine's zone.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolve after `ms` of this clock's time; reject with AbortError when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortError(): Error {
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told. `advance` fires due sleepers in time order and lets the
 * promise chains they start run to their next sleep before moving on.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];

  constructor(startMs: number) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortError());
      };
      const sleeper: Sleeper = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of pending sleepers (for tests that check nothing is left running). */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Let every runnable promise chain settle (microtasks and immediates). */
  async settle(rounds = 8): Promise<void> {
    for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
  }

  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await this.settle();
      let next: Sleeper | undefined;
      for (const s of this.sleepers) {
        if (s.at <= target && (!next || s.at < next.at || (s.at === next.at && s.seq < next.seq))) next = s;
      }
      if (!next) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    this.t = target;
    await this.settle();
  }

  /** Advance in steps until `done()` holds or `maxMs` passes; returns whether it held. */
  async advanceUntil(done: () => boolean, maxMs: number, stepMs = 250): Promise<boolean> {
    const end = this.t + maxMs;
    while (!done()) {
      if (this.t >= end) return false;
      await this.advance(Math.min(stepMs, end - this.t));
    }
    return true;
  }

  /** Jump the wall clock (a clock step), without firing sleepers in between. */
  jump(ms: number): void {
    this.t += ms;
  }
}
