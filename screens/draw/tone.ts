// What a piece of text means, and how that looks. Meaning is always carried by the words too
// (LONG, FLAT, UNPROTECTED, CRITICAL); colour only reinforces it. No white or black text:
// red/green/yellow/cyan plus bold/inverse read on dark and light backgrounds alike.

export type Tone =
  | 'plain'
  | 'strong'
  | 'muted'
  | 'good'
  | 'bad'
  | 'warn'
  | 'info'
  /** Something the trader must act on: inverse + bold (+ red when colours are on). */
  | 'alarm'
  /** Real money: the LIVE badge. */
  | 'live';

export interface ToneProps {
  color?: 'red' | 'green' | 'yellow' | 'cyan';
  bold?: boolean;
  inverse?: boolean;
  dimColor?: boolean;
}

/** Text props for a tone. With `color` false nothing but bold/inverse/dim is used. */
export function toneProps(tone: Tone, color: boolean): ToneProps {
  switch (tone) {
    case 'plain':
      return {};
    case 'strong':
      return { bold: true };
    case 'muted':
      return { dimColor: true };
    case 'good':
      return color ? { color: 'green' } : {};
    case 'bad':
      return color ? { color: 'red' } : {};
    case 'warn':
      return color ? { color: 'yellow', bold: true } : { bold: true };
    case 'info':
      return color ? { color: 'cyan' } : {};
    case 'alarm':
    case 'live':
      return color ? { color: 'red', bold: true, inverse: true } : { bold: true, inverse: true };
  }
}

/** Tone of a signed amount: gains green, losses red (the sign says it too). */
export function signTone(x: number): Tone {
  if (x > 0) return 'good';
  if (x < 0) return 'bad';
  return 'plain';
}

/** Colours from the environment: NO_COLOR (any non-empty value) or TERM=dumb turn them off. */
export function colorFromEnv(env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return true;
}
