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
});
