// The one key table: key → command → help text. The input handler dispatches through it, the
// footer and the help overlay render from it, so they can never disagree. Bindings marked
// `several` exist only when the desk runs several instruments (focus, flatten all, pause all);
// with one instrument the table is today's.

export type Command =
  | 'flatten_ask'
  | 'flatten_confirm'
  | 'flatten_now'
  | 'toggle_market_on_target'
  | 'reconcile'
  | 'toggle_pause'
  | 'toggle_trades'
  | 'toggle_help'
  | 'close_overlay'
  | 'quit'
  | 'focus_step'
  | 'focus_number'
  | 'flatten_all_ask'
  | 'toggle_pause_all';

export interface KeyBinding {
  /** Key names as `keyNameOf` produces them: a printable character, 'escape' or 'ctrl+<letter>'. */
  readonly keys: readonly string[];
  readonly command: Command;
  /** Short label for the footer; bindings without one are listed only in help. */
  readonly footer?: string;
  /** One line for the help overlay. */
  readonly help: string;
  /** Only with several instruments. */
  readonly several?: true;
  /** How the keys are shown when listing each would be noise ("1-9"). */
  readonly label?: string;
}

/** How long `y` may follow `f` and still flatten. */
export const FLATTEN_CONFIRM_MS = 3000;

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** Every binding, in the footer's order (most important first). */
export const KEY_TABLE: readonly KeyBinding[] = [
  {
    keys: ['f'],
    command: 'flatten_ask',
    footer: 'flatten',
    help: 'Flatten: asks first; press y within 3 s to cancel the exit legs and sell the held quantity at market',
  },
  { keys: ['y'], command: 'flatten_confirm', help: 'Confirm the flatten question (only within 3 s of f)' },
  {
    keys: ['F'],
    command: 'flatten_now',
    footer: 'FLATTEN NOW',
    help: 'Flatten at once, no question: cancel the exit legs, sell the held quantity at market, pause entries',
  },
  {
    keys: ['X'],
    command: 'flatten_all_ask',
    footer: 'flatten ALL',
    help: 'Flatten EVERY instrument: asks first, naming each; press y within 3 s',
    several: true,
  },
  {
    keys: ['q', 'ctrl+c'],
    command: 'quit',
    footer: 'quit',
    help: 'Quit safely: stop entries, cancel legs, sell held at market, confirm flat. Again: log what is still in flight',
  },
  { keys: ['p'], command: 'toggle_pause', footer: 'pause', help: 'Pause or resume new entries (exit protection keeps running either way)' },
  {
    keys: ['P'],
    command: 'toggle_pause_all',
    footer: 'pause all',
    help: 'Pause every instrument (when any takes entries), else resume them all',
    several: true,
  },
  { keys: ['up', 'down'], command: 'focus_step', footer: 'focus', label: '↑/↓', help: 'Focus the instrument above / below in the table', several: true },
  { keys: DIGITS, command: 'focus_number', label: '1-9', help: 'Focus instrument 1 to 9 (its number in the table)', several: true },
  {
    keys: ['m'],
    command: 'toggle_market_on_target',
    footer: 'MOT',
    help: 'Market-on-target (MOT) on/off: when on, a touch of the target sells at market instead of waiting at the limit',
  },
  { keys: ['r'], command: 'reconcile', footer: 'reconcile', help: "Reconcile now: check our position and orders against the broker's books" },
  { keys: ['t'], command: 'toggle_trades', footer: 'trades', help: "Show or hide today's trades with net P&L" },
  { keys: ['?'], command: 'toggle_help', footer: 'help', help: 'Show or hide this help' },
  { keys: ['escape', 'n'], command: 'close_overlay', help: 'Close an overlay; cancels a pending flatten question' },
];

/** The bindings with one instrument (today's table). */
export const KEYMAP: readonly KeyBinding[] = KEY_TABLE.filter((b) => !b.several);

/** The bindings in force: with several instruments the desk's keys join in. */
export function bindingsFor(several: boolean): readonly KeyBinding[] {
  return several ? KEY_TABLE : KEYMAP;
}

/** How a binding's keys are listed: its label, or every key (`sep` between). */
export function keysText(b: KeyBinding, sep: string, firstOnly = false): string {
  if (b.label !== undefined) return b.label;
  return (firstOnly ? b.keys.slice(0, 1) : b.keys).map(keyLabel).join(sep);
}

const byKey = (table: readonly KeyBinding[]): ReadonlyMap<string, KeyBinding> => new Map(table.flatMap((b) => b.keys.map((k) => [k, b] as const)));
const ONE = byKey(KEYMAP);
const SEVERAL = byKey(KEY_TABLE);

/** The binding for a key name, if any (the desk's keys only with several instruments). */
export function resolveKey(name: string, several = false): KeyBinding | undefined {
  return (several ? SEVERAL : ONE).get(name);
}

/** The key name of one Ink keypress; null for keys we never bind (other arrows, pasted text…). */
export function keyNameOf(input: string, key: { escape: boolean; ctrl: boolean; meta?: boolean; upArrow?: boolean; downArrow?: boolean }): string | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.escape) return 'escape';
  if (key.ctrl) return input.length === 1 ? `ctrl+${input.toLowerCase()}` : null;
  if (input.length !== 1) return null;
  return input;
}

/** How a key name is shown to the trader. */
export function keyLabel(name: string): string {
  if (name === 'escape') return 'Esc';
  if (name === 'up') return '↑';
  if (name === 'down') return '↓';
  if (name.startsWith('ctrl+')) return `Ctrl-${name.slice(5).toUpperCase()}`;
  return name;
}

/** A chunk longer than this is a paste, not typing. */
export const MAX_BURST_KEYS = 3;

function charKeyName(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code >= 1 && code <= 26) return `ctrl+${String.fromCharCode(96 + code)}`;
  if (code === 27) return 'escape';
  return ch;
}

/**
 * Key names in a chunk of several characters. A short burst (the process was busy while the
 * trader typed "fy") counts key by key; a longer chunk is pasted text and counts only for its
 * Ctrl-C presses, so a paste can never flatten but Ctrl-C always reaches quit.
 */
export function burstKeyNames(input: string): { names: string[]; pasted: boolean } {
  const names = Array.from(input, charKeyName);
  if (names.length <= MAX_BURST_KEYS) return { names, pasted: false };
  return { names: names.filter((n) => n === 'ctrl+c'), pasted: true };
}
