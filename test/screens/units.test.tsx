// The pure pieces behind the panels: formatting, the chart, the key table, protection, and
// selectors that keep a price tick from re-rendering panels that do not show the price.

import { Profiler } from 'react';
import { afterEach, describe, expect, it, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { drawChart, type ChartInput, type ChartRow } from '../../screens/draw/chart.js';
import { createAppStore } from '../../src/store/store.js';
import { BAR_HISTORY_SIZE, barStartOf, withPrice, type PriceBar } from '../../src/store/bars.js';
import { DashboardProvider } from '../../screens/app/context.js';
import { fmtAge, fmtPrice, fmtRupees, fmtSigned, istClock, priceDecimals, progressBar, shortId } from '../../screens/draw/format.js';
import { burstKeyNames, KEYMAP, keyLabel, keyNameOf, resolveKey } from '../../screens/keys/keymap.js';
import { Header } from '../../screens/panels/Header.js';
import { feedText, healthText } from '../../screens/panels/Header.js';
import { protectionOf } from '../../screens/draw/protection.js';
import { stepMarks } from '../../screens/overlays/ShutdownProgress.js';
import { FIXTURE_NOW, stopLeg, storeIn, targetLeg } from './fixtures.js';
import { renderApp, wait } from './harness.js';
import { standIn } from '../../screens/draw/stand-in.js';
import { Span } from '../../screens/draw/text.js';

afterEach(() => cleanup());

describe('format', () => {
  test('IST clock is UTC+05:30 whatever the machine zone', () => {
    const before = process.env['TZ'];
    process.env['TZ'] = 'America/New_York';
    try {
      expect(istClock(FIXTURE_NOW)).toBe('10:15:30');
      expect(istClock(Date.UTC(2025, 5, 30, 18, 30, 0))).toBe('00:00:00');
      expect(istClock(0)).toBe('--:--:--');
    } finally {
      if (before === undefined) delete process.env['TZ'];
      else process.env['TZ'] = before;
    }
  });

  test('prices use at least 2 decimals, more when the tick needs them', () => {
    expect(priceDecimals(0.05)).toBe(2);
    expect(priceDecimals(1)).toBe(2);
    expect(priceDecimals(0.0025)).toBe(4);
    expect(priceDecimals(0)).toBe(2);
    expect(fmtPrice(23450.2, 2)).toBe('23450.20');
    expect(fmtPrice(null, 2)).toBe('—');
  });

  test('signed numbers and rupees carry the sign in text', () => {
    expect(fmtSigned(1.2, 2)).toBe('+1.20');
    expect(fmtSigned(-0.35, 2)).toBe('-0.35');
    expect(fmtSigned(-0.001, 2)).toBe('0.00');
    expect(fmtRupees(123456.5)).toBe('+₹1,23,456.50');
    expect(fmtRupees(-48.75)).toBe('-₹48.75');
    expect(fmtRupees(0)).toBe('₹0.00');
  });

  test('ages, bars, ids', () => {
    expect(fmtAge(400)).toBe('0.4s');
    expect(fmtAge(12_000)).toBe('12s');
    expect(fmtAge(192_000)).toBe('3m12s');
    expect(fmtAge(7_500_000)).toBe('2h05m');
    expect(progressBar(75, 150, 10)).toBe('[█████░░░░░]');
    expect(progressBar(0, 0, 4)).toBe('[░░░░]');
    expect(shortId('250115000012345', 9)).toBe('…00012345');
  });

  test('broker health: ok with age and rtt, stale, error, down', () => {
    const ok = { lastOkAt: FIXTURE_NOW - 400, rttMs: 12, error: null, reachable: true };
    expect(healthText(ok, FIXTURE_NOW)).toEqual({ text: 'ok 0.4s ago, rtt 12ms', tone: 'good' });
    expect(healthText(ok, FIXTURE_NOW + 15_000).text).toBe('STALE: last ok 15s ago');
    // On a trusted push feed REST calls are rare by design: 15 s is not stale there.
    expect(healthText(ok, FIXTURE_NOW + 15_000, true).text).toBe('ok 15s ago, rtt 12ms');
    expect(healthText(ok, FIXTURE_NOW + 61_000, true).text).toBe('STALE: last ok 1m01s ago');
    expect(healthText({ ...ok, error: 'rate limited' }, FIXTURE_NOW).text).toBe('ERROR: rate limited (last ok 0.4s ago)');
    expect(healthText({ ...ok, error: 'timeout', reachable: false }, FIXTURE_NOW)).toMatchObject({ text: 'DOWN: timeout (last ok 0.4s ago)', tone: 'alarm' });
    expect(healthText({ lastOkAt: null, rttMs: null, error: null, reachable: true }, FIXTURE_NOW).text).toBe('connecting...');
  });
});

describe('chart', () => {
  const fmt = (p: number): string => p.toFixed(2);
  const BAR = 60_000;
  /** `n` one-minute bars from 09:15 IST, rising 1.00 a bar, each from four prices. */
  const risingBars = (n: number): PriceBar[] => {
    let bars: PriceBar[] = [];
    const open = Date.UTC(2025, 0, 15, 3, 45);
    for (let i = 0; i < n; i++) {
      for (const [k, p] of [100 + i, 100.5 + i, 99.8 + i, 100.9 + i].entries()) bars = withPrice(bars, p, open + i * BAR + k * 10_000, BAR);
    }
    return bars;
  };
  const text = (row: ChartRow): string => row.segments.map((s) => s.text).join('');
  const draw = (over: Partial<ChartInput>): ReturnType<typeof drawChart> =>
    drawChart({ bars: [], ticks: [], markers: [], levels: [], width: 40, height: 4, format: fmt, ...over });

  test('bars are built from the price stream: open, high, low, close per interval from IST midnight', () => {
    const bars = risingBars(3);
    expect(bars).toHaveLength(3);
    expect(bars[1]).toEqual({ start: Date.UTC(2025, 0, 15, 3, 46), open: 101, high: 101.9, low: 100.8, close: 101.9, count: 4 });
    // 1h bars start on the IST hour (09:00 IST is 03:30 UTC), as the strategy's schedule does.
    expect(barStartOf(Date.UTC(2025, 0, 15, 4, 10), 3_600_000)).toBe(Date.UTC(2025, 0, 15, 3, 30));
    // a clock step back counts in the last bar; a new IST day starts afresh
    const back = withPrice(bars, 50, Date.UTC(2025, 0, 15, 3, 40), BAR);
    expect(back).toHaveLength(3);
    expect(back[2]).toMatchObject({ low: 50, close: 50, count: 5 });
    expect(withPrice(bars, 7, Date.UTC(2025, 0, 16, 3, 45), BAR)).toEqual([{ start: Date.UTC(2025, 0, 16, 3, 45), open: 7, high: 7, low: 7, close: 7, count: 1 }]);
  });

  test('the bar list is bounded', () => {
    let bars: PriceBar[] = [];
    for (let i = 0; i < BAR_HISTORY_SIZE + 50; i++) bars = withPrice(bars, 100, Date.UTC(2025, 0, 15, 0, 0, i * 5), 5000);
    expect(bars).toHaveLength(BAR_HISTORY_SIZE);
    expect(bars.at(-1)?.start).toBe(Date.UTC(2025, 0, 15, 0, 0, (BAR_HISTORY_SIZE + 49) * 5));
  });

  test('bars start at the left edge, two cells each, and fill the width as the session goes', () => {
    const c = draw({ bars: risingBars(10) });
    expect(c.mode).toBe('bars');
    expect(c.shown).toBe(10);
    expect(c.firstAt).toBe(Date.UTC(2025, 0, 15, 3, 45));
    const cells = Array.from({ length: 40 }, (_, x) => c.rows.some((r) => text(r)[x] !== ' '));
    // bar i in cell 2i, its spare cell 2i+1 empty (no markers), nothing after the last bar
    expect(cells.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, x) => x % 2 === 0));
    expect(cells.slice(20).some(Boolean)).toBe(false);
    // rising bars: the first bar's range is at the bottom, the last's at the top
    expect(text(c.rows[3] as ChartRow)[0]).not.toBe(' ');
    expect(text(c.rows[0] as ChartRow)[18]).not.toBe(' ');
    expect(text(c.rows[0] as ChartRow)[0]).toBe(' ');
  });

  test("the stop's path: a dot in each bar's spare cell at the trigger as it stood when the bar ended, none before the stop or after it went", () => {
    const bars = risingBars(10);
    const at = (i: number): number => (bars[i] as PriceBar).start + 1;
    // No stop in bars 0–1, a stop at 100 from bar 2, trailed to 103 in bar 5, gone from bar 8.
    const c = draw({ bars, stopPath: [{ at: at(2), price: 100 }, { at: at(5), price: 103 }, { at: at(8), price: null }] });
    const spare = (i: number): boolean => c.rows.some((r) => text(r)[i * 2 + 1] !== ' ');
    expect(Array.from({ length: 10 }, (_, i) => spare(i))).toEqual([false, false, true, true, true, true, true, true, false, false]);
    // The trailed stop sits higher: its dot on a row above the first stop's.
    const rowOf = (i: number): number => c.rows.findIndex((r) => text(r)[i * 2 + 1] !== ' ');
    expect(rowOf(5)).toBeLessThan(rowOf(2));
  });

  test("the store keeps the stop's path: a point each time the working stop's trigger changes, a null when it stops working", () => {
    const store = createAppStore();
    const leg = (trigger: number, phase: 'working' | 'cancelled' = 'working') => ({ role: 'stop' as const, orderId: '1', type: 'SL-M' as const, price: null, trigger, quantity: 75, filled: 0, phase });
    store.getState().clockTicked(1_000, 'in_session', null);
    store.getState().engineStateChanged({ legs: { target: null, stop: leg(99) } });
    store.getState().clockTicked(2_000, 'in_session', null);
    store.getState().engineStateChanged({ legs: { target: null, stop: leg(99) } });
    store.getState().engineStateChanged({ legs: { target: null, stop: leg(99.5) } });
    store.getState().clockTicked(3_000, 'in_session', null);
    store.getState().engineStateChanged({ legs: { target: null, stop: leg(99.5, 'cancelled') } });
    expect(store.getState().stopPath).toEqual([{ at: 1_000, price: 99 }, { at: 2_000, price: 99.5 }, { at: 3_000, price: null }]);
  });

  test('a high-low-close mark: range in the left dot column, close in the right', () => {
    const bar: PriceBar = { start: 0, open: 1, high: 4, low: 1, close: 4, count: 4 };
    const c = draw({ bars: Array.from({ length: 5 }, () => bar), width: 10, height: 1 });
    // all four left dots (the range) and the top right dot (the close at the high)
    expect(text(c.rows[0] as ChartRow)[0]).toBe(String.fromCharCode(0x2800 + 0x01 + 0x02 + 0x04 + 0x40 + 0x08));
  });

  test('more bars than fit at two cells: one cell each, the newest at the right edge', () => {
    const c = draw({ bars: risingBars(60), width: 40 });
    expect(c.shown).toBe(40);
    expect(c.firstAt).toBe(Date.UTC(2025, 0, 15, 3, 45) + 20 * BAR);
    expect(c.rows.some((r) => text(r)[39] !== ' ')).toBe(true);
  });

  test('entry and exit markers sit on the bars where they happened, at their price', () => {
    const bars = risingBars(10);
    const at = (i: number): number => (bars[i] as PriceBar).start + 30_000;
    const c = draw({
      bars,
      markers: [
        { kind: 'entry', at: at(1), price: 101 },
        { kind: 'exit', at: at(7), price: 107.9 },
        { kind: 'entry', at: at(7), price: 107.9 },
        { kind: 'exit', at: Date.UTC(2025, 0, 15, 1, 0), price: 100 },
      ],
    });
    const glyphAt = (x: number): string => c.rows.map((r) => text(r)[x]).join('').trim();
    expect(glyphAt(3)).toBe('▲');
    expect(glyphAt(15)).toBe('◆');
    expect(c.rows[3]?.segments.some((s) => s.kind === 'entry' && s.text === '▲')).toBe(true);
    // a fill before the first bar drawn has no bar to sit on
    expect(c.rows.map(text).join('')).not.toContain('▼');
    const exit = draw({ bars, markers: [{ kind: 'exit', at: at(4), price: 104.9 }] });
    expect(exit.rows.map((r) => text(r)[9]).join('').trim()).toBe('▼');
  });

  test('target, stop, entry and last price are labels on the right edge, not lines across', () => {
    const bars = risingBars(10);
    const c = draw({ bars, levels: [{ mark: '>', price: 109.9 }, { mark: 'T', price: 112 }, { mark: 'S', price: 98 }, { mark: 'E', price: 108 }] });
    expect(c.rows[0]?.label).toBe('T 112.00');
    expect(c.rows[3]?.label).toBe('S 98.00');
    const labels = c.rows.map((r) => r.label);
    expect(labels.filter((l) => l.includes('> 109.90'))).toHaveLength(1);
    expect(labels.filter((l) => l.includes('E 108.00'))).toHaveLength(1);
    // one label per row while rows are free
    for (const r of c.rows) expect(r.marks.length).toBeLessThanOrEqual(1);
    // nothing drawn to the right of the last bar: no level lines
    for (const r of c.rows) expect(text(r).slice(20).trim()).toBe('');
  });

  test('few bars: the recent ticks as a line from the left edge; no prices, no rows', () => {
    const ticks = Array.from({ length: 30 }, (_, i) => 100 + i / 10);
    const c = draw({ bars: risingBars(2), ticks, width: 20, levels: [{ mark: '>', price: 102.9 }] });
    expect(c.mode).toBe('ticks');
    expect(c.shown).toBe(30);
    // 30 ticks, two per cell: cells 0–14 drawn, the rest blank
    expect(c.rows.some((r) => text(r)[0] !== ' ')).toBe(true);
    expect(c.rows.some((r) => text(r)[14] !== ' ')).toBe(true);
    expect(c.rows.every((r) => text(r).slice(15).trim() === '')).toBe(true);
    expect(c.rows[0]?.label).toBe('> 102.90');
    expect(draw({}).rows).toEqual([]);
    const flat = draw({ ticks: [5, 5, 5], width: 10, height: 3 });
    expect(flat.rows.map(text).join('')).toMatch(/[\u2801-\u28ff]/);
  });
});

describe('ASCII stand-ins for cheaper frames', () => {
  test('non-ASCII one-cell characters become stand-ins and come back in order, colour codes and all', () => {
    const cut = standIn(['LTP ₹1.00 ~ ', <Span key="a" tone="bad">{'▲ 2 → 3'}</Span>, 7], Span);
    expect(cut?.width).toBe('LTP ₹1.00 ~ ▲ 2 → 3'.length + 1);
    expect(cut?.restore('LTP ~1.00 ~ \u001b[31m~ 2 ~ 3\u001b[39m7')).toBe('LTP ₹1.00 ~ \u001b[31m▲ 2 → 3\u001b[39m7');
  });

  test('wide, combining or unknown elements take the ordinary path', () => {
    expect(standIn('注文', Span)).toBeNull();
    expect(standIn('e\u0301', Span)).toBeNull();
    expect(standIn(<b>x</b>, Span)).toBeNull();
    expect(standIn('plain ascii', Span)?.restore('plain ascii')).toBe('plain ascii');
  });

  test('a dashboard line with stand-ins reads exactly as its real text', () => {
    const f = renderApp({ state: 'session_bars', columns: 120, rows: 32 }).frame();
    expect(f).toContain('unrealised +₹967.50 (+6.45 pts × 150)');
    expect(f).not.toContain('~');
  });
});

describe('key table', () => {
  test('every key maps to exactly one command and every command has help', () => {
    const keys = KEYMAP.flatMap((b) => b.keys);
    expect(new Set(keys).size).toBe(keys.length);
    for (const b of KEYMAP) {
      expect(b.help.length).toBeGreaterThan(10);
      for (const k of b.keys) expect(resolveKey(k)).toBe(b);
    }
    for (const k of ['f', 'y', 'F', 'm', 'r', 'p', 't', '?', 'escape', 'q', 'ctrl+c']) expect(resolveKey(k)).toBeDefined();
  });

  test('key names from Ink keypresses', () => {
    expect(keyNameOf('c', { ctrl: true, escape: false })).toBe('ctrl+c');
    expect(keyNameOf('', { ctrl: false, escape: true })).toBe('escape');
    expect(keyNameOf('F', { ctrl: false, escape: false })).toBe('F');
    expect(keyNameOf('fy', { ctrl: false, escape: false })).toBeNull();
    expect(keyLabel('ctrl+c')).toBe('Ctrl-C');
    expect(keyLabel('escape')).toBe('Esc');
  });

  test('a short burst counts key by key; a paste counts only its Ctrl-C', () => {
    expect(burstKeyNames('fy')).toEqual({ names: ['f', 'y'], pasted: false });
    expect(burstKeyNames('\u0003\u0003')).toEqual({ names: ['ctrl+c', 'ctrl+c'], pasted: false });
    expect(burstKeyNames('Flatten\u0003')).toEqual({ names: ['ctrl+c'], pasted: true });
  });
});

describe('protection', () => {
  const long = { phase: 'protected' as const, side: 'long' as const, requested: 150, entryFilled: 150, held: 150, exited: 0, avgEntry: 1, openedAt: 1 };

  test('both legs working: protected', () => {
    expect(protectionOf(long, { target: targetLeg(), stop: stopLeg() }).unprotected).toBe(false);
  });

  test('missing, rejected or cancelled leg while long: unprotected, with what is wrong', () => {
    expect(protectionOf(long, { target: targetLeg(), stop: null }).problems).toEqual([{ role: 'stop', what: 'no stop order' }]);
    expect(protectionOf(long, { target: targetLeg({ phase: 'cancelled' }), stop: stopLeg() }).unprotected).toBe(true);
    expect(protectionOf({ ...long, phase: 'unprotected' }, { target: targetLeg(), stop: stopLeg() }).unprotected).toBe(true);
  });

  test('exiting or flat: no alarm for missing legs', () => {
    expect(protectionOf({ ...long, phase: 'exiting' }, { target: null, stop: null }).unprotected).toBe(false);
    expect(protectionOf({ ...long, phase: 'flat', held: 0 }, { target: null, stop: null }).unprotected).toBe(false);
  });
});

describe('shutdown checklist', () => {
  test('marks done, current, to do, and skipped optional steps', () => {
    expect(stepMarks('market_sell', new Set())).toEqual(['x', 'x', '>', ' ', ' ', ' ', ' ']);
    expect(stepMarks('flat', new Set(['retry_market']))).toEqual(['x', 'x', 'x', 'x', 'x', '-', 'x']);
  });
});

describe('selectors', () => {
  test('a price tick does not re-render the header; a clock tick does', async () => {
    const store = storeIn('protected');
    let renders = 0;
    render(
      <DashboardProvider store={store} color={false}>
        <Profiler id="header" onRender={() => void renders++}>
          <Header form="wide" />
        </Profiler>
      </DashboardProvider>,
    );
    await wait();
    const after = renders;
    store.getState().quoteReceived(23460, 23400);
    store.getState().logged({ at: FIXTURE_NOW, level: 'INFO', tag: 'x', text: 'y' });
    await wait();
    expect(renders).toBe(after);
    store.getState().clockTicked(FIXTURE_NOW + 1000, 'in_session', null);
    await wait();
    expect(renders).toBe(after + 1);
  });
});

describe('feed in the header', () => {
  const base = { mode: 'auto' as const, state: 'live' as const, reason: null, rttMs: 4, ordersTrusted: true, unreliable: null };
  it('says push with the ping, or POLLING and why, in words', () => {
    expect(feedText(base)).toEqual({ text: 'push ● 4 ms', tone: 'good' });
    expect(feedText({ ...base, state: 'down', ordersTrusted: false, reason: 'closed by the server (1011)' })?.text).toBe('POLLING — feed down: closed by the server (1011)');
    expect(feedText({ ...base, ordersTrusted: false, unreliable: 'no update for new order 7' })?.text).toBe('POLLING — feed unreliable: no update for new order 7');
    expect(feedText({ ...base, mode: 'poll', state: 'off', ordersTrusted: false })?.text).toBe('POLLING (FEED=poll)');
    expect(feedText({ ...base, mode: 'push', state: 'down', ordersTrusted: false, reason: 'x' })?.tone).toBe('alarm');
    expect(feedText(null)).toBeNull();
  });
});
