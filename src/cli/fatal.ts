import { describeError } from '../broker/errors.js';

// The last net under everything: an error nothing caught (a rejected promise nobody awaited, an
// exception thrown from a callback). It is never silent and never a bare stack trace with a
// position left open: it is logged, then the bot stops as on q (flat, then exit), and the run
// ends with its own exit code.

type FatalEvent = 'unhandledRejection' | 'uncaughtException';
const EVENTS: readonly FatalEvent[] = ['unhandledRejection', 'uncaughtException'];

/** What the process must offer: `process` itself, or a stand-in in tests. */
export interface FatalSource {
  on(event: FatalEvent, listener: (err: unknown) => void): unknown;
  off(event: FatalEvent, listener: (err: unknown) => void): unknown;
}

export interface FatalWatch {
  /** The first unexpected error's text, or null while there was none. */
  readonly error: string | null;
  stop(): void;
}

/**
 * Listen for errors nothing caught. The first one calls `onFatal` (log it, stop the safe way);
 * later ones only `onRepeat` (logged: the stop is already under way).
 */
export function watchFatal(source: FatalSource, onFatal: (text: string) => void, onRepeat: (text: string) => void): FatalWatch {
  let error: string | null = null;
  const listener = (err: unknown): void => {
    const text = `${describeError(err)}${err instanceof Error && err.stack ? ` (at ${firstFrame(err.stack)})` : ''}`;
    if (error !== null) {
      onRepeat(text);
      return;
    }
    error = text;
    onFatal(text);
  };
  for (const e of EVENTS) source.on(e, listener);
  return {
    get error() {
      return error;
    },
    stop: () => {
      for (const e of EVENTS) source.off(e, listener);
    },
  };
}

/** Where it was thrown: the stack's first frame, enough to find it without a wall of trace. */
function firstFrame(stack: string): string {
  const frame = stack.split('\n').find((l) => l.trim().startsWith('at '));
  return frame ? frame.trim().replace(/^at /, '') : 'unknown';
}
