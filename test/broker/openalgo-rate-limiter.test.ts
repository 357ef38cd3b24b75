import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/broker/openalgo/rate-limiter.js';

/** A fake clock: sleeping advances it at once. */
function fakeTime() {
  const t = { now: 0, sleeps: [] as number[] };
  const sleep = async (ms: number): Promise<void> => {
    t.sleeps.push(ms);
    t.now += ms;
  };
  return { t, now: () => t.now, sleep };
}

describe('RateLimiter', () => {
  it('grants up to the limit at once, then queues for the window', async () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ limit: 3, windowMs: 1000, now, sleep });
    const grants: Array<[number, number]> = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => limiter.acquire().then(() => grants.push([i, t.now]))),
    );
    expect(grants).toEqual([[0, 0], [1, 0], [2, 0], [3, 1000], [4, 1000], [5, 1000], [6, 2000]]);
    expect(limiter.pending).toBe(0);
  });

  it('serves callers first in, first out', async () => {
    const { now, sleep } = fakeTime();
    const limiter = new RateLimiter({ limit: 1, windowMs: 100, now, sleep });
    const order: number[] = [];
    await Promise.all([5, 4, 3, 2, 1].map((n) => limiter.acquire().then(() => order.push(n))));
    expect(order).toEqual([5, 4, 3, 2, 1]);
  });

  it('is a moving window: a slot frees when the oldest grant is windowMs old', async () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ limit: 2, windowMs: 1000, now, sleep });
    await limiter.acquire(); // t=0
    t.now = 600;
    await limiter.acquire(); // t=600
    t.now = 700;
    await limiter.acquire(); // waits for the t=0 grant to age out
    expect(t.sleeps).toEqual([300]);
    expect(t.now).toBe(1000);
    await limiter.acquire(); // waits for the t=600 grant
    expect(t.now).toBe(1600);
  });

  it('never lets more than the limit into any window', async () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ limit: 4, windowMs: 1000, now, sleep });
    const times: number[] = [];
    for (let burst = 0; burst < 5; burst++) {
      await Promise.all(Array.from({ length: 6 }, () => limiter.acquire().then(() => times.push(t.now))));
      t.now += 137 * burst;
    }
    for (const start of times) {
      expect(times.filter((x) => x >= start && x < start + 1000).length).toBeLessThanOrEqual(4);
    }
  });

  it('a failing wait rejects that caller only; the queue keeps moving', async () => {
    const { t, now } = fakeTime();
    let fail = true;
    const sleep = async (ms: number): Promise<void> => {
      if (fail) {
        fail = false;
        throw new Error('boom');
      }
      t.now += ms;
    };
    const limiter = new RateLimiter({ limit: 1, windowMs: 100, now, sleep });
    await limiter.acquire();
    const second = limiter.acquire();
    const third = limiter.acquire();
    await expect(second).rejects.toThrow('boom');
    await expect(third).resolves.toBeUndefined();
    expect(t.now).toBe(100);
  });

  it('runs a task after its slot with run()', async () => {
    const { now, sleep } = fakeTime();
    const limiter = new RateLimiter({ limit: 1, now, sleep });
    await expect(limiter.run(async () => 42)).resolves.toBe(42);
  });

  it('waits on the real clock by default', async () => {
    const limiter = new RateLimiter({ limit: 2, windowMs: 30 });
    const start = Date.now();
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(25);
  });

  it('refuses a limit below 1', () => {
    expect(() => new RateLimiter({ limit: 0 })).toThrow(RangeError);
  });
});

describe('RateLimiter, even grants (several instruments)', () => {
  it('spreads a burst over the window: never two grants closer than windowMs / limit', async () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ limit: 8, windowMs: 1000, now, sleep, even: true });
    const at: number[] = [];
    await Promise.all(Array.from({ length: 12 }, () => limiter.acquire().then(() => at.push(t.now))));
    expect(at).toEqual([0, 125, 250, 375, 500, 625, 750, 875, 1000, 1125, 1250, 1375]);
    // Any one-second window holds at most 8.
    for (const start of at) expect(at.filter((x) => x >= start && x < start + 1000).length).toBeLessThanOrEqual(8);
  });
});
