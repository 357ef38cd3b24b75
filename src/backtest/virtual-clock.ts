import type { Clock } from '../time/clock.js';

// The backtest's clock: time moves only when the runner says, as with the tests' FakeClock, but
// built for a whole day of the engine's one-second loops. Sleepers sit in a binary heap (by
// time, then by the order they went to sleep), an aborted sleep is dropped lazily, and after
// each instant's sleepers are woken the runner lets the engine's promise chains run with one
// macrotask turn — enough because everything on the backtest's path (engine, paper broker,
// journal buffer) is promise work with no timers of its own.

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
  reject: (err: Error) => void;
  dead: boolean;
}

function abortError(): Error {
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}

const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private heap: Sleeper[] = [];
  private readonly bySignal = new WeakMap<AbortSignal, Set<Sleeper>>();
  /** Sleepers woken so far (for the bench's profile of where a day's time goes). */
  wakes = 0;
  /** Instants at which at least one sleeper woke. */
  instants = 0;

  constructor(startMs: number) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const sleeper: Sleeper = { at: this.t + Math.max(0, ms), seq: this.seq++, dead: false, resolve, reject };
      if (signal) {
        const group = this.sleepersOf(signal);
        group.add(sleeper);
        sleeper.resolve = () => {
          group.delete(sleeper);
          resolve();
        };
      }
      this.push(sleeper);
    });
  }

  /**
   * The sleepers on one signal, with one abort listener for all of them: a loop sleeps on the
   * same signal thousands of times a day, and a listener added and removed each time was a
   * tenth of a backtest day.
   */
  private sleepersOf(signal: AbortSignal): Set<Sleeper> {
    const known = this.bySignal.get(signal);
    if (known) return known;
    const sleepers = new Set<Sleeper>();
    signal.addEventListener(
      'abort',
      () => {
        for (const s of sleepers) {
          s.dead = true;
          s.reject(abortError());
        }
        sleepers.clear();
      },
      { once: true },
    );
    this.bySignal.set(signal, sleepers);
    return sleepers;
  }

  /** Sleepers still waiting. */
  get pending(): number {
    return this.heap.filter((s) => !s.dead).length;
  }

  /** Let the promise chains started so far run to their next sleep. */
  settle(): Promise<void> {
    return turn();
  }

  /** Move to `target`, waking every sleeper due on the way, each instant in time order. */
  async advanceTo(target: number): Promise<void> {
    await turn();
    for (;;) {
      const next = this.peek();
      if (next === undefined || next.at > target) break;
      const at = next.at;
      if (at > this.t) this.t = at;
      // Everyone due at this instant, in the order they slept; then one turn for their chains.
      let woke = false;
      for (let s = this.peek(); s !== undefined && s.at === at; s = this.peek()) {
        this.pop();
        this.wakes++;
        woke = true;
        s.resolve();
      }
      if (woke) this.instants++;
      await turn();
    }
    if (target > this.t) this.t = target;
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.t + ms);
  }

  // ---- the heap ---------------------------------------------------------------------------

  private peek(): Sleeper | undefined {
    while (this.heap.length > 0 && (this.heap[0] as Sleeper).dead) this.pop();
    return this.heap[0];
  }

  private less(a: Sleeper, b: Sleeper): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(s: Sleeper): void {
    const h = this.heap;
    h.push(s);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i] as Sleeper, h[parent] as Sleeper)) break;
      [h[i], h[parent]] = [h[parent] as Sleeper, h[i] as Sleeper];
      i = parent;
    }
  }

  private pop(): Sleeper | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l] as Sleeper, h[m] as Sleeper)) m = l;
        if (r < h.length && this.less(h[r] as Sleeper, h[m] as Sleeper)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Sleeper, h[i] as Sleeper];
        i = m;
      }
    }
    return top;
  }
}
