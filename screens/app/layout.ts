// Panel heights from the terminal's size. The frame is never taller than the terminal: Ink
// clears and redraws the whole screen (flicker) once a frame reaches the terminal's height, so
// the frame uses rows − 1 lines. Every panel has a fixed height; the log tail takes the rest.
//
// Sizes:
// - below MIN_COLUMNS × MIN_ROWS (60×16): one line "Terminal too small"; trading continues.
//   (60×16 rather than 80×24 so an 80×24 terminal inside tmux — 80×23 with the status bar —
//   or a half-width split still shows position, legs and keys.)
// - narrower than WIDE_COLUMNS (100): compact text forms (short ids, fewer labels); narrower
//   than 80: narrow forms (P&L moves to the second position line, legs drop the order id).
// - the price chart appears once the log tail would keep at least LOG_MIN_WITH_CHART rows
//   (about 28+ rows); 80×24 hides it, 120×32 shows it.
// - several instruments: the table (a title row, one row each, the TOTAL row) under the
//   header, then the focused instrument's compact detail: position always, legs and fill
//   progress while the log keeps LOG_MIN_DESK rows, the chart under the same rule as above.
//   80×24 holds four instruments with position, legs, fills and a 7-line log.

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 16;
export const WIDE_COLUMNS = 100;
export const STANDARD_COLUMNS = 80;

/** Text forms of the panels: narrow (< 80 columns), compact (< 100), wide. */
export type Form = 'narrow' | 'compact' | 'wide';

const HEADER_ROWS = 2;
const POSITION_ROWS = 2;
const LEGS_ROWS = 3;
const FILL_ROWS = 1;
const FOOTER_ROWS = 2;
const CHART_MIN_ROWS = 5;
const CHART_MAX_ROWS = 12;
const LOG_MIN_WITH_CHART = 10;

export interface TerminalSize {
  rows: number;
  columns: number;
}

export interface Layout {
  tooSmall: boolean;
  /** Frame size: columns × (rows − 1). */
  width: number;
  height: number;
  /** Which text forms the panels use. */
  form: Form;
  header: number;
  banner: number;
  /** The session guard's line (0 when no limit is set, 2 while HALTED). */
  guard: number;
  position: number;
  legs: number;
  fill: number;
  /** 0 when hidden. */
  chart: number;
  /** The instruments table (0 with one instrument): title, one row each, TOTAL. */
  table: number;
  /** The log tail / overlay region: whatever is left. */
  body: number;
  footer: number;
}

export function isTooSmall(size: TerminalSize): boolean {
  return size.columns < MIN_COLUMNS || size.rows < MIN_ROWS;
}

export function computeLayout(size: TerminalSize, opts: { banner: boolean; guard?: number }): Layout {
  const width = Math.max(1, Math.floor(size.columns));
  const height = Math.max(1, Math.floor(size.rows) - 1);
  const none = { header: 0, banner: 0, guard: 0, position: 0, legs: 0, fill: 0, chart: 0, table: 0, body: 0, footer: 0 };
  if (isTooSmall(size)) return { tooSmall: true, width, height: 1, form: 'narrow', ...none };

  const banner = opts.banner ? (height >= 22 ? 2 : 1) : 0;
  const guard = Math.max(0, Math.min(2, opts.guard ?? 0));
  const fixed = HEADER_ROWS + banner + guard + POSITION_ROWS + LEGS_ROWS + FILL_ROWS + FOOTER_ROWS;
  const remaining = height - fixed;
  let chart = 0;
  if (remaining - CHART_MIN_ROWS >= LOG_MIN_WITH_CHART) {
    chart = Math.min(CHART_MAX_ROWS, Math.max(CHART_MIN_ROWS, Math.floor(remaining * 0.4)));
  }
  return {
    tooSmall: false,
    width,
    height,
    form: width < STANDARD_COLUMNS ? 'narrow' : width < WIDE_COLUMNS ? 'compact' : 'wide',
    header: HEADER_ROWS,
    banner,
    guard,
    position: POSITION_ROWS,
    legs: LEGS_ROWS,
    fill: FILL_ROWS,
    chart,
    table: 0,
    body: remaining - chart,
    footer: FOOTER_ROWS,
  };
}

/** Log rows the desk keeps before it drops the legs or the fill line from the detail. */
const LOG_MIN_DESK = 2;

/** Rows of the instruments table: its title, one per instrument, the TOTAL row. */
export function tableRows(instruments: number): number {
  return instruments + 2;
}

/** The layout with several instruments: the table, then the focused one's compact detail. */
export function computeDeskLayout(size: TerminalSize, opts: { banner: boolean; guard?: number; instruments: number }): Layout {
  const one = computeLayout(size, opts);
  if (one.tooSmall) return one;
  const table = tableRows(opts.instruments);
  let rest = one.height - one.header - one.banner - one.guard - table - one.footer - POSITION_ROWS;
  if (rest < 1) return { ...one, tooSmall: true, height: 1 };
  const legs = rest - LEGS_ROWS >= LOG_MIN_DESK ? LEGS_ROWS : 0;
  rest -= legs;
  const fill = rest - FILL_ROWS >= LOG_MIN_DESK ? FILL_ROWS : 0;
  rest -= fill;
  let chart = 0;
  if (rest - CHART_MIN_ROWS >= LOG_MIN_WITH_CHART) chart = Math.min(CHART_MAX_ROWS, Math.max(CHART_MIN_ROWS, Math.floor(rest * 0.4)));
  return { ...one, table, position: POSITION_ROWS, legs, fill, chart, body: rest - chart };
}
