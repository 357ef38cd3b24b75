// Start-up: process start to the first dashboard frame. `node bin/random-scalp.js --paper` runs
// under a pseudo-terminal (util-linux `script`), in an empty working directory with its config and
// data directories in a fresh temporary folder; the clock starts just before the spawn, and stops
// when the alternate-screen escape, then the end of the first complete frame (Ink's synchronized
// update end, ESC[?2026l), appear on the terminal's output. Then the process group is killed.
// Baseline: a bare `node -e` that writes the same escapes, through the same `script` and `stty`.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childEnv, REPO_ROOT, sleep } from './lib/util.js';

const ALT_SCREEN = '\u001b[?1049h';
const FRAME_END = '\u001b[?2026l';

export interface StartupRun {
  /** Spawn → alternate-screen escape, ms. */
  altMs: number;
  /** Spawn → end of the first complete frame, ms. */
  frameMs: number;
}

function timeOne(command: string, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<StartupRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('script', ['-qfec', `stty cols 120 rows 32 2>/dev/null; exec ${command}`, '/dev/null'], {
      cwd,
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let text = '';
    let altMs: number | null = null;
    let finished = false;
    const finish = (err: Error | null, run?: StartupRun): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (err) reject(err);
      else resolve(run as StartupRun);
    };
    const timer = setTimeout(() => finish(new Error(`no first frame within ${timeoutMs} ms; output so far: ${JSON.stringify(text.slice(0, 300))}`)), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      const now = performance.now() - t0;
      text += chunk.toString('latin1');
      const alt = text.indexOf(ALT_SCREEN);
      if (alt < 0) return;
      altMs ??= now;
      if (text.indexOf(FRAME_END, alt) >= 0) finish(null, { altMs, frameMs: now });
    });
    child.on('error', (err) => finish(err));
    child.on('exit', () => finish(new Error(`exited before the first frame; output: ${JSON.stringify(text.slice(0, 300))}`)));
  });
}

export interface StartupResult {
  app: StartupRun[];
  bare: StartupRun[];
}

export async function measureStartup(o: { reps: number }): Promise<StartupResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'random-scalp-start-'));
  const out: StartupResult = { app: [], bare: [] };
  const node = JSON.stringify(process.execPath);
  const app = `${node} ${JSON.stringify(path.join(REPO_ROOT, 'bin', 'random-scalp.js'))} --paper`;
  const bareScript = `process.stdout.write(${JSON.stringify(`${ALT_SCREEN}x${FRAME_END}`)}); setTimeout(() => {}, 5000)`;
  const bare = `${node} -e ${shellQuote(bareScript)}`;
  try {
    for (let i = -1; i < o.reps; i++) {
      // A fresh config and data directory every run: no saved state to recover.
      const run = fs.mkdtempSync(path.join(dir, 'run-'));
      const env = childEnv({
        XDG_CONFIG_HOME: path.join(run, 'config'),
        XDG_DATA_HOME: path.join(run, 'data'),
        TERM: 'xterm-256color',
        PAPER_SEED: '7',
      });
      const a = await timeOne(app, env, run, 15_000);
      await sleep(150);
      const b = await timeOne(bare, env, run, 15_000);
      await sleep(150);
      if (i >= 0) {
        // The first pair warms the page cache and is not counted.
        out.app.push(a);
        out.bare.push(b);
      }
    }
  } finally {
    await sleep(300);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
