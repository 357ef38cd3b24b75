// Dashboard cost: CPU time per minute and frames written, idle, at the default 1 quote/s and with
// a 20 ticks/s feed; baseline: the same 20 ticks/s feed into the store with no dashboard mounted.

import path from 'node:path';
import { RpcChild } from './lib/ipc.js';
import { BENCH_DIST } from './lib/util.js';

export interface DashboardRun {
  perSecond: number;
  mounted: boolean;
  wallMs: number;
  cpuMs: number;
  cpuPctOfCore: number;
  cpuMsPerMinute: number;
  framesPerMinute: number;
  writesPerMinute: number;
  kbPerMinute: number;
  ticksPerMinute: number;
  rssMb: number;
}

export interface DashboardResult {
  /** The feed alone (no dashboard): what the store updates cost without anything drawing them. */
  feedOnly20: DashboardRun;
  feedOnly1: DashboardRun;
  idle: DashboardRun;
  feed1: DashboardRun;
  feed20: DashboardRun;
  /** The same dashboard over a desk of several instruments (measured after, in its own child). */
  desk?: DeskDashboardResult;
}

/** Four instruments on one desk (the table and the focused one's panels), each quoting at 1/s. */
export interface DeskDashboardResult {
  instruments: number;
  feedOnly1: DashboardRun;
  feed1: DashboardRun;
}

function forkChild(instruments: number): RpcChild {
  return RpcChild.fork(path.join(BENCH_DIST, 'dashboard-child.js'), {
    // As bin/random-scalp.js runs it: React's production build unless NODE_ENV says otherwise.
    env: { TERM: 'xterm-256color', NODE_ENV: process.env.NODE_ENV ?? 'production', BENCH_INSTRUMENTS: String(instruments) },
    captureStderr: true,
  });
}

function childFailed(err: unknown, child: RpcChild): Error {
  // Ink writes a cursor-show escape to stderr on exit: the child's stderr is kept out of the
  // bench's output and shown only when something failed.
  return new Error(`${err instanceof Error ? err.message : String(err)}\n--- dashboard child stderr ---\n${child.stderrText.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')}`);
}

export async function measureDeskDashboard(o: { warmMs: number; measureMs: number; instruments: number }): Promise<DeskDashboardResult> {
  const child = forkChild(o.instruments);
  try {
    const m = (perSecond: number, warmMs = o.warmMs): Promise<DashboardRun> => child.call<DashboardRun>('measure', { perSecond, warmMs, measureMs: o.measureMs });
    const feedOnly1 = await m(1);
    await child.call('mount');
    await child.call('measure', { perSecond: 20, warmMs: 0, measureMs: 2 * o.warmMs });
    const feed1 = await m(1, 2 * o.warmMs);
    await child.call('unmount');
    return { instruments: o.instruments, feedOnly1, feed1 };
  } catch (err) {
    throw childFailed(err, child);
  } finally {
    await child.close();
  }
}

export async function measureDashboard(o: { warmMs: number; measureMs: number }): Promise<DashboardResult> {
  const child = forkChild(1);
  try {
    const m = (perSecond: number, warmMs = o.warmMs): Promise<DashboardRun> => child.call<DashboardRun>('measure', { perSecond, warmMs, measureMs: o.measureMs });
    const feedOnly20 = await m(20);
    const feedOnly1 = await m(1);
    await child.call('mount');
    // A dashboard that has run for a while: its code optimised (1 frame/s alone takes long to warm).
    await child.call('measure', { perSecond: 20, warmMs: 0, measureMs: 2 * o.warmMs });
    // Idle after a settle as long again: optimising compiler and GC threads count in cpuUsage.
    const idle = await m(0, 2 * o.warmMs);
    const feed1 = await m(1);
    const feed20 = await m(20);
    await child.call('unmount');
    return { feedOnly20, feedOnly1, idle, feed1, feed20 };
  } catch (err) {
    throw childFailed(err, child);
  } finally {
    await child.close();
  }
}
