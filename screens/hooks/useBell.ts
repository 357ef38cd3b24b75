// Ring the terminal bell once per CRITICAL event (each bump of state.criticalSeq) and once per
// session-guard halt (guard.halts). Subscribes to
// the store directly, so a bump rings exactly once whatever the render throttle does.

import { useEffect } from 'react';
import { useStdout } from 'ink';
import type { AppStore } from '../../src/store/store.js';

export const BELL = '\u0007';

export function useBell(store: AppStore): void {
  const { stdout } = useStdout();
  useEffect(
    () =>
      // This listener runs inside the engine's store update: it must never throw.
      store.subscribe((state, prev) => {
        try {
          // A CRITICAL event, or the session guard halting the day.
          const bumps = (state?.criticalSeq ?? 0) - (prev?.criticalSeq ?? 0) + (state?.guard?.halts ?? 0) - (prev?.guard?.halts ?? 0);
          if (bumps > 0) stdout.write(BELL.repeat(Math.min(bumps, 3)));
        } catch {
          // a bell that cannot be rung must not break anything
        }
      }),
    [store, stdout],
  );
}
