// The frame never outgrows the terminal: every state, with every overlay, at 80x24 and at the
// smallest supported size; below that, one line.

import { afterEach, describe, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../screens/app/App.js';
import { computeLayout, MIN_COLUMNS, MIN_ROWS } from '../../screens/app/layout.js';
import { fakeCommands, FIXTURE_NAMES, storeIn } from './fixtures.js';
import { linesOf, renderApp, wait } from './harness.js';

afterEach(() => cleanup());

const SIZES = [
  { columns: 80, rows: 24 },
  { columns: 80, rows: 23 },
  { columns: MIN_COLUMNS, rows: MIN_ROWS },
  { columns: 120, rows: 32 },
  { columns: 200, rows: 60 },
];

describe('frame height', () => {
  for (const size of SIZES) {
    test(`every state and overlay fits ${size.columns}x${size.rows}`, async () => {
      for (const state of FIXTURE_NAMES) {
        const r = renderApp({ state, ...size });
        const check = (what: string): void => {
          const lines = linesOf(r.frame());
          expect(lines.length, `${state} ${what}`).toBeLessThan(size.rows);
          for (const line of lines) expect(line.length, `${state} ${what}: ${line}`).toBeLessThanOrEqual(size.columns);
        };
        check('plain');
        await r.press('f');
        check('flatten question');
        await r.press('t');
        check('trades');
        await r.press('?');
        check('help');
        await r.press('q');
        check('quitting');
        r.unmount();
      }
    });
  }

  test('80x24 fits with a banner, the question, help and a shutdown all at once', async () => {
    const store = storeIn('shutting_down');
    store.getState().bannerChanged('x'.repeat(300));
    const r = renderApp({ store, columns: 80, rows: 24 });
    await r.press('?');
    await r.press('f');
    expect(linesOf(r.frame()).length).toBeLessThanOrEqual(24);
    expect(r.frame()).toContain('press y within 3 s');
  });
});

describe('too small', () => {
  test('60x15 shows one line saying so; trading continues', () => {
    const r = renderApp({ state: 'protected', columns: 60, rows: 15 });
    const lines = linesOf(r.frame());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Too small 60x15: need 60x16; trading continues');
    expect(lines[0]?.length).toBeLessThanOrEqual(60);
  });

  test('the full message names the size to reach and that trading continues', () => {
    const r = renderApp({ state: 'flat', columns: 100, rows: 10 });
    expect(r.frame()).toContain('Terminal too small (100x10) — enlarge to at least 60x16 (80x24 recommended); trading continues');
  });

  test('keys still work when too small, and the flatten question shows in the one line', async () => {
    const r = renderApp({ state: 'protected', columns: 50, rows: 12 });
    await r.press('f');
    expect(r.frame()).toContain('Flatten 150 @ market? press y within 3 s');
    await r.press('y');
    expect(r.calls).toEqual(['flatten']);
  });
});

describe('resize', () => {
  test('a new size re-lays the frame: chart appears when tall enough', async () => {
    const { commands } = fakeCommands();
    const store = storeIn('protected');
    const r = render(<App store={store} commands={commands} rows={24} columns={80} color={false} />);
    expect(r.lastFrame()).not.toMatch(/^PRICE /m);
    r.rerender(<App store={store} commands={commands} rows={34} columns={120} color={false} />);
    await wait();
    expect(r.lastFrame()).toMatch(/^PRICE /m);
    expect(linesOf(r.lastFrame() ?? '').length).toBeLessThan(34);
    r.rerender(<App store={store} commands={commands} rows={15} columns={60} color={false} />);
    await wait();
    expect(r.lastFrame()).toContain('Too small 60x15');
  });
});

describe('computeLayout', () => {
  test('panel heights add up to rows − 1 and the log keeps the rest', () => {
    for (let rows = MIN_ROWS; rows <= 80; rows++) {
      for (const banner of [false, true]) {
        const l = computeLayout({ rows, columns: 100 }, { banner });
        const sum = l.header + l.banner + l.position + l.legs + l.fill + l.chart + l.body + l.footer;
        expect(sum).toBe(rows - 1);
        expect(l.body).toBeGreaterThanOrEqual(3);
      }
    }
  });

  test('narrow below 80 columns, compact below 100; chart only with room to spare', () => {
    expect(computeLayout({ rows: 24, columns: 60 }, { banner: false }).form).toBe('narrow');
    expect(computeLayout({ rows: 24, columns: 100 }, { banner: false }).form).toBe('wide');
    expect(computeLayout({ rows: 24, columns: 80 }, { banner: false })).toMatchObject({ form: 'compact', chart: 0 });
    expect(computeLayout({ rows: 32, columns: 120 }, { banner: false }).chart).toBeGreaterThan(0);
    expect(computeLayout({ rows: 15, columns: 200 }, { banner: false }).tooSmall).toBe(true);
    expect(computeLayout({ rows: 40, columns: 59 }, { banner: false }).tooSmall).toBe(true);
  });
});
