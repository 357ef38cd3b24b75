import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import { JournalRecorder, type JournalSink } from '../../src/journal/recorder.js';

const notable = (i: number): EngineEvent => ({ type: 'notable', at: i, kind: 'critical', message: `event ${i}` });
const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A journal whose every write blocks the thread for `ms` (a slow disk). */
function slowSink(ms: number): JournalSink & { batches: EngineEvent[][] } {
  const batches: EngineEvent[][] = [];
  return {
    batches,
    write(events) {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // busy: the thread is held, as a synchronous SQLite write holds it
      }
      batches.push([...events]);
    },
  };
}

describe('the journal stays off the engine hot path', () => {
  it('the observer call returns without touching the journal, even when a write takes 50 ms; the batch is written afterwards in one go', async () => {
    const sink = slowSink(50);
    const recorder = new JournalRecorder({ sink, onFirstError: () => {} });
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) recorder.observe(notable(i));
    const spent = performance.now() - t0;
    expect(sink.batches).toHaveLength(0); // nothing written inside the engine's calls
    expect(spent).toBeLessThan(25); // 200 calls; one write alone would take 50 ms
    expect(recorder.pending).toBe(200);
    await immediate();
    expect(sink.batches.map((b) => b.length)).toEqual([200]);
    expect(recorder.pending).toBe(0);
  });

  it('a failing journal is reported once, later batches still tried, and nothing piles up', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const written: EngineEvent[][] = [];
    const recorder = new JournalRecorder({
      sink: { write: (events) => { if (fail) throw new Error('disk I/O error'); written.push([...events]); } },
      onFirstError: (err) => errors.push(err),
    });
    for (let round = 0; round < 3; round++) {
      recorder.observe(notable(round));
      await immediate();
    }
    expect(errors).toHaveLength(1);
    expect(recorder.failedBatches).toBe(3);
    expect(recorder.pending).toBe(0);
    fail = false;
    recorder.observe(notable(9));
    await immediate();
    expect(written).toEqual([[notable(9)]]);
  });

  it('close flushes what is queued; abandon (a crash) loses it', () => {
    const sink = slowSink(0);
    const a = new JournalRecorder({ sink, onFirstError: () => {}, schedule: () => {} });
    a.observe(notable(1));
    a.close();
    a.observe(notable(2));
    expect(sink.batches).toEqual([[notable(1)]]);
    const b = new JournalRecorder({ sink, onFirstError: () => {}, schedule: () => {} });
    b.observe(notable(3));
    b.abandon();
    b.flush();
    expect(sink.batches).toHaveLength(1);
  });
});
