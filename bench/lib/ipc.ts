// Request/response over a forked child's IPC channel: the bench drives child processes (the
// paper-server host, the dashboard and endurance runs) with named commands.

import { fork, type ChildProcess } from 'node:child_process';
import { childEnv } from './util.js';

interface Request {
  rpc: number;
  cmd: string;
  args: unknown;
}

interface Response {
  rpc: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handlers = Record<string, (args: any) => unknown>;

/** In the child: answer the parent's commands. */
export function serveRpc(handlers: Handlers): void {
  const send = (msg: Response): void => {
    process.send?.(msg);
  };
  process.on('message', (raw: unknown) => {
    const m = raw as Request;
    if (typeof m !== 'object' || m === null || typeof m.rpc !== 'number') return;
    const handler = handlers[m.cmd];
    if (!handler) {
      send({ rpc: m.rpc, ok: false, error: `unknown command ${m.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(m.args))
      .then(
        (result) => send({ rpc: m.rpc, ok: true, result }),
        (err: unknown) => send({ rpc: m.rpc, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** In the parent: a forked child answering commands. */
export class RpcChild {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;
  /** The child's stderr, when forked with `captureStderr` (shown only if something fails). */
  stderrText = '';

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (raw: unknown) => {
      const m = raw as Response;
      const p = this.pending.get(m.rpc);
      if (!p) return;
      this.pending.delete(m.rpc);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error ?? 'child error'));
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`child exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  static fork(file: string, opts: { execArgv?: string[]; env?: Record<string, string>; captureStderr?: boolean } = {}): RpcChild {
    const proc = fork(file, [], {
      execArgv: opts.execArgv ?? [],
      env: childEnv(opts.env),
      stdio: ['ignore', opts.captureStderr ? 'ignore' : 'inherit', opts.captureStderr ? 'pipe' : 'inherit', 'ipc'],
    });
    const child = new RpcChild(proc);
    proc.stderr?.on('data', (chunk: Buffer) => {
      child.stderrText = (child.stderrText + chunk.toString('utf8')).slice(-20_000);
    });
    return child;
  }

  call<T>(cmd: string, args: unknown = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error('child has exited'));
    const rpc = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(rpc, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ rpc, cmd, args } satisfies Request);
    });
  }

  /** Ask the child to stop, and kill it if it does not within `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    try {
      this.proc.disconnect();
    } catch {
      // already disconnected
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
