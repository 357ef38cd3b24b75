import type { Clock } from '../time/clock.js';
import type { TrackedOrder } from './order-machine.js';

// A task under the engine's lock that waits on an order (a market exit being confirmed) holds
// the lock while it sleeps between reads. A pushed update for that very order, or for a leg
// the waiter watches beside it, must not queue behind it: the feed applies it at once and wakes
// the waiter, which was going to read that order next anyway and acts on what it finds, exactly
// as after a poll.

export class OrderNews {
  private readonly waiting = new Map<TrackedOrder, AbortController>();

  constructor(private readonly clock: Clock) {}

  /** Sleep up to `ms`, or until news of one of `orders` arrives, whichever is first. */
  async sleep(orders: TrackedOrder | readonly TrackedOrder[], ms: number): Promise<void> {
    const watched = Array.isArray(orders) ? (orders as readonly TrackedOrder[]) : [orders as TrackedOrder];
    const wake = new AbortController();
    for (const order of watched) this.waiting.set(order, wake);
    try {
      await this.clock.sleep(ms, wake.signal);
    } catch {
      // woken by news: the waiter looks at its orders now
    } finally {
      for (const order of watched) if (this.waiting.get(order) === wake) this.waiting.delete(order);
    }
  }

  /** A locked task is waiting on this order right now. */
  awaited(order: TrackedOrder): boolean {
    return this.waiting.has(order);
  }

  /** News of `order` was applied: its waiter, if any, looks now. */
  wake(order: TrackedOrder): void {
    this.waiting.get(order)?.abort();
  }
}
