import type { Alert } from './alert.js';
import type { AlertChannel } from './dispatcher.js';
import { terminalAlertBytes, type DesktopStyle } from './terminal-notify.js';

// The terminal: only `on` alerts, never a silent one. In the dashboard it goes through the store
// (the screen writes the bytes between frames); headless, it is written only to a terminal,
// never into a log that stdout was redirected to.

export interface TerminalAlert {
  title: string;
  text: string;
  bell: boolean;
  desktop: DesktopStyle;
  tmux: boolean;
}

export function terminalChannel(
  style: { bell: boolean; desktop: DesktopStyle; tmux: boolean },
  deliver: (alert: TerminalAlert) => void,
  /** The dashboard already rings once per CRITICAL line and per guard halt: do not ring twice. */
  criticalRingsAlready: boolean,
): AlertChannel {
  return {
    name: 'terminal',
    takesSilent: false,
    async send(alert: Alert) {
      deliver({
        title: alert.title,
        text: alert.text,
        bell: style.bell && !(criticalRingsAlready && (alert.cls === 'critical' || alert.cls === 'halt')),
        desktop: style.desktop,
        tmux: style.tmux,
      });
    },
  };
}

/** Headless on a terminal: write the bytes straight to it. */
export function writeTerminalAlert(stream: NodeJS.WritableStream): (alert: TerminalAlert) => void {
  return (alert) => {
    const bytes = terminalAlertBytes(alert);
    if (bytes) stream.write(bytes);
  };
}
