import type { EngineObserver } from '../engine/events.js';
import type { Mode } from '../store/types.js';
import { rupees } from './report-format.js';

// The few lines printed on the normal screen when a run ends (after the dashboard has left the
// alternate screen, or after the last headless log line): what this session did, whether it is
// flat, and the command for the whole report.

/** This session's round trips, counted from the engine's events (works with or without a journal). */
export class SessionTally {
  trades = 0;
  wins = 0;
  net = 0;
  /** Brokerage and statutory charges of those round trips (already out of `net`). */
  charges = 0;
  readonly observe: EngineObserver = (event) => {
    if (event.type !== 'trade_closed') return;
    this.trades++;
    if (event.trade.net > 0) this.wins++;
    this.net = Math.round((this.net + event.trade.net) * 100) / 100;
    this.charges = Math.round((this.charges + (event.trade.charges?.total ?? 0)) * 100) / 100;
  };
}

export interface SummaryInput {
  tally: Pick<SessionTally, 'trades' | 'wins' | 'net'> & { charges?: number };
  /** Quantity still held at exit. */
  held: number;
  /** The held position's side (absent: long). */
  side?: 'long' | 'short';
  mode: Mode;
  /** STATE_DIR when it was given as a flag (the report would not find the journal without it). */
  stateDirFlag?: string;
  /** No journal was kept (JOURNAL=false or it failed to open). */
  journal: boolean;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function reportCommandLine(mode: Mode, stateDirFlag?: string): string {
  return `random-scalp report --today --${mode}${stateDirFlag !== undefined ? ` --state-dir ${shellQuote(stateDirFlag)}` : ''}`;
}

export function sessionSummaryLines(s: SummaryInput): string[] {
  const { trades, wins, net } = s.tally;
  const charges = trades > 0 && s.tally.charges !== undefined ? ` (after ₹${s.tally.charges.toFixed(2)} charges)` : '';
  const rate = trades > 0 ? `, win rate ${((wins / trades) * 100).toFixed(1)}% (W${wins} L${trades - wins})` : '';
  const position = s.held === 0 ? 'position FLAT' : `position NOT FLAT: still ${s.side === 'short' ? 'SHORT' : 'LONG'} ${s.held} (exit code 3)`;
  return [
    `random-scalp: this session ${trades} round trip${trades === 1 ? '' : 's'}, net ${rupees(net)}${charges}${rate}; ${position}`,
    s.journal ? `random-scalp: full report: ${reportCommandLine(s.mode, s.stateDirFlag)}` : 'random-scalp: no trade journal was kept this session (JOURNAL=false or it could not be opened)',
  ];
}
