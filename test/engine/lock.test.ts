import { describe, expect, it } from 'vitest';
import { SerialLock } from '../../src/engine/lock.js';

describe('SerialLock', () => {
  it('runs tasks one at a time and settles after each, however it ended', async () => {
    const seen: string[] = [];
    const lock = new SerialLock(() => seen.push(`settle busy=${String(lock.busy)}`));
    const a = lock.run(async () => {
      seen.push('a');
      await Promise.resolve();
      seen.push('a done');
    });
    const b = lock.run(async () => {
      seen.push('b');
      throw new Error('b failed');
    });
    await a;
    await expect(b).rejects.toThrow('b failed');
    await Promise.resolve();
    expect(seen).toEqual(['a', 'a done', 'settle busy=true', 'b', 'settle busy=true']);
    expect(lock.busy).toBe(false);
  });

  it('a settle hook that throws does not stop the next task', async () => {
    const lock = new SerialLock(() => {
      throw new Error('commit failed');
    });
    await lock.run(async () => 1);
    await expect(lock.run(async () => 2)).resolves.toBe(2);
  });

  it('a spawned task nobody awaits that fails is reported by name, and the next task still runs', async () => {
    const failures: string[] = [];
    const lock = new SerialLock(() => {}, (task, err) => failures.push(`${task}: ${(err as Error).message}`));
    lock.spawn('pushed order update', async () => {
      throw new Error('boom');
    });
    await expect(lock.run(async () => 'next')).resolves.toBe('next');
    expect(failures).toEqual(['pushed order update: boom']);
  });

  it('a reporter that throws does not become an unhandled rejection', async () => {
    const lock = new SerialLock(() => {}, () => {
      throw new Error('reporter broke');
    });
    lock.spawn('task', async () => {
      throw new Error('boom');
    });
    await expect(lock.run(async () => 1)).resolves.toBe(1);
  });
});
