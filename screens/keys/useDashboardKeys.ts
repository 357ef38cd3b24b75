// The one key dispatcher: each keypress is resolved through the key table (keymap.ts) and
// becomes an engine command or a change of what the screen shows. Every key shows an effect
// within a frame: an overlay, or a status line in the footer.
//
// Flatten asks first: `f` arms a question, `y` within FLATTEN_CONFIRM_MS (on the injected
// clock) sends it; `F` sends at once. Ctrl-C and `q` always call quit(), again on each press.
//
// With several instruments the engine keys (f/F, p, m, r) act on the focused instrument
// (↑/↓ or 1–9 move the focus), `X` then `y` flattens every instrument, `P` pauses them all (or
// resumes them all when none takes entries) and quit goes to the whole desk.

import { useCallback, useEffect, useReducer, useRef } from 'react';
import { useInput, type Key } from 'ink';
import type { DeskCommands, DeskInstrument } from '../../src/store/desk.js';
import { burstKeyNames, FLATTEN_CONFIRM_MS, keyLabel, keyNameOf, resolveKey, type Command } from './keymap.js';
import type { StatusLine } from '../panels/Footer.js';
import type { Tone } from '../draw/tone.js';

export type Overlay = 'none' | 'help' | 'trades';

export interface DashboardUi {
  overlay: Overlay;
  /** When `f` (or `X`) was pressed (injected clock), or null when no flatten question is open. */
  confirmArmedAt: number | null;
  /** What the open question flattens: the focused instrument (`f`) or every one (`X`). */
  confirmScope: 'focused' | 'all';
  status: StatusLine | null;
  /** How many times quit was asked for. */
  quitCount: number;
}

export interface DashboardKeysOptions {
  /** The desk's instruments, fixed for the run; one keeps today's keys exactly. */
  instruments: readonly DeskInstrument[];
  deskCommands: DeskCommands;
  /** The focused instrument's index (kept by the caller: it picks the store the panels read). */
  focus: number;
  onFocus: (index: number) => void;
  now: () => number;
  /** How long a status line stays (real time; cosmetic only). */
  statusMs?: number;
}

const INITIAL: DashboardUi = { overlay: 'none', confirmArmedAt: null, confirmScope: 'focused', status: null, quitCount: 0 };
const STATUS_MS = 6000;
const CONFIRM_REFRESH_MS = 250;

function flattenSent(held: number, symbol: string | null): string {
  const what = symbol === null ? 'FLATTEN' : `FLATTEN ${symbol}`;
  return held > 0 ? `${what} requested: selling ${held} at market` : `${what} requested: nothing held (cancels a working entry, pauses entries)`;
}

function flattenAllSent(instruments: readonly DeskInstrument[]): string {
  const held = instruments.map((i) => i.store.getState().position?.held ?? 0);
  const selling = held.filter((h) => h > 0);
  return `FLATTEN ALL requested: ${instruments.length} instruments, ${selling.length > 0 ? `selling ${selling.join(' + ')} at market` : 'nothing held'}; entries paused`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function useDashboardKeys(opts: DashboardKeysOptions): DashboardUi {
  const { instruments, deskCommands, now, onFocus } = opts;
  const several = instruments.length > 1;
  // Read at dispatch time: a burst ("2f") focuses and then acts on the new focus.
  const focusRef = useRef(opts.focus);
  focusRef.current = opts.focus;
  const focusOn = useCallback(
    (index: number): void => {
      focusRef.current = index;
      onFocus(index);
    },
    [onFocus],
  );
  const ui = useRef<DashboardUi>(INITIAL);
  const statusSeq = useRef(0);
  const [, rerender] = useReducer((x: number) => x + 1, 0);

  const update = useCallback((change: Partial<DashboardUi>) => {
    ui.current = { ...ui.current, ...change };
    rerender();
  }, []);

  const status = useCallback(
    (text: string, tone: Tone = 'info'): StatusLine => ({ id: ++statusSeq.current, text, tone }),
    [],
  );

  /** Run an engine command; a throwing command becomes a status line, never a crash. */
  const send = useCallback(
    (what: string, call: () => void, ok: string, tone: Tone = 'info'): StatusLine => {
      try {
        call();
        return status(ok, tone);
      } catch (err) {
        return status(`${what} failed: ${messageOf(err)}`, 'alarm');
      }
    },
    [status],
  );

  const run = useCallback(
    (command: Command, name: string): void => {
      const cur = ui.current;
      const focused = instruments[focusRef.current] ?? instruments[0];
      if (!focused) return;
      const { store, commands } = focused;
      const state = store.getState();
      const held = state.position?.held ?? 0;
      const symbol = several ? focused.symbol : null;
      const armed = cur.confirmArmedAt;
      // Any key but the confirm and the explicit cancel closes a pending flatten question.
      const closeQuestion = armed !== null && command !== 'flatten_confirm' && command !== 'close_overlay';
      const base: Partial<DashboardUi> = closeQuestion ? { confirmArmedAt: null } : {};
      switch (command) {
        case 'flatten_ask':
          return update({ confirmArmedAt: now(), confirmScope: 'focused', status: null });
        case 'flatten_all_ask':
          return update({ confirmArmedAt: now(), confirmScope: 'all', status: null });
        case 'flatten_confirm': {
          if (armed === null) return update({ status: status(`y confirms a flatten only right after f${several ? ' or X' : ''} — nothing sent`, 'muted') });
          if (now() - armed > FLATTEN_CONFIRM_MS) {
            const key = cur.confirmScope === 'all' ? 'X' : 'f';
            return update({ confirmArmedAt: null, status: status(`too late: y came more than 3 s after ${key} — nothing sent; press ${key} again`, 'warn') });
          }
          const s =
            cur.confirmScope === 'all'
              ? send('flatten all', () => deskCommands.flattenAll(), flattenAllSent(instruments), 'warn')
              : send('flatten', () => commands.flatten(), flattenSent(held, symbol), 'warn');
          return update({ confirmArmedAt: null, status: s });
        }
        case 'flatten_now': {
          const s = send('flatten', () => commands.flatten(), flattenSent(held, symbol), 'warn');
          return update({ ...base, status: s });
        }
        case 'toggle_market_on_target': {
          const next = state.marketOnTarget ? 'OFF' : 'ON';
          return update({ ...base, status: send('market-on-target', () => commands.toggleMarketOnTarget(), `market-on-target ${next}${symbol ? ` for ${symbol}` : ''} requested`) });
        }
        case 'reconcile':
          return update({ ...base, status: send('reconcile', () => commands.reconcileNow(), `reconcile${symbol ? ` ${symbol}` : ''} requested`) });
        case 'toggle_pause': {
          const of = symbol ? ` for ${symbol}` : '';
          const what = state.paused ? `resume entries${of} requested` : `pause entries${of} requested (exits stay protected)`;
          return update({ ...base, status: send('pause', () => commands.togglePause(), what) });
        }
        case 'toggle_pause_all': {
          const pause = instruments.some((i) => !i.store.getState().paused);
          const what = pause ? `pause entries on all ${instruments.length} requested (exits stay protected)` : `resume entries on all ${instruments.length} requested`;
          return update({ ...base, status: send('pause all', () => deskCommands.setPausedAll(pause), what) });
        }
        case 'focus_step': {
          const step = name === 'up' ? -1 : 1;
          focusOn((focusRef.current + step + instruments.length) % instruments.length);
          return update({ ...base, status: null });
        }
        case 'focus_number': {
          const index = Number(name) - 1;
          if (!(index >= 0 && index < instruments.length)) {
            return update({ ...base, status: status(`no instrument ${name}: the table has 1 to ${instruments.length}`, 'muted') });
          }
          focusOn(index);
          return update({ ...base, status: null });
        }
        case 'toggle_trades':
          return update({ ...base, overlay: cur.overlay === 'trades' ? 'none' : 'trades' });
        case 'toggle_help':
          return update({ ...base, overlay: cur.overlay === 'help' ? 'none' : 'help' });
        case 'close_overlay':
          if (armed !== null) return update({ confirmArmedAt: null, status: status('flatten cancelled — nothing sent', 'info') });
          if (cur.overlay !== 'none') return update({ overlay: 'none' });
          return update({ status: status('nothing to close', 'muted') });
        case 'quit': {
          const count = cur.quitCount + 1;
          const ok =
            count === 1
              ? `quit requested: flattening ${several ? `all ${instruments.length} ` : ''}safely before exit (protection stays on until flat)`
              : `still shutting down (quit pressed ${count}×): what is still in flight is in the log`;
          return update({ ...base, quitCount: count, status: send('quit', () => deskCommands.quit(), ok, 'warn') });
        }
      }
    },
    [instruments, several, deskCommands, now, update, status, send, focusOn],
  );

  const dispatch = useCallback(
    (name: string): void => {
      const binding = resolveKey(name, several);
      if (!binding) {
        const closing = ui.current.confirmArmedAt !== null ? 'flatten cancelled — ' : '';
        update({ confirmArmedAt: null, status: status(`${closing}key ${keyLabel(name)} does nothing; ? lists the keys`, 'muted') });
        return;
      }
      run(binding.command, name);
    },
    [run, update, status, several],
  );

  const onInput = useCallback(
    (input: string, key: Key): void => {
      const name = keyNameOf(input, key);
      if (name !== null) return dispatch(name);
      if (input.length <= 1 || key.escape) return;
      const burst = burstKeyNames(input);
      if (burst.pasted) update({ status: status('ignored pasted text: keys count only when typed', 'warn') });
      for (const n of burst.names) dispatch(n);
    },
    [dispatch, update, status],
  );

  useInput(onInput);

  // While the flatten question is open: refresh its countdown and close it when time is up.
  const armedAt = ui.current.confirmArmedAt;
  useEffect(() => {
    if (armedAt === null) return;
    const timer = setInterval(() => {
      if (ui.current.confirmArmedAt !== armedAt) return;
      if (now() - armedAt > FLATTEN_CONFIRM_MS) {
        update({ confirmArmedAt: null, status: status('flatten question expired after 3 s — nothing sent', 'muted') });
      } else {
        rerender();
      }
    }, CONFIRM_REFRESH_MS);
    return () => clearInterval(timer);
  }, [armedAt, now, update, status]);

  // A status line fades after a few seconds.
  const statusId = ui.current.status?.id ?? null;
  const statusMs = opts.statusMs ?? STATUS_MS;
  useEffect(() => {
    if (statusId === null) return;
    const timer = setTimeout(() => {
      if (ui.current.status?.id === statusId) update({ status: null });
    }, statusMs);
    return () => clearTimeout(timer);
  }, [statusId, statusMs, update]);

  return ui.current;
}
