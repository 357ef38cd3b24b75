import { describe, expect, it } from 'vitest';
import { SessionTally, sessionSummaryLines } from '../../src/journal/session-summary.js';
import { asRecord, trade } from './fixture.js';

describe('the session summary printed at exit', () => {
  it('counts this session\'s round trips from the engine events and names the report command', () => {
    const tally = new SessionTally();
    for (const t of [trade('2026-11-24T09:21:00', 'target', 300, 40, 60), trade('2026-11-24T09:25:00', 'stop', -150, 40, 30)]) {
      tally.observe({ type: 'trade_closed', at: t.closedAt, trade: asRecord(t) });
    }
    tally.observe({ type: 'notable', at: 0, kind: 'halt', message: 'x' });
    expect(sessionSummaryLines({ tally, held: 0, mode: 'paper', journal: true })).toEqual([
      'random-scalp: this session 2 round trips, net +₹70.00 (after ₹80.00 charges), win rate 50.0% (W1 L1); position FLAT',
      'random-scalp: full report: random-scalp report --today --paper',
    ]);
  });

  it('says when it stopped still long, and carries a --state-dir flag into the command', () => {
    expect(sessionSummaryLines({ tally: { trades: 0, wins: 0, net: 0 }, held: 150, mode: 'live', journal: true, stateDirFlag: '/tmp/my state' })).toEqual([
      'random-scalp: this session 0 round trips, net ₹0.00; position NOT FLAT: still LONG 150 (exit code 3)',
      "random-scalp: full report: random-scalp report --today --live --state-dir '/tmp/my state'",
    ]);
  });
});
