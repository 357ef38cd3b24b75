// Shared helpers: sleeping, waiting on a store, a seeded RNG, a clean environment for children.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, type Rng } from '../../src/broker/paper/rng.js';
import type { AppState, AppStore } from '../../src/store/store.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The repository root (this file is dist/bench/lib/util.js once built). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built bench directory (dist/bench). */
export const BENCH_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Resolve once `pred` holds for the store's state (checked now and on every change), or reject after `timeoutMs`. */
export function waitForStore(store: AppStore, pred: (s: AppState) => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred(store.getState())) return resolve();
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const unsubscribe = store.subscribe((s) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

/** Poll `pred` every `stepMs` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitUntil(pred: () => boolean, timeoutMs: number, stepMs = 5): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() >= end) return false;
    await sleep(stepMs);
  }
  return true;
}

export function rng(seed: number): Rng {
  return mulberry32(seed);
}

/**
 * The environment for child processes: CI markers removed (Ink renders only the last frame
 * when it thinks it runs in CI, which would make the dashboard figures meaningless).
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete env[key];
  }
  delete env.NO_COLOR;
  return { ...env, ...extra };
}

export function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
