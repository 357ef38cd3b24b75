import type { EngineEvent, EngineObserver } from '../engine/events.js';

// The journal's observer on the engine. The engine calls it synchronously in the middle of its
// work (between a fill and the next order), so the call only queues the event; the disk work
// happens later, in one transaction per batch, after the engine's current step has finished.
// A write that fails is reported once and dropped: the journal is history, trading goes on, and
// the state file (not the journal) is what a restart trusts.

/** Where the batches go: the SQLite writer, or a stand-in in tests. */
export interface JournalSink {
  write(events: readonly EngineEvent[]): void;
}

export interface RecorderOptions {
  sink: JournalSink;
  /** Told of the first failed write only (later ones are counted in `failedBatches`). */
  onFirstError: (err: unknown) => void;
  /** After each batch that was written (e.g. to refresh the store's view of the journal). */
  onWritten?: (events: readonly EngineEvent[]) => void;
  /** Runs `flush` later, off the engine's call; default setImmediate. */
  schedule?: (flush: () => void) => void;
}

export class JournalRecorder {
  private queue: EngineEvent[] = [];
  private scheduled = false;
  private closed = false;
  private failures = 0;
  private readonly schedule: (flush: () => void) => void;

  constructor(private readonly opts: RecorderOptions) {
    this.schedule = opts.schedule ?? ((flush) => void setImmediate(flush));
  }

  /** The observer to give the engine: O(1), no I/O. */
  readonly observe: EngineObserver = (event) => {
    if (this.closed) return;
    this.queue.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  };

  get pending(): number {
    return this.queue.length;
  }

  get failedBatches(): number {
    return this.failures;
  }

  /** Write what is queued now, as one batch. */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.opts.sink.write(batch);
    } catch (err) {
      this.failures++;
      if (this.failures === 1) this.opts.onFirstError(err);
      return;
    }
    this.opts.onWritten?.(batch);
  }

  /** The final flush; later events are ignored. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  /** A crash in tests: what is queued is lost, as it would be. */
  abandon(): void {
    this.queue = [];
    this.closed = true;
  }
}
