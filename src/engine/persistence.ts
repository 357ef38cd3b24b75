import fs from 'node:fs';
import path from 'node:path';

// State that must survive a crash: written atomically (temp file, fsync, rename, fsync of the
// directory) so a kill at any instant leaves either the old file or the new one, never half.

export interface StateFile<T> {
  readonly path: string;
  load(): T | null;
  save(state: T): void;
}

export function atomicWriteFileSync(file: string, data: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  } catch {
    // Directory fsync is not supported everywhere; the rename is still atomic.
  }
}

export class JsonStateFile<T> implements StateFile<T> {
  constructor(
    readonly path: string,
    private readonly validate: (value: unknown) => T | null,
  ) {}

  load(): T | null {
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch {
      return null;
    }
    try {
      return this.validate(JSON.parse(text));
    } catch {
      return null;
    }
  }

  save(state: T): void {
    atomicWriteFileSync(this.path, `${JSON.stringify(state, null, 1)}\n`);
  }
}

/** In-memory stand-in for tests and PERSIST_STATE=false. */
export class MemoryStateFile<T> implements StateFile<T> {
  readonly path = ':memory:';
  saved: T | null = null;
  writes = 0;
  load(): T | null {
    return this.saved === null ? null : (JSON.parse(JSON.stringify(this.saved)) as T);
  }
  save(state: T): void {
    this.writes++;
    this.saved = JSON.parse(JSON.stringify(state)) as T;
  }
}

export function stateFileName(mode: string, exchange: string, symbol: string): string {
  const safe = `${mode}-${exchange}-${symbol}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${safe}.state.json`;
}
