// NO_COLOR / TERM=dumb: no colour codes at all, while meaning stays in the words.
// FORCE_COLOR is set before Ink loads so colours would appear if the dashboard asked for them.

import { afterEach, describe, expect, test, vi } from 'vitest';

vi.hoisted(() => {
  process.env['FORCE_COLOR'] = '1';
});

import { cleanup } from 'ink-testing-library';
import { colorFromEnv, toneProps, type Tone } from '../../screens/draw/tone.js';
import { FIXTURE_NAMES } from './fixtures.js';
import { renderApp } from './harness.js';

afterEach(() => cleanup());

/** SGR colour codes: foreground/background, normal and bright, 256 and truecolor. */
const COLOUR_SGR = /\u001b\[(?:3\d|4\d|9[0-7]|10[0-7])(?:;\d+)*m/;

describe('colour switch', () => {
  test('with colours on, the dashboard does use colour (control)', () => {
    const f = renderApp({ state: 'unprotected_missing_stop', color: true }).frame();
    expect(f).toMatch(COLOUR_SGR);
  });

  test('color=false: no colour codes in any state or overlay', async () => {
    for (const state of FIXTURE_NAMES) {
      const r = renderApp({ state, color: false, columns: 120, rows: 40 });
      expect(r.frame(), state).not.toMatch(COLOUR_SGR);
      await r.press('f');
      await r.press('t');
      expect(r.frame(), `${state} overlays`).not.toMatch(COLOUR_SGR);
      await r.press('?');
      await r.press('q');
      expect(r.frame(), `${state} help+quit`).not.toMatch(COLOUR_SGR);
      r.unmount();
    }
  });

  test('without colour, alarms still stand out (inverse) and read as words', () => {
    const f = renderApp({ state: 'unprotected_missing_stop', color: false }).frame();
    expect(f).toContain('\u001b[7m');
    expect(f).toContain('UNPROTECTED');
  });

  test('tone props never use white or black, and none at all without colour', () => {
    const tones: Tone[] = ['plain', 'strong', 'muted', 'good', 'bad', 'warn', 'info', 'alarm', 'live'];
    for (const t of tones) {
      expect(toneProps(t, false).color).toBeUndefined();
      expect(['red', 'green', 'yellow', 'cyan', undefined]).toContain(toneProps(t, true).color);
    }
  });

  test('NO_COLOR (non-empty) and TERM=dumb turn colours off', () => {
    expect(colorFromEnv({ TERM: 'xterm-256color' })).toBe(true);
    expect(colorFromEnv({ NO_COLOR: '1', TERM: 'xterm' })).toBe(false);
    expect(colorFromEnv({ NO_COLOR: '', TERM: 'xterm' })).toBe(true);
    expect(colorFromEnv({ TERM: 'dumb' })).toBe(false);
  });
});
