// Start the dashboard on a terminal: alternate screen, hidden cursor, Ink with a frame-rate cap,
// and the terminal put back on every way out (unmount, process exit, uncaught error).

import type { ReactNode } from 'react';
import { render } from 'ink';
import type { EngineCommands } from '../../src/engine/commands.js';
import type { DeskCommands, DeskStore } from '../../src/store/desk.js';
import type { AppStore } from '../../src/store/store.js';
import { App } from './App.js';
import { coalescedViews } from './coalesce.js';
import { deskOverStores, singleDesk } from './desk.js';
import { colorFromEnv } from '../draw/tone.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';

/** Switch to the alternate screen, clear it, home the cursor, hide it. */
export const ENTER_SCREEN = '\u001b[?1049h\u001b[2J\u001b[H\u001b[?25l';
export const CI_WARNING =
  'random-scalp: CI is set in the environment, so the dashboard cannot draw live. Trading and keys still work (q quits safely); unset CI or use headless mode.';
/** Show the cursor and return to the trader's normal screen. */
export const LEAVE_SCREEN = '\u001b[?25h\u001b[?1049l';

/** What the dashboard draws: one instrument (today's form and screen)… */
export interface OneInstrumentDashboard {
  store: AppStore;
  commands: EngineCommands;
}

/**
 * …or a desk of instruments (SYMBOLS=…): with several, the instruments table and the focused
 * one's panels; a desk of one draws exactly as one instrument.
 */
export interface DeskDashboard {
  desk: DeskStore;
  deskCommands: DeskCommands;
}

export type DashboardOptions = (OneInstrumentDashboard | DeskDashboard) & DashboardSettings;

export interface DashboardSettings {
  /** Default process.stdout; must be a terminal. */
  stdout?: NodeJS.WriteStream;
  /** Default process.stdin; must be a terminal (keys need raw mode). */
  stdin?: NodeJS.ReadStream;
  /** Colours; default off under NO_COLOR or TERM=dumb. */
  color?: boolean;
  /** Frame-rate cap; default 12. */
  maxFps?: number;
  /**
   * Market ticks alone (price, clock, broker health) redraw at most this often, in ms; default
   * 1000. Trading state (position, legs, log, flags) redraws at once. See coalesce.ts.
   */
  tickMs?: number;
  /**
   * Redraw only changed lines (less traffic over SSH). Default false: after a resize (tmux pane
   * change, SSH window) lines the terminal moved are never repainted in that mode, while a full
   * redraw heals the screen on the next change (the clock ticks every second).
   */
  incrementalRendering?: boolean;
  /** Told of each render error a panel caught (e.g. to log it); must not throw. */
  onDisplayError?: (panel: string, error: Error) => void;
}

export interface DashboardHandle {
  /** Resolves once the dashboard is unmounted. */
  waitUntilExit(): Promise<void>;
  /** Take the dashboard down and give the terminal back (idempotent). */
  unmount(): void;
}

function LiveApp(props: DeskDashboard & Pick<DashboardSettings, 'onDisplayError'> & { stdout: NodeJS.WriteStream; color: boolean }): ReactNode {
  const size = useTerminalSize(props.stdout);
  return (
    <App
      desk={props.desk}
      deskCommands={props.deskCommands}
      rows={size.rows}
      columns={size.columns}
      color={props.color}
      onDisplayError={props.onDisplayError}
    />
  );
}

/**
 * Ink draws no live frames when CI or CONTINUOUS_INTEGRATION is set (it checks once, when it is
 * first imported, and then prints only the final frame on exit).
 */
export function ciSuppressesInk(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = (key: string): boolean => key in env && env[key] !== '0' && env[key] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

/** Why the dashboard cannot run here (then run headless), or null when it can. */
export function whyNoDashboard(
  stdin: NodeJS.ReadStream = process.stdin,
  stdout: NodeJS.WriteStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (!stdin.isTTY) return 'stdin is not a TTY (keys need raw mode)';
  if (!stdout.isTTY) return 'stdout is not a TTY';
  if (ciSuppressesInk(env)) return 'CI is set in the environment (Ink draws nothing live under CI; unset CI)';
  return null;
}

export function startDashboard(opts: DashboardOptions): DashboardHandle {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  if (!stdin.isTTY) throw new Error('the dashboard needs a terminal for keys (stdin is not a TTY): run headless instead');

  const color = opts.color ?? colorFromEnv(process.env);

  let restored = false;
  const restoreScreen = (): void => {
    if (restored) return;
    restored = true;
    try {
      stdout.write(LEAVE_SCREEN);
    } catch {
      // the terminal is gone; nothing to restore
    }
  };
  // 'uncaughtExceptionMonitor' sees a crash (including an unhandled rejection) before Node's
  // default handling without swallowing it; 'exit' covers every other way the process ends.
  const onCrash = (): void => restoreScreen();
  const onExit = (): void => restoreScreen();
  const removeHandlers = (): void => {
    process.off('uncaughtExceptionMonitor', onCrash);
    process.off('exit', onExit);
  };
  process.on('uncaughtExceptionMonitor', onCrash);
  process.on('exit', onExit);

  stdout.write(ENTER_SCREEN);
  // Under CI Ink draws nothing until exit. Keep trading and keys working, but say why the
  // screen stays blank (the CLI should have chosen headless: see whyNoDashboard).
  if (ciSuppressesInk(process.env)) stdout.write(`${CI_WARNING}\r\n`);
  const source = 'desk' in opts ? { desk: opts.desk, deskCommands: opts.deskCommands } : singleDesk(opts.store, opts.commands);
  // Every instrument's panels and row draw from a coalesced view of its store, all on one clock.
  const views = coalescedViews(
    source.desk.getState().instruments.map((i) => i.store),
    opts.tickMs !== undefined ? { tickMs: opts.tickMs } : {},
  );
  const shown = deskOverStores(source.desk, views.views);
  const coalesced = {
    dispose: (): void => {
      views.dispose();
      shown.dispose();
    },
  };
  let instance: ReturnType<typeof render>;
  try {
    instance = render(
      <LiveApp desk={shown.desk} deskCommands={source.deskCommands} stdout={stdout} color={color} onDisplayError={opts.onDisplayError} />,
      {
        stdout,
        stdin,
        exitOnCtrlC: false,
        patchConsole: false,
        maxFps: opts.maxFps ?? 12,
        incrementalRendering: opts.incrementalRendering ?? false,
      },
    );
  } catch (err) {
    coalesced.dispose();
    removeHandlers();
    restoreScreen();
    throw err;
  }

  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    coalesced.dispose();
    removeHandlers();
    restoreScreen();
  };
  const exited = instance.waitUntilExit().then(finish, (err: unknown) => {
    finish();
    throw err;
  });
  // Keep a rejected exit from becoming an unhandled rejection when nobody waits.
  exited.catch(() => undefined);

  return {
    waitUntilExit: () => exited.then(() => undefined),
    unmount: () => {
      try {
        instance.unmount();
      } finally {
        finish();
      }
    },
  };
}
