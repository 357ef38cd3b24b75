// Every key, through the one key table: what the engine is asked to do and what the screen shows.

import { afterEach, describe, expect, test } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { fakeCommands } from './fixtures.js';
import { renderApp } from './harness.js';
import { KEYMAP, keyLabel } from '../../screens/keys/keymap.js';

afterEach(() => cleanup());

const CTRL_C = '\u0003';
const ESC = '\u001b';

describe('flatten', () => {
  test('f asks, y within 3 s flattens', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press('f');
    expect(r.frame()).toContain('Flatten 150 @ market? press y within 3 s');
    expect(r.calls).toEqual([]);
    r.clock.t += 2900;
    await r.press('y');
    expect(r.calls).toEqual(['flatten']);
    expect(r.frame()).toContain('FLATTEN requested: selling 150 at market');
    expect(r.frame()).not.toContain('press y within');
  });

  test('f then y after 3 s does not flatten', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press('f');
    r.clock.t += 3001;
    await r.press('y');
    expect(r.calls).toEqual([]);
    // Either the y came too late, or the question had already closed itself: nothing was sent.
    expect(r.frame()).toMatch(/(too late|expired).*nothing sent/);
  });

  test('the question closes by itself once 3 s have passed on the injected clock', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press('f');
    r.clock.t += 3500;
    await new Promise((res) => setTimeout(res, 300));
    expect(r.frame()).not.toContain('press y within');
    expect(r.frame()).toContain('expired');
  });

  test('y without f does nothing', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press('y');
    expect(r.calls).toEqual([]);
    expect(r.frame()).toContain('nothing sent');
  });

  test('Esc or n cancels the question', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press('f');
    await r.press(ESC);
    await r.press('y');
    await r.press('f');
    await r.press('n');
    await r.press('y');
    expect(r.calls).toEqual([]);
  });

  test('another key cancels the question and does its own job', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press('f');
    await r.press('m');
    await r.press('y');
    expect(r.calls).toEqual(['toggleMarketOnTarget']);
  });

  test('F flattens at once, also while the question is open', async () => {
    const r = renderApp({ state: 'entering_partial' });
    await r.press('F');
    expect(r.calls).toEqual(['flatten']);
    expect(r.frame()).toContain('FLATTEN requested: selling 75 at market');
    await r.press('f');
    await r.press('F');
    expect(r.calls).toEqual(['flatten', 'flatten']);
  });

  test('typed fast as one chunk, f y still flattens; a pasted text never does', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press('fy');
    expect(r.calls).toEqual(['flatten']);
    await r.press('Flatten everything');
    expect(r.calls).toEqual(['flatten']);
    expect(r.frame()).toContain('ignored pasted text');
  });
});

describe('engine toggles', () => {
  test('m toggles market-on-target and says which way', async () => {
    const r = renderApp({ state: 'flat' });
    await r.press('m');
    expect(r.calls).toEqual(['toggleMarketOnTarget']);
    expect(r.frame()).toContain('market-on-target ON requested');
  });

  test('r reconciles now', async () => {
    const r = renderApp({ state: 'flat' });
    await r.press('r');
    expect(r.calls).toEqual(['reconcileNow']);
    expect(r.frame()).toContain('reconcile requested');
  });

  test('p pauses, and offers resume when paused', async () => {
    const r = renderApp({ state: 'flat' });
    await r.press('p');
    expect(r.calls).toEqual(['togglePause']);
    expect(r.frame()).toContain('pause entries requested');
    r.store.getState().engineStateChanged({ paused: true });
    await r.press('p');
    expect(r.frame()).toContain('resume entries requested');
  });

  test('a failing command is reported on screen, not thrown', async () => {
    const { commands } = fakeCommands();
    commands.reconcileNow = () => {
      throw new Error('engine busy');
    };
    const r = renderApp({ state: 'flat', commands });
    await r.press('r');
    expect(r.frame()).toContain('reconcile failed: engine busy');
  });
});

describe('overlays', () => {
  test('t opens today\'s trades, t or Esc closes', async () => {
    const r = renderApp({ state: 'with_trades' });
    await r.press('t');
    const f = r.frame();
    expect(f).toContain("TODAY'S TRADES 2025-01-15");
    expect(f).toMatch(/1 09:15:30→09:20:30 +23400\.00 +23430\.00 +150 target +\+₹4,404\.50/);
    expect(f).toMatch(/2 09:35:30→09:40:30 +23460\.00 +23440\.00 +150 stop +-₹3,094\.25/);
    expect(f).toContain('TOTAL 3 trades W2 L1  gross +₹1,878.75  costs -₹237.85  net +₹1,640.90');
    await r.press('t');
    expect(r.frame()).not.toContain("TODAY'S TRADES");
    await r.press('t');
    await r.press(ESC);
    expect(r.frame()).not.toContain("TODAY'S TRADES");
  });

  test('? opens help listing every binding from the key table; Esc closes', async () => {
    const r = renderApp({ state: 'flat', rows: 40 });
    await r.press('?');
    const f = r.frame();
    expect(f).toContain('HELP');
    for (const b of KEYMAP) {
      expect(f).toContain(b.keys.map(keyLabel).join(' / '));
      expect(f).toContain(b.help.slice(0, 40));
    }
    await r.press(ESC);
    expect(r.frame()).not.toContain('HELP');
  });

  test('the footer lists the keys from the key table', () => {
    const f = renderApp({ state: 'flat' }).frame();
    for (const b of KEYMAP.filter((x) => x.footer)) expect(f).toContain(`${b.keys.map(keyLabel).join('/')} ${b.footer}`);
  });

  test('Esc with nothing open says so', async () => {
    const r = renderApp({ state: 'flat' });
    await r.press(ESC);
    expect(r.frame()).toContain('nothing to close');
  });

  test('an unbound key says it does nothing', async () => {
    const r = renderApp({ state: 'flat' });
    await r.press('x');
    expect(r.frame()).toContain('key x does nothing; ? lists the keys');
    expect(r.calls).toEqual([]);
  });
});

describe('quit', () => {
  test('q asks the engine to quit and shows the shutdown has started', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press('q');
    expect(r.calls).toEqual(['quit']);
    expect(r.frame()).toContain('quit requested');
    expect(r.frame()).toContain('SHUTDOWN requested');
  });

  test('Ctrl-C twice calls quit twice (never abandons) and shows it is in progress', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press(CTRL_C);
    r.store.getState().shutdownPhaseChanged('cancelling_legs', '', r.clock.t);
    await r.press(CTRL_C);
    expect(r.calls).toEqual(['quit', 'quit']);
    expect(r.frame()).toContain('quit pressed 2×');
    expect(r.frame()).toContain('SHUTDOWN in progress');
  });

  test('Ctrl-C pressed twice in one chunk still counts twice', async () => {
    const r = renderApp({ state: 'flat' });
    await r.press(CTRL_C + CTRL_C);
    expect(r.calls).toEqual(['quit', 'quit']);
  });
});

describe('flatten when nothing is held', () => {
  test('F still reaches the engine and says nothing was held', async () => {
    const r = renderApp({ state: 'flat' });
    await r.press('F');
    expect(r.calls).toEqual(['flatten']);
    expect(r.frame()).toContain('FLATTEN requested: nothing held');
  });
});
