// Ring the terminal bell once per CRITICAL event (each bump of state.criticalSeq) and once per
// session-guard halt (guard.halts), and write each terminal alert (src/alerts: bell, desktop
// notification). Subscribes to the store directly, so each rings exactly once whatever the
// render throttle does. With several instruments it listens to every one (not only the
// focused) and to the account guard's halts.

import { useEffect } from 'react';
import { useStdout } from 'ink';
import { terminalAlertBytes } from '../../src/alerts/terminal-notify.js';
import type { DeskStore } from '../../src/store/desk.js';
import type { AppStore } from '../../src/store/store.js';

export const BELL = '\u0007';

export function useBell(stores: AppStore | readonly AppStore[], desk?: DeskStore): void {
  const { stdout } = useStdout();
  const list = Array.isArray(stores) ? (stores as readonly AppStore[]) : [stores as AppStore];
  useEffect(() => {
    const offs = list.map((store) => ringOn(store, stdout));
    if (desk) {
      offs.push(
        desk.subscribe((state, prev) => {
          try {
            const bumps = (state.account?.halts ?? 0) - (prev.account?.halts ?? 0);
            if (bumps > 0) stdout.write(BELL.repeat(Math.min(bumps, 3)));
          } catch {
            // a bell that cannot be rung must not break anything
          }
        }),
      );
    }
    return () => offs.forEach((off) => off());
    // The list is fixed for a run; its identity changes with every render of a caller.
  }, [...list, desk, stdout]);
}

function ringOn(store: AppStore, stdout: NodeJS.WriteStream): () => void {
  return (
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
      })
  );
}
