import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { istParts } from '../../src/time/ist.js';
import { BIN, ROOT, ensureBuilt, start, tempDir } from '../support/proc.js';

// The compiled CLI as a user runs it: output into a pipe whose reader is gone, and a paper
// holiday configured for today.

const envFor = (dir: string): Record<string, string> => ({ STATE_DIR: dir, XDG_CONFIG_HOME: dir });

function pipedIntoGoneReader(args: string, dir: string): { status: string; stderr: string } {
  // `| true`: the reader exits at once, so every write finds the pipe closed (EPIPE).
  const script = `set -o pipefail; node ${JSON.stringify(BIN)} ${args} 2>"$ERR" | true; echo "rc=$?"`;
  const errFile = path.join(dir, 'stderr.txt');
  const out = execFileSync('bash', ['-c', script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: dir, ERR: errFile, ...envFor(dir) } }).toString();
  return { status: out.trim(), stderr: fs.readFileSync(errFile, 'utf8') };
}

describe('a closed pipe ends quietly', () => {
  it.each(['config show', '--help', 'config path'])('random-scalp %s | (reader gone): exit 0, nothing on stderr', (args) => {
    ensureBuilt();
    const r = pipedIntoGoneReader(args, tempDir('rs-pipe-'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe('rc=0');
  });

  it('headless trading whose stdout reader leaves keeps trading, says so in the log file, and stops cleanly', async () => {
    ensureBuilt();
    const dir = tempDir('rs-pipe-headless-');
    const bot = start(['--paper', '--headless', '--paper-seed', '3'], envFor(dir));
    await bot.waitFor(/\[START\] trading /);
    bot.child.stdout?.destroy();
    const logDir = path.join(dir, 'logs');
    const logText = (): string => fs.readdirSync(logDir).map((f) => fs.readFileSync(path.join(logDir, f), 'utf8')).join('');
    // The next log line hits the closed pipe; wait for the engine to notice (it logs every bar).
    for (let i = 0; i < 200 && !logText().includes('stdout was closed'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(logText()).toMatch(/WARN {5}\[LOG\] stdout was closed: log lines go to the log file only from now on; trading continues/);
    bot.kill('SIGTERM');
    const { code } = await bot.exited;
    expect([0, 3]).toContain(code);
    expect(bot.stderr()).not.toMatch(/EPIPE|\bat .*\(/);
    expect(logText()).toMatch(/\[STOP\]/);
  });
});

describe('a paper holiday configured for today', () => {
  it('PAPER_HOLIDAYS=<today>:name holds entries: the log names the holiday', async () => {
    ensureBuilt();
    const dir = tempDir('rs-holiday-');
    const today = istParts(Date.now()).day;
    const bot = start(['--paper', '--headless'], { ...envFor(dir), PAPER_HOLIDAYS: `${today}:E2E holiday` });
    await bot.waitFor(/\[CALENDAR\] \d{4}-\d{2}-\d{2}: trading holiday for NFO \(E2E holiday\): no entries today/);
    await bot.waitFor(/\[START\] trading /);
    bot.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(code).toBe(0);
    expect(bot.output()).not.toMatch(/\[ENTRY\]/);
  });

  it('a bad PAPER_HOLIDAYS is one line naming the entry and the format, exit 1', async () => {
    ensureBuilt();
    const dir = tempDir('rs-holiday-bad-');
    const bot = start(['--paper', '--headless', '--paper-holidays', '2026-02-30:Nope'], envFor(dir));
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.stderr().trim().split('\n')).toEqual([
      'random-scalp: PAPER_HOLIDAYS: invalid entry "2026-02-30:Nope": expected YYYY-MM-DD[:name] for a holiday or YYYY-MM-DD@HH:MM-HH:MM[:name] for a special session, comma-separated',
    ]);
  });
});
