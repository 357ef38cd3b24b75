import { afterEach, describe, expect, test } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { linesOf, renderApp, wait } from './harness.js';

afterEach(() => cleanup());

const WIDE = { columns: 120, rows: 34 };

describe('header: exchange calendar and clock offset', () => {
  test('a holiday says so on the first line, with the held reason on the second', async () => {
    const r = renderApp({ state: 'flat', ...WIDE });
    r.store.getState().marketDayChanged('HOLIDAY: Christmas — no entries today');
    r.store.getState().clockTicked(r.store.getState().now, 'holiday', null);
    r.store.getState().entriesHeldChanged('trading holiday: Christmas (NFO closed)');
    await wait();
    const [first, second] = linesOf(r.frame());
    expect(first).toContain('MARKET CLOSED HOLIDAY: Christmas — no entries today | MIS');
    expect(second).toContain('HELD: trading holiday: Christmas (NFO closed)');
  });

  test('a special session shows its hours', async () => {
    const r = renderApp({ state: 'flat', ...WIDE });
    r.store.getState().marketDayChanged('SPECIAL SESSION 18:15–19:15');
    await wait();
    expect(linesOf(r.frame())[0]).toContain('IN SESSION SPECIAL SESSION 18:15–19:15 |');
  });

  test('the clock offset shows when it is a second or more, never below', async () => {
    const r = renderApp({ state: 'flat', ...WIDE });
    r.store.getState().clockOffsetChanged(400);
    await wait();
    expect(r.frame()).not.toContain('local clock');
    r.store.getState().clockOffsetChanged(-2_400);
    await wait();
    expect(linesOf(r.frame())[0]).toContain('10:15:30 IST (local clock 2.4 s fast) IN SESSION');
  });
});
