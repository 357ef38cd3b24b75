// Several instruments on one dashboard: the table and its TOTAL row from the instruments'
// stores, focus by arrows and digits, the engine keys on the focused one only, flatten all
// behind its question, pause all, and a frame that fits 80×24.

import { afterEach, describe, expect, test, vi } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../screens/app/App.js';
import { coalescedViews } from '../../screens/app/coalesce.js';
import { legsText, stateText, rowViewOf, symbolText } from '../../screens/table/cells.js';
import { fitRupees } from '../../screens/draw/format.js';
import { createDeskStore, type DeskCommands, type DeskInstrument } from '../../src/store/desk.js';
import type { EngineCommands } from '../../src/engine/commands.js';
import { createAppStore, type AppStore } from '../../src/store/store.js';
import { FIXTURE_NOW, fakeCommands, putStoreIn, storeIn, stopLeg, targetLeg, type FixtureName } from './fixtures.js';
import { linesOf, renderApp, wait } from './harness.js';

afterEach(() => cleanup());

const UP = '\u001b[A';
const DOWN = '\u001b[B';

const SYMBOLS = ['NIFTY25000CE', 'NIFTY25000PE', 'BANKNIFTY52000CE', 'FINNIFTY23500PE', 'SENSEX80000CE'];

function instrumentStore(symbol: string, state: FixtureName): AppStore {
  const store = putStoreIn(createAppStore(), state);
  const s = store.getState();
  s.configured({ mode: 'paper', brokerLabel: 'paper', symbol, exchange: 'NFO', product: 'MIS', lots: 2, marketOnTarget: false });
  return store;
}

function renderDesk(opts: { states?: FixtureName[]; rows?: number; columns?: number } = {}) {
  const states = opts.states ?? ['protected', 'with_trades', 'exiting'];
  const calls: string[] = [];
  const instruments: DeskInstrument[] = states.map((state, i) => {
    const symbol = SYMBOLS[i] as string;
    const commands: EngineCommands = {
      flatten: () => void calls.push(`${symbol}:flatten`),
      toggleMarketOnTarget: () => void calls.push(`${symbol}:toggleMarketOnTarget`),
      reconcileNow: () => void calls.push(`${symbol}:reconcileNow`),
      togglePause: () => void calls.push(`${symbol}:togglePause`),
      quit: () => void calls.push(`${symbol}:quit`),
    };
    return { key: `${symbol}@NFO`, symbol, exchange: 'NFO', store: instrumentStore(symbol, state), commands };
  });
  const desk = createDeskStore(instruments);
  const deskCommands: DeskCommands = {
    flattenAll: () => void calls.push('desk:flattenAll'),
    setPausedAll: (paused) => void calls.push(`desk:setPausedAll(${paused})`),
    quit: () => void calls.push('desk:quit'),
  };
  const clock = { t: FIXTURE_NOW };
  const r = render(<App desk={desk} deskCommands={deskCommands} rows={opts.rows ?? 40} columns={opts.columns ?? 120} color={false} now={() => clock.t} />);
  return {
    ...r,
    desk,
    instruments,
    calls,
    clock,
    frame: (): string => r.lastFrame() ?? '',
    async press(key: string): Promise<void> {
      const before = r.lastFrame();
      const n = calls.length;
      r.stdin.write(key);
      await wait(key.startsWith('\u001b') ? 20 : 5);
      for (let i = 0; i < 40 && r.lastFrame() === before && calls.length === n; i++) await wait(5);
      await wait(5);
    },
  };
}

/** The table row of an instrument (the line naming its symbol). */
function rowOf(frame: string, symbol: string): string {
  return linesOf(frame).find((l) => l.includes(symbol) && /^[ ▶]\d/.test(l)) ?? '';
}

describe('the instruments table', () => {
  test('one row per instrument and a TOTAL row summing unrealised and day net', () => {
    const r = renderDesk();
    const f = r.frame();
    expect(f).toMatch(/#\s+SYMBOL\s+STATE\s+POSITION\s+LEGS\s+LTP\s+UNREAL\s+DAY NET\s+GUARD/);
    const first = rowOf(f, 'NIFTY25000CE');
    expect(first.startsWith('▶1')).toBe(true);
    expect(first).toContain('protected');
    expect(first).toContain('150 @ 23450.25');
    expect(first).toContain('T✓ S✓');
    expect(first).toContain('23456.70');
    expect(first).toContain('+₹967.50');
    const second = rowOf(f, 'NIFTY25000PE');
    expect(second.startsWith(' 2')).toBe(true);
    expect(second).toContain('flat');
    expect(second).toContain('+₹1,640.90');
    const third = rowOf(f, 'BANKNIFTY52000CE');
    expect(third).toContain('exiting');
    expect(third).toContain('75 @ 23450.25');
    expect(third).toContain('T~ S!');
    // 967.50 + 75 × 6.45 = 1,451.25 unrealised; the day's closed trades are the second's alone.
    const total = linesOf(f).find((l) => l.includes('TOTAL (3)')) ?? '';
    expect(total).toContain('2 long');
    expect(total).toContain('+₹1,451.25');
    expect(total).toContain('+₹1,640.90');
  });

  test('a row follows its own store: a new price moves that row and the total only', async () => {
    const r = renderDesk();
    r.instruments[0]?.store.getState().quoteReceived(23460.25, 23400);
    await wait(20);
    const f = r.frame();
    expect(rowOf(f, 'NIFTY25000CE')).toContain('+₹1,500.00');
    expect(linesOf(f).find((l) => l.includes('TOTAL (3)'))).toContain('+₹1,983.75');
  });

  test('PAUSED and UNPROTECTED are words in the state column; the account guard heads the TOTAL row', async () => {
    const r = renderDesk({ states: ['unprotected_missing_stop', 'flat'] });
    r.instruments[1]?.store.getState().engineStateChanged({ paused: true });
    const g = (r.instruments[0] as DeskInstrument).store.getState().guard;
    r.desk.getState().accountChanged({ ...g, on: true, state: 'HALTED', reason: 'daily loss limit', since: FIXTURE_NOW, dayPnl: -5200, limits: { ...g.limits, maxDailyLoss: 5000 } });
    await wait(20);
    const f = r.frame();
    expect(rowOf(f, 'NIFTY25000CE')).toContain('UNPROTECTED');
    expect(rowOf(f, 'NIFTY25000CE')).toContain('T✓ S!');
    expect(rowOf(f, 'NIFTY25000PE')).toContain('flat PAUSED');
    expect(linesOf(f).find((l) => l.includes('TOTAL (2)'))).toContain('HALTED');
    expect(f).toContain('ACCOUNT GUARD HALTED');
  });
});

describe('focus', () => {
  test('↓/↑ move the ▶ and the panels below follow the focused store', async () => {
    const r = renderDesk();
    expect(r.frame()).toContain('LONG 150 @ 23450.25');
    await r.press(DOWN);
    expect(rowOf(r.frame(), 'NIFTY25000PE').startsWith('▶2')).toBe(true);
    expect(rowOf(r.frame(), 'NIFTY25000CE').startsWith(' 1')).toBe(true);
    // The flat instrument's panels: FLAT and its record of three trades.
    expect(r.frame()).toMatch(/FLAT \| LTP/);
    expect(r.frame()).toContain('3 trades W2 L1');
    await r.press(DOWN);
    await r.press(DOWN);
    expect(rowOf(r.frame(), 'NIFTY25000CE').startsWith('▶1')).toBe(true);
    await r.press(UP);
    expect(rowOf(r.frame(), 'BANKNIFTY52000CE').startsWith('▶3')).toBe(true);
    expect(r.calls).toEqual([]);
  });

  test('digits focus that row; a digit past the table says so', async () => {
    const r = renderDesk();
    await r.press('3');
    expect(rowOf(r.frame(), 'BANKNIFTY52000CE').startsWith('▶3')).toBe(true);
    await r.press('9');
    expect(r.frame()).toContain('no instrument 9: the table has 1 to 3');
    expect(rowOf(r.frame(), 'BANKNIFTY52000CE').startsWith('▶3')).toBe(true);
  });
});

describe('keys on the focused instrument and on all', () => {
  test('f then y flattens only the focused instrument, named in the question', async () => {
    const r = renderDesk();
    await r.press('2');
    await r.press('f');
    expect(r.frame()).toContain('Flatten NIFTY25000PE? nothing held');
    await r.press('y');
    expect(r.calls).toEqual(['NIFTY25000PE:flatten']);
    await r.press('1');
    await r.press('F');
    expect(r.calls).toEqual(['NIFTY25000PE:flatten', 'NIFTY25000CE:flatten']);
    expect(r.frame()).toContain('FLATTEN NIFTY25000CE requested: selling 150 at market');
  });

  test('a focus change closes the flatten question: y then flattens nothing', async () => {
    const r = renderDesk();
    await r.press('f');
    await r.press(DOWN);
    await r.press('y');
    expect(r.calls).toEqual([]);
  });

  test('p, m, r act on the focused instrument', async () => {
    const r = renderDesk();
    await r.press('3');
    await r.press('p');
    await r.press('m');
    await r.press('r');
    expect(r.calls).toEqual(['BANKNIFTY52000CE:togglePause', 'BANKNIFTY52000CE:toggleMarketOnTarget', 'BANKNIFTY52000CE:reconcileNow']);
  });

  test('X asks naming every instrument; y flattens all, n sends nothing', async () => {
    const r = renderDesk();
    await r.press('X');
    const f = r.frame();
    expect(f).toContain('FLATTEN ALL 3 instruments? press y within 3 s');
    expect(f).toContain('NIFTY25000CE: sell 150 @ market');
    expect(f).toContain('NIFTY25000PE: nothing held');
    expect(f).toContain('BANKNIFTY52000CE: sell 75 @ market');
    await r.press('n');
    await r.press('y');
    expect(r.calls).toEqual([]);
    await r.press('X');
    r.clock.t += 2500;
    await r.press('y');
    expect(r.calls).toEqual(['desk:flattenAll']);
    expect(r.frame()).toContain('FLATTEN ALL requested: 3 instruments, selling 150 + 75 at market');
  });

  test('X then y after 3 s flattens nothing', async () => {
    const r = renderDesk();
    await r.press('X');
    r.clock.t += 3100;
    await r.press('y');
    expect(r.calls).toEqual([]);
  });

  test('P pauses all while any takes entries, and resumes all once all are paused', async () => {
    const r = renderDesk();
    r.instruments[0]?.store.getState().engineStateChanged({ paused: true });
    await r.press('P');
    expect(r.calls).toEqual(['desk:setPausedAll(true)']);
    for (const i of r.instruments) i.store.getState().engineStateChanged({ paused: true });
    await wait(20);
    await r.press('P');
    expect(r.calls).toEqual(['desk:setPausedAll(true)', 'desk:setPausedAll(false)']);
  });

  test('q quits the whole desk', async () => {
    const r = renderDesk();
    await r.press('q');
    expect(r.calls).toEqual(['desk:quit']);
    expect(r.frame()).toContain('quit requested: flattening all 3 safely');
  });

  test('the footer and help list the desk keys', async () => {
    const r = renderDesk({ rows: 50 });
    expect(r.frame()).toContain('X flatten ALL');
    expect(r.frame()).toContain('P pause all');
    expect(r.frame()).toContain('↑/↓ focus');
    await r.press('?');
    expect(r.frame()).toContain('1-9');
    expect(r.frame()).toContain('Flatten EVERY instrument');
  });
});

describe('size', () => {
  test('80×24 with four instruments: table, position, legs, fills and log in 23 lines', async () => {
    const r = renderDesk({ states: ['protected', 'with_trades', 'exiting', 'flat'], rows: 24, columns: 80 });
    const lines = linesOf(r.frame());
    expect(lines.length).toBeLessThanOrEqual(23);
    const f = r.frame();
    expect(f).toContain('TOTAL (4)');
    expect(f).toContain('LONG 150');
    expect(f).toMatch(/TARGET .*LIMIT/);
    expect(f).toContain('entry [');
    expect(f).toContain('f flatten');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    // With the flatten-all question and the help open, still no taller than the terminal.
    await r.press('X');
    expect(linesOf(r.frame()).length).toBeLessThanOrEqual(23);
    await r.press('n');
    await r.press('?');
    expect(linesOf(r.frame()).length).toBeLessThanOrEqual(23);
  });

  test('80×24 with the account guard halted and five instruments still fits', async () => {
    const states = Array.from({ length: 5 }, () => 'flat' as FixtureName);
    const r = renderDesk({ states, rows: 24, columns: 80 });
    const g = (r.instruments[0] as DeskInstrument).store.getState().guard;
    r.desk.getState().accountChanged({ ...g, on: true, state: 'HALTED', reason: 'loss', since: FIXTURE_NOW });
    await wait(20);
    expect(linesOf(r.frame()).length).toBeLessThanOrEqual(23);
    expect(r.frame()).toContain('TOTAL (5)');
  });

  test('120×32 shows the chart under the table', () => {
    const r = renderDesk({ states: ['protected', 'with_trades', 'exiting', 'flat'], rows: 32, columns: 120 });
    expect(linesOf(r.frame()).length).toBeLessThanOrEqual(31);
    expect(r.frame()).toContain('PRICE');
  });
});

describe('one instrument', () => {
  test('a desk of one draws exactly the one-instrument screen: no table, today’s footer', () => {
    const store = storeIn('protected');
    const { commands } = fakeCommands();
    const one = renderApp({ store, commands, rows: 30, columns: 100 }).frame();
    const desk = createDeskStore([{ key: 'NIFTY25JANFUT@NFO', symbol: 'NIFTY25JANFUT', exchange: 'NFO', store, commands }]);
    const deskCommands: DeskCommands = { flattenAll: () => undefined, setPausedAll: () => undefined, quit: () => undefined };
    const r = render(<App desk={desk} deskCommands={deskCommands} rows={30} columns={100} color={false} now={() => FIXTURE_NOW} />);
    expect(r.lastFrame()).toBe(one);
    expect(one).not.toContain('TOTAL');
    expect(one).not.toContain('flatten ALL');
  });

  test('with one instrument the desk keys do nothing', async () => {
    const r = renderApp({ state: 'protected' });
    await r.press('X');
    await r.press('y');
    await r.press('2');
    expect(r.calls).toEqual([]);
    expect(r.frame()).toContain('key 2 does nothing');
  });
});

describe('table cells', () => {
  test('legs in five cells', () => {
    const v = rowViewOf(storeIn('protected').getState());
    expect(legsText(v)).toBe('T✓ S✓');
    expect(legsText({ ...v, legs: { target: targetLeg({ phase: 'pending_submit' }), stop: stopLeg({ phase: 'unknown_outcome' }) } })).toBe('T… S?');
    expect(legsText(rowViewOf(storeIn('flat').getState()))).toBe('—');
    expect(legsText(rowViewOf(storeIn('entering_partial').getState()))).toBe('T· S·');
  });

  test('state: phase, shutdown, entries held or paused', () => {
    const v = rowViewOf(storeIn('protected').getState());
    expect(stateText(v, 'wide').text).toBe('protected');
    expect(stateText({ ...v, paused: true }, 'compact').text).toBe('prot PAUSED');
    expect(stateText({ ...v, entriesHeld: 'outside window' }, 'wide').text).toBe('protected HELD');
    expect(stateText({ ...v, shutdown: 'critical' }, 'wide')).toEqual({ text: 'STUCK!', alarm: true });
  });

  test('rupees fit their column without being cut', () => {
    expect(fitRupees(967.5, 12)).toBe('+₹967.50');
    expect(fitRupees(-12345.67, 8)).toBe('-₹12,346');
    expect(fitRupees(123456.7, 8)).toBe('+₹123.5k');
    expect(fitRupees(0, 8)).toBe('₹0.00');
  });
});

describe('one clock for every instrument', () => {
  test('ticks from several stores reach their views in one flush; a trade flushes them all at once', () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(FIXTURE_NOW);
      const a = storeIn('flat');
      const b = storeIn('flat');
      const { views, dispose } = coalescedViews([a, b], { tickMs: 1000, settleMs: 50 });
      const seen: string[] = [];
      views[0]?.subscribe(() => seen.push('a'));
      views[1]?.subscribe(() => seen.push('b'));
      a.getState().quoteReceived(23460, 23400);
      vi.advanceTimersByTime(20);
      b.getState().quoteReceived(23470, 23400);
      expect(seen).toEqual([]);
      vi.advanceTimersByTime(40);
      expect(seen).toEqual(['a', 'b']);
      expect(views[1]?.getState().ltp).toBe(23470);
      // A pending tick on `a` rides along with `b`'s trading change.
      vi.advanceTimersByTime(2000);
      a.getState().quoteReceived(23461, 23400);
      b.getState().engineStateChanged({ paused: true });
      expect(seen).toEqual(['a', 'b', 'a', 'b']);
      expect(views[0]?.getState().ltp).toBe(23461);
      dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('instrument names in a narrow table', () => {
  test('an option too long for its column drops the expiry before anything else', () => {
    expect(symbolText({ symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO' }, 24)).toBe('NIFTY29DEC2625000CE@NFO');
    expect(symbolText({ symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO' }, 19)).toBe('NIFTY29DEC2625000CE');
    expect(symbolText({ symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO' }, 12)).toBe('NIFTY25000CE');
    expect(symbolText({ symbol: 'BANKNIFTY30DEC2655000PE', exchange: 'NFO' }, 12)).toBe('…IFTY55000PE');
    expect(symbolText({ symbol: 'RELIANCE', exchange: 'NSE' }, 8)).toBe('RELIANCE');
  });
});
