// A client-side moving-window limiter: at most `limit` grants within any `windowMs`.
// The server limits by a moving window per route; staying under it ourselves means the bot
// never causes a 429. Callers queue (FIFO) for a slot instead of failing.

export interface RateLimiterOptions {
  /** Grants allowed within any window. Must be >= 1. */
  limit: number;
  /** Window length in ms (default 1000: the server counts per second). */
  windowMs?: number;
  /** Clock in epoch ms; injectable for tests (default Date.now). */
  now?: () => number;
  /** Waits `ms`; injectable for tests (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Times of the grants still inside the window, oldest first. */
  private readonly grants: number[] = [];
  /** The end of the queue: each acquire chains onto it, which makes the queue FIFO. */
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(opts: RateLimiterOptions) {
    if (!(opts.limit >= 1)) throw new RangeError(`rate limit must be >= 1, got ${opts.limit}`);
    this.limit = Math.floor(opts.limit);
    this.windowMs = opts.windowMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
  }

  /** Callers queued for a slot, including the one currently waiting. */
  get pending(): number {
    return this.waiting;
  }

  /** Resolves when the caller may send; callers are served in the order they asked. */
  acquire(): Promise<void> {
    this.waiting++;
    const turn = this.tail.then(() => this.waitForSlot()).finally(() => {
      this.waiting--;
    });
    // A failing sleep must not jam the queue for everyone behind it.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Acquire a slot, then run `fn`. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    return fn();
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      let oldest = this.grants[0];
      while (oldest !== undefined && oldest <= now - this.windowMs) {
        this.grants.shift();
        oldest = this.grants[0];
      }
      if (oldest === undefined || this.grants.length < this.limit) {
        this.grants.push(now);
        return;
      }
      // Wait until the oldest grant leaves the window (at least 1 ms, so a coarse clock
      // cannot spin).
      await this.sleep(Math.max(1, oldest + this.windowMs - now));
    }
  }
}
