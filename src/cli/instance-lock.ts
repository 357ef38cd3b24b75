import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { formatIstDateTime } from '../time/ist.js';

// One instance per book. Two bots on the same mode, exchange, symbol and STATE_DIR would both
// enter and each would "reconcile" the other's orders as an outside position, so a start takes a
// lock file next to the state file. It is created whole and atomically (written under a private
// name, then hard-linked to the lock name: link fails if the name exists), so a reader never sees
// half a lock. A lock whose holder is gone (crash, SIGKILL, reboot) is taken over: the holder's
// pid must be alive AND, where /proc tells it, be the same process that wrote the lock (same
// start time), or the pid was reused by something else after a reboot.

export interface LockHolder {
  pid: number;
  /** Epoch ms when the holder took the lock. */
  since: number;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat field 22), when known. */
  procStart: string | null;
  host: string;
  /** The holder's command line (never carries the API key: the key is not a flag). */
  command: string;
}

const holderSchema = z.object({
  pid: z.number().int().positive(),
  since: z.number(),
  procStart: z.string().nullable(),
  host: z.string(),
  command: z.string(),
});

export type LockOutcome =
  | { ok: true; lock: InstanceLock; tookOverFrom: LockHolder | null }
  | { ok: false; holder: LockHolder; message: string };

export function lockFileName(mode: string, exchange: string, symbol: string): string {
  return `${`${mode}-${exchange}-${symbol}`.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`;
}

/** The start time of a process from /proc (Linux), or null where there is no /proc. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Alive = the signal-0 probe reaches it (EPERM: alive, another user's). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Is the process that wrote this lock still running? */
export function holderAlive(holder: LockHolder): boolean {
  // Another machine's pid (a shared STATE_DIR) cannot be checked: assume it runs.
  if (holder.host !== os.hostname()) return true;
  if (!pidAlive(holder.pid)) return false;
  if (holder.procStart === null) return true;
  const now = processStartTime(holder.pid);
  // A live pid with another start time is a different process that got the same number.
  return now === null || now === holder.procStart;
}

function readHolder(file: string): LockHolder | null | 'missing' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function describeHolder(holder: LockHolder): string {
  const host = holder.host === os.hostname() ? '' : ` on ${holder.host}`;
  return `pid ${holder.pid}${host} since ${formatIstDateTime(holder.since)}${holder.command ? `, command: ${holder.command}` : ''}`;
}

export class InstanceLock {
  private released = false;
  private readonly onExit = (): void => this.release();

  constructor(readonly file: string, readonly holder: LockHolder) {
    // Every way out of the process removes it; SIGKILL cannot, and is what the takeover is for.
    process.on('exit', this.onExit);
  }

  /** Remove the lock if it is still ours. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    const current = readHolder(this.file);
    if (current !== 'missing' && current !== null && current.pid === this.holder.pid && current.since === this.holder.since) {
      try {
        fs.unlinkSync(this.file);
      } catch {
        // already gone
      }
    }
  }
}

export interface AcquireOptions {
  /** Directory of the lock (STATE_DIR). */
  dir: string;
  /** File name, from lockFileName. */
  name: string;
  /** What the book is, for the refusal message, e.g. "live NFO NIFTY…". */
  book: string;
  now?: () => number;
  command?: string;
}

/** Take the book's lock, take over a stale one, or say who holds it. */
export function acquireInstanceLock(opts: AcquireOptions): LockOutcome {
  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const file = path.join(opts.dir, opts.name);
  const me: LockHolder = {
    pid: process.pid,
    since: (opts.now ?? Date.now)(),
    procStart: processStartTime(process.pid),
    host: os.hostname(),
    command: opts.command ?? process.argv.slice(1).map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' '),
  };
  const tmp = `${file}.${process.pid}.${me.since}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(me)}\n`, { mode: 0o600 });
  let tookOverFrom: LockHolder | null = null;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(tmp, file);
        return { ok: true, lock: new InstanceLock(file, me), tookOverFrom };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(file);
      if (holder === 'missing') continue; // released between our link and our read: try again
      if (holder !== null && holderAlive(holder)) {
        return {
          ok: false,
          holder,
          message: `another random-scalp already trades this book (${opts.book}, lock ${file}): ${describeHolder(holder)}. Stop it first (kill ${holder.pid}), or use another STATE_DIR`,
        };
      }
      if (takeOverStale(file, holder)) tookOverFrom = holder;
    }
    throw new Error(`could not take the lock ${file}: it keeps changing (another start racing this one?)`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Remove a stale lock, unless someone replaced it since we judged it: the stale file is moved
 * aside under a private name first (rename is atomic), then checked; a fresh lock caught by the
 * move is put back with link, which cannot overwrite a newer one.
 */
function takeOverStale(file: string, judged: LockHolder | null): boolean {
  const aside = `${file}.stale.${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const moved = readHolder(aside);
  const same =
    moved === null ? judged === null : moved !== 'missing' && judged !== null && moved.pid === judged.pid && moved.since === judged.since;
  if (!same) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // a newer lock is already in place; the one we moved loses to it either way
    }
  }
  fs.rmSync(aside, { force: true });
  return same;
}

export type LockState = { state: 'free' } | { state: 'held'; holder: LockHolder } | { state: 'stale'; holder: LockHolder | null };

/** What a start would find, without taking the lock (doctor). */
export function inspectInstanceLock(dir: string, name: string): LockState {
  const holder = readHolder(path.join(dir, name));
  if (holder === 'missing') return { state: 'free' };
  if (holder !== null && holderAlive(holder)) return { state: 'held', holder };
  return { state: 'stale', holder };
}
