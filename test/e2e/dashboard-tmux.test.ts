import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from '../support/proc.js';

// The real CLI on the paper market inside a real terminal (tmux): press keys, read the screen.

const socket = `rs-e2e-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = (session = 'dash'): string => tmux('capture-pane', '-p', '-t', session);

async function waitForScreen(test: (s: string) => boolean, what: string, timeoutMs = 30_000, session = 'dash'): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    last = screen(session);
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`screen never showed ${what}; last screen:\n${last}`);
}

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
});

describe('the dashboard in a real terminal', () => {
  it('trades paper, flips the MOT badge with m, flattens with F, and q exits restoring the terminal', async () => {
    const dir = tempDir('rs-tmux-');
    // Ink draws nothing under CI=true (CI sets it): the trader's terminal never has it.
    const env = `-u CI -u CONTINUOUS_INTEGRATION XDG_CONFIG_HOME=${dir} STATE_DIR=${dir} INTERVAL=2s TERM=xterm-256color`;
    tmux('new-session', '-d', '-s', 'dash', '-x', '120', '-y', '32', `cd ${ROOT} && env ${env} node ${BIN} --paper; echo "EXIT:$?"; sleep 120`);
    await waitForScreen((s) => /PAPER/.test(s) && /\bLONG\b/.test(s) && /TARGET/.test(s), 'a long position with its legs');
    expect(tmux('display-message', '-p', '-t', 'dash', '#{alternate_on}').trim()).toBe('1');

    const before = /(?:MOT|mkt-on-target) (ON|OFF)/.exec(screen())?.[1];
    tmux('send-keys', '-t', 'dash', 'm');
    const flipped = before === 'ON' ? 'OFF' : 'ON';
    await waitForScreen((s) => new RegExp(`(?:MOT|mkt-on-target) ${flipped}`).test(s), `MOT ${flipped}`);

    await waitForScreen((s) => /\bLONG\b/.test(s), 'LONG again');
    tmux('send-keys', '-t', 'dash', 'F');
    const flat = await waitForScreen((s) => /\bFLAT\b/.test(s) && /PAUSED/.test(s), 'FLAT and PAUSED after F');
    expect(flat).toMatch(/flatten/i);

    tmux('send-keys', '-t', 'dash', 'q');
    const after = await waitForScreen((s) => /EXIT:\d/.test(s), 'the process exit', 40_000);
    expect(after).toMatch(/EXIT:0/);
    expect(tmux('display-message', '-p', '-t', 'dash', '#{alternate_on}').trim()).toBe('0');
    expect(after).not.toMatch(/TARGET|FILL PROGRESS/); // the dashboard is gone: the shell's screen is back
  }, 120_000);

  it('SYMBOLS=call,put: the table and the focused detail follow ↑/↓ and digits, X then y flattens both, q exits 0', async () => {
    const dir = tempDir('rs-tmux-desk-');
    const ce = 'NIFTY29DEC2625000CE';
    const pe = 'NIFTY29DEC2625000PE';
    const env = `-u CI -u CONTINUOUS_INTEGRATION XDG_CONFIG_HOME=${dir} STATE_DIR=${dir} INTERVAL=2s TERM=xterm-256color SYMBOLS=${ce},${pe}`;
    tmux('new-session', '-d', '-s', 'desk', '-x', '120', '-y', '32', `cd ${ROOT} && env ${env} node ${BIN} --paper; echo "EXIT:$?"; sleep 120`);
    const waitFor = (test: (s: string) => boolean, what: string): Promise<string> => waitForScreen(test, what, 40_000, 'desk');
    const focused = (s: string): string | undefined => /▶\d (\S+)@NFO/.exec(s)?.[1];
    const first = await waitFor((s) => s.includes(`${ce}@NFO`) && s.includes(`${pe}@NFO`) && /TOTAL \(2\)/.test(s) && /\bLONG\b/.test(s), 'both rows, the total and a long position');
    expect(focused(first)).toBe(ce);
    // The focused instrument's panels below the table: its header names it.
    expect(first.split('\n')[0]).toContain(ce);
    tmux('send-keys', '-t', 'desk', 'Down');
    const second = await waitFor((s) => focused(s) === pe && (s.split('\n')[0] ?? '').includes(pe), 'focus on the put');
    expect(second).toMatch(/TOTAL \(2\)/);
    tmux('send-keys', '-t', 'desk', '1');
    await waitFor((s) => focused(s) === ce, 'focus back on the call by its digit');
    tmux('send-keys', '-t', 'desk', 'X');
    await waitFor((s) => /FLATTEN ALL 2 instruments\?/.test(s), 'the flatten-all question');
    tmux('send-keys', '-t', 'desk', 'y');
    await waitFor((s) => (s.match(/flat PAUSED/g) ?? []).length === 2, 'both instruments flat and paused');
    tmux('send-keys', '-t', 'desk', 'q');
    const after = await waitFor((s) => /EXIT:\d/.test(s), 'the process exit');
    expect(after).toMatch(/EXIT:0/);
    expect(after).toMatch(new RegExp(`random-scalp: ${ce}@NFO: this session`));
    expect(after).toMatch(new RegExp(`random-scalp: ${pe}@NFO: this session`));
  }, 120_000);

  it('a terminal that goes away (SIGHUP when the window closes) stops as on q: flat, then exit', async () => {
    const dir = tempDir('rs-tmux-hup-');
    const env = `-u CI -u CONTINUOUS_INTEGRATION XDG_CONFIG_HOME=${dir} STATE_DIR=${dir} INTERVAL=2s TERM=xterm-256color`;
    // exec: the app itself is the pane's process and gets the hangup.
    tmux('new-session', '-d', '-s', 'hup', '-x', '120', '-y', '32', `cd ${ROOT} && exec env ${env} node ${BIN} --paper`);
    const pid = Number(tmux('display-message', '-p', '-t', 'hup', '#{pane_pid}').trim());
    const shown = (): string => tmux('capture-pane', '-p', '-t', 'hup');
    const end = Date.now() + 30_000;
    while (!/\bLONG\b/.test(shown()) && Date.now() < end) await new Promise((r) => setTimeout(r, 150));
    tmux('kill-session', '-t', 'hup');
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const gone = Date.now() + 40_000;
    while (alive() && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    expect(alive()).toBe(false);
    const logs = fs.readdirSync(path.join(dir, 'logs')).map((f) => fs.readFileSync(path.join(dir, 'logs', f), 'utf8')).join('');
    // Whichever the kernel delivers first: the hangup, or the write into the closed terminal failing.
    expect(logs).toMatch(/\[STOP\] (SIGHUP|the dashboard's output closed): the terminal is gone; stopping as on q/);
    expect(logs).toMatch(/\[STOP\] stopped flat/);
  }, 120_000);
});
