// Ring the terminal bell once per CRITICAL event (each bump of state.criticalSeq) and once per
// session-guard halt (guard.halts), and write each terminal alert (src/alerts: bell, desktop
// notification). Subscribes to the store directly, so each rings exactly once whatever the
// render throttle does.

import { useEffect } from 'react';
import { useStdout } from 'ink';
import { terminalAlertBytes } from '../../src/alerts/terminal-notify.js';
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
          // An alert's bell and desktop notification (src/alerts), once per alert.
          const alert = state?.terminalAlert;
          if (alert && alert.seq !== prev?.terminalAlert?.seq) {
            const bytes = terminalAlertBytes(alert);
            if (bytes) stdout.write(bytes);
          }
        } catch {
          // a bell that cannot be rung must not break anything
        }
      }),
    [store, stdout],
  );
}
