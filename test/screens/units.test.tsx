// The pure pieces behind the panels: formatting, the chart, the key table, protection, and
// selectors that keep a price tick from re-rendering panels that do not show the price.

import { Profiler } from 'react';
import { afterEach, describe, expect, it, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { plotChart } from '../../screens/chart.js';
import { DashboardProvider } from '../../screens/context.js';
import { fmtAge, fmtPrice, fmtRupees, fmtSigned, istClock, priceDecimals, progressBar, shortId } from '../../screens/format.js';
import { burstKeyNames, KEYMAP, keyLabel, keyNameOf, resolveKey } from '../../screens/keymap.js';
import { Header } from '../../screens/panels/Header.js';
import { feedText, healthText } from '../../screens/panels/Header.js';
import { protectionOf } from '../../screens/protection.js';
import { stepMarks } from '../../screens/overlays/ShutdownProgress.js';
import { FIXTURE_NOW, stopLeg, storeIn, targetLeg } from './fixtures.js';
import { wait } from './harness.js';

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

  test('plots the newest prices at the right edge with levels labelled on their rows', () => {
    const history = Array.from({ length: 100 }, (_, i) => 100 + i / 10);
    const rows = plotChart(history, [{ mark: 'T', price: 112 }, { mark: 'S', price: 98 }], 20, 4, fmt);
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r.plot).toHaveLength(20);
    expect(rows[0]?.label).toContain('T 112.00');
    expect(rows[3]?.label).toContain('S 98.00');
    expect(rows.some((r) => r.label.includes('> 109.90'))).toBe(true);
    expect(rows.map((r) => r.plot.at(-1)).join('')).toMatch(/[\u2801-\u28ff]/);
  });

  test('no prices, no rows; a flat line still draws', () => {
    expect(plotChart([], [], 10, 3, fmt)).toEqual([]);
    const flat = plotChart([5, 5, 5], [], 10, 3, fmt);
    expect(flat.map((r) => r.plot).join('')).toMatch(/[\u2801-\u28ff]/);
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
  const long = { phase: 'long_protected' as const, requested: 150, entryFilled: 150, held: 150, exited: 0, avgEntry: 1, openedAt: 1 };

  test('both legs working: protected', () => {
    expect(protectionOf(long, { target: targetLeg(), stop: stopLeg() }).unprotected).toBe(false);
  });

  test('missing, rejected or cancelled leg while long: unprotected, with what is wrong', () => {
    expect(protectionOf(long, { target: targetLeg(), stop: null }).problems).toEqual([{ role: 'stop', what: 'no stop order' }]);
    expect(protectionOf(long, { target: targetLeg({ phase: 'cancelled' }), stop: stopLeg() }).unprotected).toBe(true);
    expect(protectionOf({ ...long, phase: 'long_unprotected' }, { target: targetLeg(), stop: stopLeg() }).unprotected).toBe(true);
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
    const store = storeIn('long_protected');
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
