import { describeError } from '../broker/errors.js';
import type { EngineEvent, EngineObserver } from '../engine/events.js';
import { istParts } from '../time/ist.js';
import type { JournalView, TradeRecord } from '../store/types.js';
import { openJournal, type JournalDb } from './db.js';
import { figuresOf } from './figures.js';
import { readTrades } from './reads.js';
import { JournalRecorder } from './recorder.js';
import { JournalWriter, type SessionInfo } from './writes.js';

// One trading session's journal: open the file, add the session row, add the round trips the
// state file has and the journal missed (a crash between a trade and its write), then record the
// engine's events off its hot path. Any failure is logged once and the bot trades without it.

export interface JournalLog {
  info(tag: string, text: string): void;
  error(tag: string, text: string): void;
}

export interface StartJournalOptions {
  file: string;
  session: SessionInfo;
  /** The round trips in the state file as loaded before the engine starts (recovery's truth). */
  recoveredTrades: readonly TradeRecord[];
  log: JournalLog;
  /** After each written batch that closed a round trip (and once at start): the journal's view for the dashboard. */
  onView?: (view: JournalView) => void;
  /** Clock reading for "today" in the view. */
  now: () => number;
  /** How a flush is run later (default setImmediate). */
  schedule?: (flush: () => void) => void;
}

export interface Journal {
  readonly sessionId: number;
  readonly observe: EngineObserver;
  readonly recorder: JournalRecorder;
  readonly db: JournalDb;
  view(): JournalView;
  /** Final flush, the session's stop row, close the file. */
  close(exitCode: number, at: number): void;
}

const DAY_MS = 86_400_000;

/** Today's round trips and the IST week's (Monday to today) totals, as the dashboard shows them. */
export function journalView(db: JournalDb, now: number): JournalView {
  const p = istParts(now);
  const monday = istParts(p.midnight - ((p.weekday + 6) % 7) * DAY_MS).day;
  const week = readTrades(db, { from: monday, to: p.day });
  const f = figuresOf(week);
  return {
    day: p.day,
    today: week
      .filter((t) => t.day === p.day)
      .map((t) => ({ openedAt: t.openedAt, closedAt: t.closedAt, entry: t.entry, exit: t.exit, quantity: t.quantity, reason: t.reason, gross: t.gross, costs: t.costs, net: t.net })),
    week: { from: monday, trades: f.trades, wins: f.wins, losses: f.losses, net: f.net },
  };
}

export function startJournal(opts: StartJournalOptions): Journal | null {
  let db: JournalDb;
  let writer: JournalWriter;
  let sessionId: number;
  try {
    db = openJournal(opts.file, { now: opts.session.startedAt });
    writer = new JournalWriter(db, { symbol: opts.session.symbol, exchange: opts.session.exchange });
    sessionId = writer.startSession(opts.session);
    const added = writer.recordTrades(writer.sessionBefore(sessionId), opts.recoveredTrades);
    if (added > 0) opts.log.info('JOURNAL', `${added} round trip${added === 1 ? '' : 's'} from the state file added (the last run stopped before writing ${added === 1 ? 'it' : 'them'})`);
  } catch (err) {
    opts.log.error('JOURNAL', `cannot open the trade journal ${opts.file} (${describeError(err)}): trading goes on without it`);
    return null;
  }
  const publish = (): void => {
    if (!opts.onView) return;
    try {
      opts.onView(journalView(db, opts.now()));
    } catch (err) {
      opts.log.error('JOURNAL', `cannot read the trade journal back (${describeError(err)})`);
    }
  };
  const recorder = new JournalRecorder({
    sink: { write: (events: readonly EngineEvent[]) => writer.write(sessionId, events) },
    onFirstError: (err) => opts.log.error('JOURNAL', `journal write failed (${describeError(err)}): trading goes on; later failures are counted, not logged`),
    onWritten: (events) => {
      if (events.some((e) => e.type === 'trade_closed')) publish();
    },
    ...(opts.schedule ? { schedule: opts.schedule } : {}),
  });
  publish();
  let closed = false;
  return {
    sessionId,
    observe: recorder.observe,
    recorder,
    db,
    view: () => journalView(db, opts.now()),
    close: (exitCode, at) => {
      if (closed) return;
      closed = true;
      recorder.close();
      try {
        writer.stopSession(sessionId, at, exitCode);
      } catch (err) {
        opts.log.error('JOURNAL', `cannot record the session's end (${describeError(err)})`);
      }
      if (recorder.failedBatches > 1) opts.log.error('JOURNAL', `${recorder.failedBatches} journal writes failed this session`);
      db.close();
    },
  };
}
