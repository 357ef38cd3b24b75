import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { openJournal } from '../../src/journal/db.js';
import { startJournal, type Journal } from '../../src/journal/journal.js';
import { readTrades } from '../../src/journal/reads.js';
import { createAppStore } from '../../src/store/store.js';
import { enterAndProtect, scenario, type Scenario } from '../engine/harness.js';

// A crash between a fill and its journal write, for real in the engine: the round trip is in
// the state file (saved synchronously when it closed) but still queued for the journal when the
// process dies. The restart adds it from the state file; a restart that realises the same round
// trip again (the state save had not landed) adds nothing. One row per entry order, always.

interface Harness {
  s: Scenario;
  file: string;
  journals: Journal[];
  /** While true, journal flushes wait (the moment between the engine's step and the write). */
  hold: { on: boolean; queued: (() => void)[] };
}

async function setUp(): Promise<Harness> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-journal-crash-')), 'journal-paper.sqlite');
  const journals: Journal[] = [];
  const hold = { on: false, queued: [] as (() => void)[] };
  const h: Partial<Harness> = { file, journals, hold };
  const s = await scenario({
    observers: () => {
      const store = createAppStore();
      const clockNow = (): number => h.s?.clock.now() ?? Date.parse('2026-11-24T09:19:00+05:30');
      const journal = startJournal({
        file,
        session: { startedAt: clockNow(), mode: 'paper', exchange: 'NFO', symbol: 'NIFTY25000CE', settingsHash: 'test', pid: 1 },
        // What run.ts passes: the trades of the state file as it is before the engine starts.
        recoveredTrades: h.s?.stateFile.load()?.trades ?? [],
        log: createLogger({ store, clock: { now: clockNow, sleep: async () => {} }, secrets: [] }),
        now: clockNow,
        schedule: (flush) => (hold.on ? hold.queued.push(flush) : setImmediate(flush)),
      });
      if (!journal) throw new Error('journal did not open');
      journals.push(journal);
      return [journal.observe];
    },
  });
  h.s = s;
  return h as Harness;
}

function journalRows(file: string): { trades: ReturnType<typeof readTrades>; fills: number; orders: number; sessions: number } {
  const db = openJournal(file, { now: 0 });
  try {
    return {
      trades: readTrades(db),
      fills: (db.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n,
      orders: (db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n,
      sessions: (db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

/** A crash of the process: the engine stops dead, the journal's queue is lost, its file is let go. */
function crash(h: Harness): void {
  const current = h.journals[h.journals.length - 1] as Journal;
  current.recorder.abandon();
  current.db.close();
  h.hold.on = false;
  h.hold.queued = [];
}

describe('journal across a crash', () => {
  it('crash between the target fill and its journal write: the restart records the round trip once', async () => {
    const h = await setUp();
    const { s } = h;
    await enterAndProtect(s);
    await s.clock.settle();
    expect(journalRows(h.file).orders).toBe(3); // entry, target, stop
    h.hold.on = true;
    s.market.setPrice(102.1);
    await s.clock.advanceUntil(() => s.store.getState().tradesToday.length === 1, 10_000);
    const closed = s.store.getState().tradesToday[0];
    expect(closed?.entryOrderId).toBeTruthy();
    expect(s.stateFile.load()?.trades).toHaveLength(1); // the state file has it...
    expect(journalRows(h.file).trades).toHaveLength(0); // ...the journal does not yet
    expect(h.hold.queued.length).toBeGreaterThan(0);

    crash(h);
    await s.restart();
    await s.clock.advance(2_000);
    let rows = journalRows(h.file);
    expect(rows.trades).toHaveLength(1);
    expect(rows.trades[0]).toMatchObject({ entryOrderId: closed?.entryOrderId, net: closed?.net, gross: closed?.gross, reason: 'target', sessionId: 1 });
    expect(rows.sessions).toBe(2);

    // And a third start on the same state: still one.
    crash(h);
    await s.restart();
    await s.clock.advance(2_000);
    rows = journalRows(h.file);
    expect(rows.trades).toHaveLength(1);
    expect(s.store.getState().tradesToday).toHaveLength(1);
  });

  it('journal written, state save lost: recovery realises the round trip again and the journal still holds it once', async () => {
    const h = await setUp();
    const { s } = h;
    await enterAndProtect(s);
    const beforeFill = s.stateFile.load();
    s.market.setPrice(102.1);
    await s.clock.advanceUntil(() => s.store.getState().tradesToday.length === 1, 10_000);
    await s.clock.settle();
    const first = journalRows(h.file);
    expect(first.trades).toHaveLength(1);
    const fillsBefore = first.fills;

    // The process dies before its last state saves landed: the file still says long and protected.
    crash(h);
    s.stateFile.saved = beforeFill;
    await s.restart();
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'flat' && s.store.getState().tradesToday.length === 1, 10_000);
    await s.clock.advance(2_000);
    const after = journalRows(h.file);
    expect(s.store.getState().tradesToday).toHaveLength(1); // the engine realised it again...
    expect(after.trades).toHaveLength(1); // ...the journal kept the first row only
    expect(after.trades[0]?.closedAt).toBe(first.trades[0]?.closedAt);
    expect(after.fills).toBe(fillsBefore); // the target's fill, seen again by recovery, is the same row
    expect(s.broker.netQuantity()).toBe(0);
  });
});
