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
  constructor(
    private readonly settle: () => void = () => {},
    /** A spawned task failed: told its name and error (the engine logs it). */
    private readonly failed: (task: string, err: unknown) => void = () => {},
  ) {}

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

  /** Run a task nobody awaits (a pushed update, a key, a timer): its failure is reported by name, never lost. */
  spawn(name: string, task: () => Promise<unknown>): void {
    this.run(task).catch((err: unknown) => {
      try {
        this.failed(name, err);
      } catch {
        // the reporter's own failure must not become an unhandled rejection
      }
    });
  }
}
