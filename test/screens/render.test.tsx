// startDashboard on a (fake) terminal: alternate screen before the first frame, the terminal
// given back on every way out, handlers removed, Ctrl-C reaching quit instead of killing Ink.

import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, test, vi } from 'vitest';

// Ink decides once, when first imported, to draw nothing live under CI; this file drives a
// (fake) terminal like a trader's, so it clears CI before Ink loads.
vi.hoisted(() => {
  delete process.env['CI'];
  delete process.env['CONTINUOUS_INTEGRATION'];
});
import { CI_WARNING, ENTER_SCREEN, LEAVE_SCREEN, startDashboard, whyNoDashboard, type DashboardHandle } from '../../screens/app/render.js';
import { fakeCommands, storeIn } from './fixtures.js';
import { wait } from './harness.js';

class FakeTerminalOut extends EventEmitter {
  isTTY = true;
  columns = 100;
  rows = 30;
  writes: string[] = [];
  write(chunk: string | Uint8Array): boolean {
    this.writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }
  get all(): string {
    return this.writes.join('');
  }
}

class FakeTerminalIn extends EventEmitter {
  isTTY = true;
  private pending: string | null = null;
  setRawMode(): this {
    return this;
  }
  setEncoding(): void {}
  ref(): void {}
  unref(): void {}
  resume(): void {}
  pause(): void {}
  read(): string | null {
    const data = this.pending;
    this.pending = null;
    return data;
  }
  type(data: string): void {
    this.pending = data;
    this.emit('readable');
  }
}

function start(overrides: { stdinTty?: boolean } = {}) {
  const stdout = new FakeTerminalOut();
  const stdin = new FakeTerminalIn();
  stdin.isTTY = overrides.stdinTty ?? true;
  const { commands, calls } = fakeCommands();
  const handle = startDashboard({
    store: storeIn('protected'),
    commands,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    color: false,
    maxFps: 1000,
  });
  return { stdout, stdin, calls, handle };
}

let open: DashboardHandle | null = null;
afterEach(() => {
  open?.unmount();
  open = null;
});

describe('startDashboard', () => {
  test('enters the alternate screen and hides the cursor before the first frame', async () => {
    const t = start();
    open = t.handle;
    await wait(20);
    expect(t.stdout.writes[0]).toBe(ENTER_SCREEN);
    expect(ENTER_SCREEN).toContain('\u001b[?1049h');
    expect(ENTER_SCREEN).toContain('\u001b[?25l');
    expect(t.stdout.all).toContain('NIFTY25JANFUT@NFO');
  });

  test('unmount gives the terminal back once, after the last frame, and removes its handlers', async () => {
    const exitListeners = process.listenerCount('exit');
    const crashListeners = process.listenerCount('uncaughtExceptionMonitor');
    const t = start();
    expect(process.listenerCount('uncaughtExceptionMonitor')).toBe(crashListeners + 1);
    await wait(20);
    t.handle.unmount();
    t.handle.unmount();
    await t.handle.waitUntilExit();
    const all = t.stdout.all;
    expect(all.endsWith(LEAVE_SCREEN)).toBe(true);
    expect(all.split(LEAVE_SCREEN)).toHaveLength(2);
    expect(LEAVE_SCREEN).toContain('\u001b[?1049l');
    expect(LEAVE_SCREEN).toContain('\u001b[?25h');
    expect(process.listenerCount('exit')).toBe(exitListeners);
    expect(process.listenerCount('uncaughtExceptionMonitor')).toBe(crashListeners);
  });

  test('an uncaught error puts the terminal back (without swallowing the error)', async () => {
    const t = start();
    open = t.handle;
    await wait(20);
    const emit = process.emit.bind(process) as (event: string, ...args: unknown[]) => boolean;
    emit('uncaughtExceptionMonitor', new Error('crash'), 'uncaughtException');
    expect(t.stdout.all).toContain(LEAVE_SCREEN);
  });

  test('Ctrl-C reaches quit (twice), and the dashboard stays up while shutting down', async () => {
    const t = start();
    open = t.handle;
    await wait(20);
    t.stdin.type('\u0003');
    await wait(20);
    t.stdin.type('\u0003');
    await wait(20);
    expect(t.calls).toEqual(['quit', 'quit']);
    expect(t.stdout.all).not.toContain(LEAVE_SCREEN);
  });

  test('refuses a non-terminal stdin before touching the screen', () => {
    expect(() => start({ stdinTty: false })).toThrow(/not a TTY/);
  });

  test('says why it cannot run: no TTY, or CI set (then the CLI runs headless)', () => {
    const tty = { isTTY: true } as NodeJS.ReadStream & NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.ReadStream & NodeJS.WriteStream;
    expect(whyNoDashboard(tty, tty, {})).toBeNull();
    expect(whyNoDashboard(pipe, tty, {})).toMatch(/stdin is not a TTY/);
    expect(whyNoDashboard(tty, pipe, {})).toMatch(/stdout is not a TTY/);
    expect(whyNoDashboard(tty, tty, { CI: 'true' })).toMatch(/CI is set/);
    expect(whyNoDashboard(tty, tty, { CI: 'false' })).toBeNull();
  });

  test('under CI (Ink draws nothing live) it says so on the screen instead of staying blank', async () => {
    process.env['CI'] = 'true';
    try {
      const t = start();
      open = t.handle;
      expect(t.stdout.writes[1]).toContain(CI_WARNING);
    } finally {
      delete process.env['CI'];
    }
  });

  test('follows resize of the terminal', async () => {
    const t = start();
    open = t.handle;
    await wait(20);
    t.stdout.columns = 50;
    t.stdout.rows = 12;
    t.stdout.emit('resize');
    await wait(30);
    expect(t.stdout.all).toContain('Too small 50x12');
  });
});
