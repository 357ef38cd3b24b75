// What each panel shows in each state a trader meets: flat, entering with a partial fill,
// long and protected, unprotected, exiting, critical.

import { afterEach, describe, expect, test } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { FIXTURE_NOW, stopLeg, storeIn, targetLeg } from './fixtures.js';
import { linesOf, renderApp, wait } from './harness.js';
import { BELL } from '../../screens/hooks/useBell.js';

afterEach(() => cleanup());

const WIDE = { columns: 120, rows: 34 };

function lineWith(frame: string, text: string): string {
  return linesOf(frame).find((l) => l.includes(text)) ?? '';
}

describe('header', () => {
  test('paper mode, instrument, size, IST clock, session, broker health, switches', () => {
    const r = renderApp({ state: 'flat', ...WIDE });
    const f = r.frame();
    expect(f).toContain('[PAPER]');
    expect(f).toContain('NIFTY25JANFUT@NFO');
    expect(f).toContain('MIS');
    expect(f).toContain('2 lots × 75 = 150');
    expect(f).toContain('10:15:30 IST');
    expect(f).toContain('IN SESSION');
    expect(f).toContain('ok 0.4s ago, rtt 12ms');
    expect(f).toContain('ENTRIES ON');
    expect(f).toContain('mkt-on-target OFF');
  });

  test('LIVE is shown as a word, and analyzer mode says orders are simulated', () => {
    expect(renderApp({ state: 'live' }).frame()).toMatch(/^ LIVE /);
    expect(renderApp({ state: 'live_analyzer' }).frame()).toContain('LIVE·ANALYZER (simulated orders)');
    expect(renderApp({ state: 'live_analyzer' }).frame()).not.toContain('PAPER');
  });

  test('broker down says DOWN with the error', () => {
    expect(renderApp({ state: 'broker_down' }).frame()).toContain('DOWN: connect ECONNREFUSED 127.0.0.1:5000');
  });

  test('paused, held and market-on-target switches are words', async () => {
    const r = renderApp({ state: 'flat', columns: 80, rows: 24 });
    r.store.getState().entriesHeldChanged('outside entry window');
    await wait();
    expect(r.frame()).toContain('HELD: outside entry window');
    r.store.getState().engineStateChanged({ paused: true });
    r.store.getState().engineStateChanged({ marketOnTarget: true });
    await wait();
    expect(r.frame()).toContain('PAUSED (p resumes; held: outside entry window)');
    expect(r.frame()).toContain('MOT ON');
    r.store.getState().entriesHeldChanged('paused by trader');
    await wait();
    expect(r.frame()).toContain('PAUSED (p resumes)');
  });

  test('the clock follows the store, in IST, whatever the machine zone', async () => {
    const r = renderApp({ state: 'flat' });
    r.store.getState().clockTicked(Date.UTC(2025, 0, 15, 9, 59, 59), 'in_session', null);
    await wait();
    expect(r.frame()).toContain('15:29:59 IST');
  });
});

describe('position', () => {
  test('flat: the word FLAT, LTP with change vs previous close, day P&L', () => {
    const f = renderApp({ state: 'flat', ...WIDE }).frame();
    expect(f).toContain('FLAT | LTP 23456.70 +56.70 (+0.24%)');
    expect(f).not.toContain('LONG');
    expect(f).toContain('day realised ₹0.00 | 0 trades W0 L0');
  });

  test('entering with a partial fill: LONG the filled quantity, entry 75/150', () => {
    const f = renderApp({ state: 'entering_partial', ...WIDE }).frame();
    expect(f).toContain('LONG 75 @ 23450.25');
    expect(f).toContain('entering entry 75/150');
    expect(f).toContain('unrealised +₹483.75 (+6.45 pts × 75)');
  });

  test('long and protected: unrealised P&L in rupees and points', () => {
    const f = renderApp({ state: 'protected', ...WIDE }).frame();
    expect(f).toContain('LONG 150 @ 23450.25');
    expect(f).toContain('+₹967.50 (+6.45 pts × 150)');
    expect(f).toContain('protected');
  });

  test('a loss shows a minus sign, not only red', async () => {
    const r = renderApp({ state: 'protected', ...WIDE });
    r.store.getState().quoteReceived(23440.25, 23400);
    await wait();
    expect(r.frame()).toContain('-₹1,500.00 (-10.00 pts × 150)');
  });

  test('prices use the tick size decimals', async () => {
    const r = renderApp({ state: 'protected', ...WIDE });
    r.store.getState().instrumentResolved({ lotSize: 1, tickSize: 0.0025 });
    await wait();
    expect(r.frame()).toContain('LONG 150 @ 23450.2500');
  });

  test('day realised P&L and record after trades', () => {
    const f = renderApp({ state: 'with_trades' }).frame();
    expect(f).toContain('day realised +₹1,640.90 | 3 trades W2 L1');
  });
});

describe('legs', () => {
  test('long and protected: one row per leg with id, type, price, trigger, filled, phase, distance', () => {
    const f = renderApp({ state: 'protected', ...WIDE }).frame();
    const target = lineWith(f, 'TARGET');
    const stop = lineWith(f, 'STOP ');
    expect(target).toMatch(/TARGET 250115000012345 +LIMIT +23480\.00 +— +0\/150 working +\+23\.30/);
    expect(stop).toMatch(/STOP +250115000012346 +SL-M +— +23430\.00 +0\/150 working +-26\.70/);
    expect(f).not.toContain('UNPROTECTED');
  });

  test('compact form keeps the tail of long order ids', () => {
    const f = renderApp({ state: 'protected', columns: 80, rows: 24 }).frame();
    expect(lineWith(f, 'TARGET')).toContain('…00012345');
  });

  test('an SL stop (options) shows as a stop-limit with its limit', async () => {
    const r = renderApp({ state: 'protected', ...WIDE });
    r.store.getState().engineStateChanged({ legs: { target: targetLeg(), stop: stopLeg({ type: 'SL', price: 23425 }) } });
    await wait();
    expect(lineWith(r.frame(), 'STOP ')).toContain('SL (limit)');
  });

  test('a triggered stop left unfilled says it is being chased, and then that the market exit is next', async () => {
    for (const [columns, rows] of [[120, 32], [80, 24]] as const) {
      const r = renderApp({ state: 'protected', columns, rows });
      r.store.getState().engineStateChanged({ legs: { target: targetLeg(), stop: stopLeg({ type: 'SL', price: 23425, chase: { tries: 2, max: 3 } }) } });
      await wait();
      const line = lineWith(r.frame(), 'UNFILLED !!');
      expect(line).toContain('!! STOP TRIGGERED, UNFILLED !! chasing 2/3 · limit 23425.00');
      expect(line.length).toBeLessThanOrEqual(columns);
      // The position is not protected while its stop rests above the market: the banner says so.
      expect(r.frame()).toContain('!! UNPROTECTED 150 held: stop triggered, unfilled !!');
      expect(r.frame()).toMatch(/^STOP TRIGGERED \| day/m);
      r.store.getState().engineStateChanged({ legs: { target: targetLeg(), stop: stopLeg({ type: 'SL', price: 23425, chase: { tries: 3, max: 3 } }) } });
      await wait();
      expect(lineWith(r.frame(), 'UNFILLED !!')).toContain('TRIGGERED, UNFILLED !! selling at market next');
    }
  });

  test('a stop the exit rules moved says so on its row: trail ↑ from its first trigger, with the best price; BE for break-even', async () => {
    for (const [columns, rows] of [[120, 32], [80, 24]] as const) {
      const r = renderApp({ state: 'protected', columns, rows });
      r.store.getState().engineStateChanged({ legs: { target: targetLeg(), stop: stopLeg({ trigger: 23460, moved: { origin: 'trail', from: 23430, best: 23480, side: 'long' } }) } });
      await wait();
      const line = lineWith(r.frame(), 'STOP ');
      expect(line.length).toBeLessThanOrEqual(columns);
      // In the PHASE cell at every width; where it started and the best price after the row, cut first.
      expect(line).toMatch(/0\/150 trail ↑ /);
      if (columns >= 120) expect(line).toContain('from 23430.00');
      r.store.getState().engineStateChanged({ legs: { target: targetLeg(), stop: stopLeg({ trigger: 23452, moved: { origin: 'breakeven', from: 23430, best: 23470, side: 'long' } }) } });
      await wait();
      expect(lineWith(r.frame(), 'STOP ')).toMatch(/0\/150 BE /);
    }
  });

  test('unprotected (missing stop): UNPROTECTED in words and !! marks', () => {
    const f = renderApp({ state: 'unprotected_missing_stop', columns: 80, rows: 24 }).frame();
    expect(f).toContain('!! UNPROTECTED 150 held: no stop order !!');
    expect(f).toContain('!! UNPROTECTED: no stop order !!');
    expect(lineWith(f, 'TARGET')).toContain('working');
  });

  test('a rejected stop while long is UNPROTECTED even if the engine still says protected', () => {
    const f = renderApp({ state: 'stop_rejected' }).frame();
    expect(f).toContain('UNPROTECTED: stop REJECTED');
  });

  test('a cancelled stop while exiting is expected, not an alarm', () => {
    const f = renderApp({ state: 'exiting', ...WIDE }).frame();
    expect(f).not.toContain('UNPROTECTED');
    expect(lineWith(f, 'STOP ')).toContain('cancelled');
    expect(lineWith(f, 'TARGET')).toMatch(/75\/150 partial/);
  });

  test('while entering, missing legs are "not placed yet", not an alarm', () => {
    const f = renderApp({ state: 'entering_partial' }).frame();
    expect(f).toContain('TARGET not placed yet (entry working)');
    expect(f).not.toContain('UNPROTECTED');
  });
});

describe('fill progress', () => {
  test('entry filled/requested with a bar and numbers', () => {
    const line = lineWith(renderApp({ state: 'entering_partial' }).frame(), 'entry [');
    expect(line).toMatch(/entry \[█+░+\] 75\/150 50%/);
    expect(line).toMatch(/exit \[░+\] 0\/75 0%/);
  });

  test('exits exited/(held+exited)', () => {
    const line = lineWith(renderApp({ state: 'exiting' }).frame(), 'entry [');
    expect(line).toMatch(/entry \[█+\] 150\/150 100%/);
    expect(line).toMatch(/exit \[█+░+\] 75\/150 50%/);
  });
});

describe('price chart', () => {
  /** The chart's rows: from its title to the first log line. */
  const chartLines = (frame: string): string[] => {
    const lines = linesOf(frame);
    const top = lines.findIndex((l) => l.startsWith('PRICE '));
    const end = lines.findIndex((l, i) => i > top && /^\d\d:\d\d:\d\d /.test(l));
    return lines.slice(top, end);
  };

  test('a session of bars: from its first bar, with entry and exit markers and right-edge labels', () => {
    const f = renderApp({ state: 'session_bars', columns: 120, rows: 32 }).frame();
    const chart = chartLines(f);
    expect(chart[0]).toMatch(/^PRICE 1m bars from 09:15 .*▲ entry +▼ exit/);
    const plot = chart.slice(1);
    expect(plot.length).toBeGreaterThanOrEqual(5);
    // three closed trades and the open position: four ▲, three ▼ (some may share a cell: ◆)
    const glyphs = plot.join('');
    const count = (c: string): number => glyphs.split(c).length - 1;
    expect(count('▲') + count('◆')).toBeGreaterThanOrEqual(3);
    expect(count('▼') + count('◆')).toBeGreaterThanOrEqual(2);
    // labels at the right edge, one each, in price order
    const labelRow = (mark: string): number => plot.findIndex((l) => l.includes(mark));
    for (const mark of ['T 23480.00', '> 23456.70', 'E 23450.25', 'S 23430.00']) expect(labelRow(mark), mark).toBeGreaterThanOrEqual(0);
    expect(labelRow('T 23480.00')).toBeLessThan(labelRow('> 23456.70'));
    expect(labelRow('E 23450.25')).toBeLessThan(labelRow('S 23430.00'));
    // no level drawn across the plot: the target's row is empty up to its label
    const targetLine = plot[labelRow('T 23480.00')] as string;
    expect(targetLine.slice(0, targetLine.indexOf('T 23480.00')).trim()).toBe('');
    // the first bar starts at the left edge
    expect(plot.some((l) => /^[\u2801-\u28ff▲▼◆]/.test(l))).toBe(true);
  });

  test('only a few bars yet: the ticks as a line, with the labels', () => {
    const f = renderApp({ state: 'protected', ...WIDE }).frame();
    expect(f).toMatch(/PRICE last 81 ticks \(1m bars from 5\)/);
    for (const mark of ['T 23480.00', 'E 23450.25', 'S 23430.00', '> 23456.70']) expect(f).toContain(mark);
    expect(f).toMatch(/[\u2801-\u28ff]/);
  });

  test('a new bar appears as prices arrive in the next interval', async () => {
    const r = renderApp({ state: 'session_bars', columns: 120, rows: 32 });
    const before = r.store.getState().bars.length;
    r.store.getState().quoteReceived(23470, 23400, FIXTURE_NOW + 60_000);
    await wait();
    expect(r.store.getState().bars).toHaveLength(before + 1);
    expect(r.store.getState().bars.at(-1)).toMatchObject({ open: 23470, close: 23470 });
    expect(r.frame()).toContain('> 23470.00');
  });

  test('compact (80 columns) with room: bars and labels fit the width', () => {
    const f = renderApp({ state: 'session_bars', columns: 80, rows: 30 }).frame();
    const chart = chartLines(f);
    expect(chart[0]).toMatch(/^PRICE 1m bars from /);
    for (const l of chart) expect(l.length).toBeLessThanOrEqual(80);
    expect(f).toContain('T 23480.00');
  });

  test('80x24 hides the chart to keep room for the log', () => {
    expect(renderApp({ state: 'session_bars', columns: 80, rows: 24 }).frame()).not.toMatch(/^PRICE /m);
  });
});

describe('log tail', () => {
  test('the newest lines that fit, with time, level word and tag', async () => {
    const r = renderApp({ state: 'flat', columns: 80, rows: 24 });
    for (let i = 1; i <= 100; i++) r.store.getState().logged({ at: FIXTURE_NOW, level: 'INFO', tag: 'oco', text: `line ${i}` });
    await wait();
    const f = r.frame();
    expect(f).toContain('10:15:30 INFO     oco line 100');
    expect(f).not.toContain('line 80\n');
    expect(f).not.toContain('line 1\n');
    expect(linesOf(f).length).toBeLessThanOrEqual(24);
  });

  test('critical: CRITICAL in words', () => {
    expect(renderApp({ state: 'critical' }).frame()).toContain('CRITICAL legs stop rejected twice; position unprotected');
  });
});

describe('bell', () => {
  const bells = (frames: string[]): number => frames.filter((f) => f === BELL).length;

  test('rings once per bump of criticalSeq, not for the value at start', async () => {
    const r = renderApp({ state: 'critical' });
    await wait();
    expect(bells(r.frames)).toBe(0);
    r.store.getState().criticalRaised();
    await wait();
    expect(bells(r.frames)).toBe(1);
    r.store.getState().logged({ at: FIXTURE_NOW, level: 'INFO', tag: 'x', text: 'unrelated change' });
    await wait();
    expect(bells(r.frames)).toBe(1);
    r.store.getState().criticalRaised();
    await wait();
    expect(bells(r.frames)).toBe(2);
  });
});

describe('banner', () => {
  test('says what to do, marked so it reads without colour', () => {
    expect(renderApp({ state: 'banner' }).frame()).toContain('!! OpenAlgo rejected the API key: set OPENALGO_API_KEY in .env and restart.');
  });

  test('goes away when the engine clears it', async () => {
    const r = renderApp({ state: 'banner' });
    r.store.getState().bannerChanged(null);
    await wait();
    expect(r.frame()).not.toContain('OPENALGO_API_KEY');
  });
});

describe('shutdown progress', () => {
  test('a checklist with the current step and its detail', () => {
    const f = renderApp({ state: 'shutting_down' }).frame();
    expect(f).toContain('SHUTDOWN in progress for 1.0s');
    expect(f).toContain('[x] stop new entries');
    expect(f).toContain('[>] cancel the exit legs — cancelling 2 legs');
    expect(f).toContain('[ ] sell the held quantity at market');
    expect(f).toContain('SHUTTING DOWN');
  });

  test('done: every step ticked, unneeded retries skipped', async () => {
    const store = storeIn('shutting_down');
    const r = renderApp({ store });
    store.getState().shutdownPhaseChanged('market_sell', 'SELL 150 MARKET', FIXTURE_NOW);
    store.getState().shutdownPhaseChanged('confirming', '', FIXTURE_NOW);
    store.getState().shutdownPhaseChanged('flat', '', FIXTURE_NOW);
    await wait();
    const f = r.frame();
    expect(f).toContain('SHUTDOWN done: flat');
    expect(f).toContain('[x] sell the held quantity at market');
    expect(f).toContain('[-] retry the market sell (if needed)');
    expect(f).toContain('[x] flat — safe to close');
  });

  test('critical: stuck, in words', async () => {
    const store = storeIn('shutting_down');
    const r = renderApp({ store });
    store.getState().shutdownPhaseChanged('critical', 'sell rejected 3 times', FIXTURE_NOW);
    await wait();
    expect(r.frame()).toContain('!! SHUTDOWN STUCK: CRITICAL — sell rejected 3 times !!');
  });
});
