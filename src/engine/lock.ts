import { trace, tracing } from './trace.js';
// Serialises the engine's trading actions: an OCO check, a reconciliation and a flatten never
// interleave their broker calls, so each one sees the state the previous one left.
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;
  private static nextId = 1;
  /** TEMP trace id. */
  readonly id = SerialLock.nextId++;
  /** TEMP trace: who holds the lock now, and since when. */
  holder: { label: string; since: number } | null = null;

  get busy(): boolean {
    return this.depth > 0;
  }

  run<T>(task: () => Promise<T>, label = tracing() ? callerLabel() : ''): Promise<T> {
    this.depth++;
    const queuedAt = Date.now();
    const wrapped = async (): Promise<T> => {
      const start = Date.now();
      this.holder = { label, since: start };
      try {
        return await task();
      } finally {
        const end = Date.now();
        if (tracing()) trace('lock', { lock: this.id, label, queuedAt, start, end });
        this.holder = null;
      }
    };
    const result = this.tail.then(wrapped, wrapped);
    this.tail = result.then(
      () => { this.depth--; },
      () => { this.depth--; },
    );
    return result;
  }
}

function callerLabel(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(3, 6).map((l) => l.trim().replace(/^at /, '').replace(/\(.*\/(dist|src)\//, '(')).join(' < ');
  return lines;
}
