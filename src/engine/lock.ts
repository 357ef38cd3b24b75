// Serialises the engine's trading actions: an OCO check, a reconciliation and a flatten never
// interleave their broker calls, so each one sees the state the previous one left.
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  get busy(): boolean {
    return this.depth > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.depth++;
    const result = this.tail.then(task, task);
    this.tail = result.then(
      () => { this.depth--; },
      () => { this.depth--; },
    );
    return result;
  }
}
