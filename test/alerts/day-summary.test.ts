import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { AlertDispatcher } from '../../src/alerts/dispatcher.js';
import { parseAlertLevels, type AlertLevels } from '../../src/alerts/levels.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { enterAndProtect, scenario } from '../engine/harness.js';

// A whole morning to square-off on fake time: the engine's events become the trade and the
// day-summary alerts a trader away from the pane receives.

describe('alerts from a trading day', () => {
  it('square-off sends the day summary; each closed trade its own alert', async () => {
    const events: EngineEvent[] = [];
    const sent: Alert[] = [];
    let dispatcher: AlertDispatcher | null = null;
    const s = await scenario({
      settings: { schedule: { interval: { kind: 'seconds', ms: 300_000 }, windows: [{ start: 9 * 60 + 20, end: 9 * 60 + 21 }], squareOffEnabled: true, squareOffMinute: 15 * 60 + 15, tradeWeekends: false } },
      observers: () => [(e) => events.push(e), (e) => dispatcher?.observe(e)],
    });
    dispatcher = new AlertDispatcher({
      clock: s.clock,
      levels: parseAlertLevels('all:on') as AlertLevels,
      channels: [{ name: 'record', takesSilent: true, send: async (a) => { sent.push(a); } }],
      subject: { mode: 'paper', symbol: 'NIFTY28NOV2525000CE', exchange: 'NFO' },
      log: { info: () => {}, warn: () => {} },
      secrets: [],
      feedDownMs: 60_000,
    });
    await enterAndProtect(s);
    s.market.freeze(false);
    await s.clock.advanceUntil(() => events.some((e) => e.type === 'notable' && e.kind === 'day_summary'), 7 * 3_600_000, 60_000);
    await s.clock.settle();
    const summary = events.find((e) => e.type === 'notable' && e.kind === 'day_summary');
    expect(summary).toMatchObject({ message: expect.stringMatching(/^2026-11-24: 1 trade \(W[01] L[01]\), realised [+-]₹\d+\.\d\d after ₹\d+\.\d\d charges; flat$/) });
    const trades = events.filter((e) => e.type === 'trade_closed');
    expect(trades).toHaveLength(1);
    expect(sent.map((a) => a.cls)).toEqual(['trade', 'summary']);
    expect(sent[1]?.text).toBe(`DAY ${(summary as { message: string }).message}`);
    await dispatcher.close();
  }, 30_000);
});
