// The terminal as an alert channel: the bell (a background tmux window gets flagged) and, where
// the terminal is known to turn it into a desktop notification, OSC 9 (iTerm2, kitty) or
// OSC 777 (WezTerm, Ghostty, foot, urxvt, VTE). Unknown terminals get the bell only: an escape
// sequence they do not understand could show up as garbage.

export type DesktopStyle = 'osc9' | 'osc777' | null;
export type TerminalSetting = 'AUTO' | 'BELL' | 'OSC9' | 'OSC777' | 'OFF';

export const BELL = '\u0007';
const ESC = '\u001b';

/** Which desktop notification this terminal shows, from what it tells about itself. */
export function detectDesktopStyle(env: Partial<Record<string, string>>): DesktopStyle {
  const program = env.TERM_PROGRAM ?? '';
  const term = env.TERM ?? '';
  // tmux drops OSC notifications unless they are wrapped and allow-passthrough is on; the outer
  // terminal is not known from here. Only an explicit ALERT_TERMINAL=OSC9/OSC777 wraps them.
  if (env.TMUX || program === 'tmux' || term.startsWith('screen')) return null;
  if (program === 'iTerm.app' || env.LC_TERMINAL === 'iTerm2') return 'osc9';
  if (term === 'xterm-kitty' || env.KITTY_WINDOW_ID) return 'osc9';
  if (program === 'WezTerm' || program === 'ghostty' || term === 'xterm-ghostty') return 'osc777';
  if (term.startsWith('foot') || term.startsWith('rxvt-unicode')) return 'osc777';
  if (env.VTE_VERSION) return 'osc777';
  return null;
}

/** What the terminal channel does for this setting and environment. */
export function terminalStyle(setting: TerminalSetting, env: Partial<Record<string, string>>): { bell: boolean; desktop: DesktopStyle; tmux: boolean } | null {
  const tmux = Boolean(env.TMUX);
  switch (setting) {
    case 'OFF': return null;
    case 'BELL': return { bell: true, desktop: null, tmux };
    case 'OSC9': return { bell: true, desktop: 'osc9', tmux };
    case 'OSC777': return { bell: true, desktop: 'osc777', tmux };
    case 'AUTO': return { bell: true, desktop: detectDesktopStyle(env), tmux: false };
  }
}

/** Text safe inside an OSC string: no control characters, no field separator, bounded. */
function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/;/g, ',').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The bytes of one desktop notification (no bell), wrapped for tmux passthrough when asked. */
export function desktopNotification(style: Exclude<DesktopStyle, null>, title: string, text: string, tmux = false): string {
  const body = style === 'osc9'
    ? `${ESC}]9;${clean(`${title}: ${text}`, 240)}${BELL}`
    : `${ESC}]777;notify;${clean(title, 80)};${clean(text, 240)}${BELL}`;
  // tmux's passthrough: DCS tmux; <sequence with every ESC doubled> ST.
  return tmux ? `${ESC}Ptmux;${body.split(ESC).join(ESC + ESC)}${ESC}\\` : body;
}

/** What the terminal alert writes: optionally the bell, then optionally the notification. */
export function terminalAlertBytes(alert: { title: string; text: string; bell: boolean; desktop: DesktopStyle; tmux: boolean }): string {
  return `${alert.bell ? BELL : ''}${alert.desktop ? desktopNotification(alert.desktop, alert.title, alert.text, alert.tmux) : ''}`;
}
