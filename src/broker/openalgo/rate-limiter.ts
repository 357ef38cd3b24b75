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
  /**
   * Spread the grants evenly, at least windowMs / limit apart, instead of letting `limit` go at
   * once. The server counts on its own clock as it handles each request: two bursts a window
   * apart, the first handled late, land in one of its windows together (a 429). Even grants
   * cannot bunch that way. For several instruments, whose entries and legs fall on one instant.
   */
  even?: boolean;
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
  private readonly gapMs: number;

  constructor(opts: RateLimiterOptions) {
    if (!(opts.limit >= 1)) throw new RangeError(`rate limit must be >= 1, got ${opts.limit}`);
    this.limit = Math.floor(opts.limit);
    this.windowMs = opts.windowMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.gapMs = opts.even ? this.windowMs / this.limit : 0;
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
      while (this.grants[0] !== undefined && this.grants[0] <= now - this.windowMs) this.grants.shift();
      const oldest = this.grants[0];
      const last = this.grants[this.grants.length - 1];
      // A full window waits for its oldest grant to leave it; even grants also wait out the gap.
      const windowWait = oldest !== undefined && this.grants.length >= this.limit ? oldest + this.windowMs - now : 0;
      const gapWait = last !== undefined ? last + this.gapMs - now : 0;
      const wait = Math.max(windowWait, gapWait);
      if (wait <= 0) {
        this.grants.push(now);
        return;
      }
      // At least 1 ms, so a coarse clock cannot spin.
      await this.sleep(Math.max(1, wait));
    }
  }
}
