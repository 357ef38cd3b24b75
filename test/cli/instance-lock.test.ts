import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireInstanceLock, lockFileName, processStartTime } from '../../src/cli/instance-lock.js';
import { DEFAULT_PAPER_SYMBOL } from '../../src/broker/paper/setup.js';
import { ensureBuilt, start, tempDir, type Child } from '../support/proc.js';

// One instance per book, for real: the compiled CLI as child processes on one STATE_DIR.

const BOOK = lockFileName('paper', 'NFO', DEFAULT_PAPER_SYMBOL);

function paperEnv(dir: string): Record<string, string> {
  return { STATE_DIR: dir, XDG_CONFIG_HOME: dir, PAPER_SEED: '11', LOG_TO_FILE: 'false' };
}

async function startTrading(dir: string): Promise<Child> {
  const bot = start(['--paper', '--headless'], paperEnv(dir));
  await bot.waitFor(/\[START\] trading /);
  return bot;
}

describe('one instance per book (child processes)', () => {
  const children: Child[] = [];
  beforeAll(() => ensureBuilt(), 60_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
  });

  it('a second start on the same book refuses with exit 1, naming the running one; a SIGKILLed holder is taken over', async () => {
    const dir = tempDir('rs-lock-');
    const first = await startTrading(dir);
    children.push(first);
    const pid = first.child.pid;

    const second = start(['--paper', '--headless'], paperEnv(dir));
    children.push(second);
    const refused = await second.exited;
    expect(refused.code).toBe(1);
    expect(second.stderr()).toMatch(new RegExp(`another random-scalp already trades this book \\(paper ${DEFAULT_PAPER_SYMBOL}@NFO.*pid ${pid} since \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} IST, command: .*random-scalp\\.js --paper --headless.*kill ${pid}`));
    expect(second.stderr().trim().split('\n')).toHaveLength(1);
    expect(second.stdout()).toBe('');

    // A crash leaves the lock behind; the next start must not be blocked by it.
    first.kill('SIGKILL');
    await first.exited;
    expect(fs.existsSync(path.join(dir, BOOK))).toBe(true);
    const third = await startTrading(dir);
    children.push(third);
    expect(third.output()).toMatch(new RegExp(`\\[LOCK\\] took over the lock of a run that is gone \\(pid ${pid} `));

    // A clean stop removes the lock.
    third.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
    expect(fs.existsSync(path.join(dir, BOOK))).toBe(false);
  }, 60_000);

  it('another book (other symbol) in the same STATE_DIR is not blocked', async () => {
    const dir = tempDir('rs-lock-');
    const first = await startTrading(dir);
    children.push(first);
    const other = start(['--paper', '--headless', '--symbol', 'BANKNIFTY25NOV2550000CE'], paperEnv(dir));
    children.push(other);
    await other.waitFor(/\[START\] trading /);
    other.kill('SIGTERM');
    first.kill('SIGTERM');
    expect((await other.exited).code).toBe(0);
    expect((await first.exited).code).toBe(0);
  }, 60_000);
});

describe('lock takeover rules', () => {
  const write = (dir: string, holder: Record<string, unknown> | string): void => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, BOOK), typeof holder === 'string' ? holder : JSON.stringify(holder));
  };
  const acquire = (dir: string) => acquireInstanceLock({ dir, name: BOOK, book: 'paper test' });

  it('a live holder (this very process) is refused', () => {
    const dir = tempDir('rs-lock-');
    const held = acquire(dir);
    expect(held.ok).toBe(true);
    const again = acquire(dir);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.holder.pid).toBe(process.pid);
    if (held.ok) held.lock.release();
    expect(fs.existsSync(path.join(dir, BOOK))).toBe(false);
    const after = acquire(dir);
    expect(after.ok).toBe(true);
    if (after.ok) after.lock.release();
  });

  it('a pid reused by another process (same pid, other start time) is stale', () => {
    const dir = tempDir('rs-lock-');
    const realStart = processStartTime(process.pid);
    write(dir, { pid: process.pid, since: 1, procStart: '1', host: os.hostname(), command: 'old' });
    const got = acquire(dir);
    // Without /proc the start time cannot be compared, and a live pid must be respected.
    expect(got.ok).toBe(realStart !== null && realStart !== '1');
    if (got.ok) {
      expect(got.tookOverFrom?.command).toBe('old');
      got.lock.release();
    }
  });

  it('a dead pid is stale; a garbage lock file is stale; a lock from another host is respected', () => {
    const dir = tempDir('rs-lock-');
    write(dir, { pid: 2 ** 22 + 12345, since: 1, procStart: null, host: os.hostname(), command: 'gone' });
    const dead = acquire(dir);
    expect(dead.ok).toBe(true);
    if (dead.ok) dead.lock.release();

    write(dir, 'not json');
    const garbage = acquire(dir);
    expect(garbage.ok).toBe(true);
    if (garbage.ok) garbage.lock.release();

    write(dir, { pid: 2 ** 22 + 12345, since: 1, procStart: null, host: 'some-other-box', command: 'x' });
    const remote = acquire(dir);
    expect(remote.ok).toBe(false);
    if (!remote.ok) expect(remote.message).toMatch(/on some-other-box since/);
  });

  it('release never removes a lock someone else holds now', () => {
    const dir = tempDir('rs-lock-');
    const mine = acquire(dir);
    expect(mine.ok).toBe(true);
    write(dir, { pid: 1, since: 5, procStart: null, host: os.hostname(), command: 'init' });
    if (mine.ok) mine.lock.release();
    expect(fs.readFileSync(path.join(dir, BOOK), 'utf8')).toContain('"init"');
  });
});
