// Serialises the engine's trading actions: an OCO check, a reconciliation and a flatten never
// interleave their broker calls, so each one sees the state the previous one left.
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  /**
   * `settle` runs after every task, however it ended, before the next one starts: the engine
   * commits there, so an idle engine's state is always what was saved, even when a task changed
   * it on a path that returned early without its own commit.
   */
  constructor(private readonly settle: () => void = () => {}) {}

  get busy(): boolean {
    return this.depth > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.depth++;
    const result = this.tail.then(task, task);
    const done = (): void => {
      try {
        this.settle();
      } catch {
        // the settle hook reports its own failures; the next task must still run
      }
      this.depth--;
    };
    this.tail = result.then(done, done);
    return result;
  }
}
