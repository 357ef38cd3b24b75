// The price chart's grid, drawn in braille (each character cell holds 2×4 dots: `height` rows
// give 4×height price steps).
//
// - Bars: one high-low-close mark per bar of the strategy's interval, from the left edge as the
//   session goes: the left dot column spans high to low, a dot in the right column marks the
//   close. Two cells per bar while they fit (the second holds markers), one when the session
//   outgrows the width (the oldest bars scroll off).
// - Ticks: with only a few bars, the recent prices as a line, also from the left edge.
// - Markers: ▲ where a position was entered and ▼ where it was exited, on the bar (and at the
//   price) where it happened; ◆ when both fall in one cell.
// - Levels (target, stop, entry) and the last price are short labels in a column on the right
//   edge, on the row of their price (or the nearest free row, in price order), not lines across.
// - The stop's path (a trailing stop moves): a dot in each bar's spare cell at the stop's trigger
//   as it stood when the bar ended, while the bars have spare cells.
// The glyphs and letters carry the meaning; colour only helps.

import type { PriceBar } from '../../src/store/bars.js';

export interface ChartLevel {
  /** One letter shown in the label column: T, S, E, or > for the last price. */
  mark: string;
  price: number;
}

export interface ChartMarker {
  kind: 'entry' | 'exit';
  at: number;
  price: number;
}

/** A run of one kind of cell in a plot row, so the panel can tone markers apart from the plot. */
export interface ChartSegment {
  kind: 'plot' | 'entry' | 'exit' | 'both';
  text: string;
}

export interface ChartRow {
  segments: ChartSegment[];
  /** Labels of the levels on this row (or the axis price at the top and bottom). */
  label: string;
  /** Marks of the labels on this row, for colouring. */
  marks: string[];
}

export interface ChartDrawing {
  mode: 'bars' | 'ticks';
  /** Bars or ticks drawn. */
  shown: number;
  /** Start of the first bar drawn (bars mode). */
  firstAt: number | null;
  rows: ChartRow[];
}

export interface ChartInput {
  bars: readonly PriceBar[];
  /** Recent prices, oldest first: drawn when there are fewer than `minBars` bars. */
  ticks: readonly number[];
  markers: readonly ChartMarker[];
  levels: readonly ChartLevel[];
  /** The stop's trigger over time (null: none working), oldest first. */
  stopPath?: readonly { at: number; price: number | null }[];
  width: number;
  height: number;
  format: (price: number) => string;
  /** Bars needed before they replace the tick line; default MIN_BARS. */
  minBars?: number;
}

export const MIN_BARS = 5;

const LEFT_BITS = [0x01, 0x02, 0x04, 0x40] as const;
const RIGHT_BITS = [0x08, 0x10, 0x20, 0x80] as const;
const MARKER_GLYPH = { entry: '▲', exit: '▼', both: '◆' } as const;

type MarkerCell = keyof typeof MARKER_GLYPH;

class DotGrid {
  readonly dots: Uint8Array[];
  readonly markers: (MarkerCell | undefined)[][];
  constructor(
    readonly cols: number,
    readonly rows: number,
  ) {
    this.dots = Array.from({ length: rows }, () => new Uint8Array(cols));
    this.markers = Array.from({ length: rows }, () => new Array<MarkerCell | undefined>(cols));
  }
  /** Set the dot at x (0 … 2·cols−1), y (0 … 4·rows−1). */
  set(x: number, y: number): void {
    if (x < 0 || x >= this.cols * 2 || y < 0 || y >= this.rows * 4) return;
    const row = this.dots[Math.floor(y / 4)] as Uint8Array;
    const cx = Math.floor(x / 2);
    row[cx] = (row[cx] ?? 0) | ((x % 2 === 0 ? LEFT_BITS : RIGHT_BITS)[y % 4] ?? 0);
  }
  vertical(x: number, y0: number, y1: number): void {
    for (let y = Math.min(y0, y1); y <= Math.max(y0, y1); y++) this.set(x, y);
  }
  mark(cx: number, y: number, kind: 'entry' | 'exit'): void {
    const r = Math.floor(y / 4);
    const row = this.markers[r];
    if (!row || cx < 0 || cx >= this.cols) return;
    const had = row[cx];
    row[cx] = had === undefined || had === kind ? kind : 'both';
  }
  segments(r: number): ChartSegment[] {
    const out: ChartSegment[] = [];
    const dots = this.dots[r] as Uint8Array;
    const marks = this.markers[r] ?? [];
    for (let cx = 0; cx < this.cols; cx++) {
      const m = marks[cx];
      const kind: ChartSegment['kind'] = m ?? 'plot';
      const bits = dots[cx] ?? 0;
      const ch = m ? MARKER_GLYPH[m] : bits === 0 ? ' ' : String.fromCharCode(0x2800 + bits);
      const last = out[out.length - 1];
      if (last && last.kind === kind) last.text += ch;
      else out.push({ kind, text: ch });
    }
    return out;
  }
}

export function drawChart(input: ChartInput): ChartDrawing {
  const cols = Math.max(1, Math.floor(input.width));
  const rows = Math.max(1, Math.floor(input.height));
  const levels = input.levels.filter((l) => Number.isFinite(l.price));
  const useBars = input.bars.length >= (input.minBars ?? MIN_BARS);
  const ticks = input.ticks.filter((p) => Number.isFinite(p)).slice(-cols * 2);
  if (!useBars && ticks.length === 0) return { mode: 'ticks', shown: 0, firstAt: null, rows: [] };

  // Bars: two cells each while the session fits, then one.
  const step = useBars && input.bars.length * 2 <= cols ? 2 : 1;
  const bars = useBars ? input.bars.slice(-Math.floor(cols / step)) : [];
  const firstAt = bars[0]?.start ?? null;
  const barIndexAt = (t: number): number => {
    if (firstAt === null || t < firstAt) return -1;
    let i = bars.length - 1;
    while (i > 0 && (bars[i] as PriceBar).start > t) i--;
    return i;
  };
  const markers = useBars ? input.markers.filter((m) => Number.isFinite(m.price) && barIndexAt(m.at) >= 0) : [];

  const prices = useBars ? bars.flatMap((b) => [b.high, b.low]) : ticks;
  let lo = Math.min(...prices, ...levels.map((l) => l.price), ...markers.map((m) => m.price));
  let hi = Math.max(...prices, ...levels.map((l) => l.price), ...markers.map((m) => m.price));
  if (hi - lo < 1e-9) {
    const pad = Math.max(Math.abs(hi) * 0.001, 0.05);
    lo -= pad;
    hi += pad;
  }
  const dotRows = rows * 4;
  const yOf = (price: number): number => Math.round(((hi - price) / (hi - lo)) * (dotRows - 1));
  const grid = new DotGrid(cols, rows);

  if (useBars) {
    bars.forEach((bar, i) => {
      const x = i * step * 2;
      grid.vertical(x, yOf(bar.high), yOf(bar.low));
      grid.set(x + 1, yOf(bar.close));
    });
    if (step === 2 && input.stopPath && input.stopPath.length > 0) {
      const path = input.stopPath;
      let k = 0;
      let price: number | null = null;
      bars.forEach((_, i) => {
        // The trigger as it stood at the bar's end (the path is oldest first: one pass).
        const end = bars[i + 1]?.start ?? Number.POSITIVE_INFINITY;
        while (k < path.length && (path[k]?.at ?? 0) < end) price = path[k++]?.price ?? null;
        // Inside the plot's range only: the path does not stretch the axis.
        if (price !== null && price >= lo && price <= hi) grid.set((i * step + 1) * 2, yOf(price));
      });
    }
    for (const m of markers) {
      // In the bar's spare cell when it has one, else over the bar itself.
      grid.mark(barIndexAt(m.at) * step + step - 1, yOf(m.price), m.kind);
    }
  } else {
    let prevY: number | null = null;
    ticks.forEach((price, x) => {
      const y = yOf(price);
      grid.vertical(x, prevY ?? y, y);
      prevY = y;
    });
  }

  const labels = placeLabels(levels, rows, (p) => Math.floor(yOf(p) / 4), input.format);
  const top = labels[0];
  if (top && top.parts.length === 0) top.parts.push(`  ${input.format(hi)}`);
  const bottom = labels[rows - 1];
  if (bottom && bottom.parts.length === 0 && rows > 1) bottom.parts.push(`  ${input.format(lo)}`);

  return {
    mode: useBars ? 'bars' : 'ticks',
    shown: useBars ? bars.length : ticks.length,
    firstAt,
    rows: Array.from({ length: rows }, (_, r) => ({
      segments: grid.segments(r),
      label: labels[r]?.parts.join(' ') ?? '',
      marks: labels[r]?.marks ?? [],
    })),
  };
}

/**
 * Each level on the row of its price; when rows collide, neighbours move to the nearest free
 * rows keeping the labels in price order (higher above), so a moved label never reads as above
 * a higher one. With more labels than rows the rest join the last row.
 */
function placeLabels(
  levels: readonly ChartLevel[],
  rows: number,
  rowOf: (price: number) => number,
  format: (price: number) => string,
): { marks: string[]; parts: string[] }[] {
  const out = Array.from({ length: rows }, () => ({ marks: [] as string[], parts: [] as string[] }));
  const sorted = [...levels].sort((a, b) => b.price - a.price);
  const at = sorted.map((l) => Math.min(rows - 1, Math.max(0, rowOf(l.price))));
  for (let i = 1; i < at.length; i++) at[i] = Math.max(at[i] as number, (at[i - 1] as number) + 1);
  for (let i = at.length - 1; i >= 0; i--) {
    const room = rows - 1 - (at.length - 1 - i);
    at[i] = Math.max(0, Math.min(at[i] as number, room, i + 1 < at.length ? (at[i + 1] as number) - 1 : rows - 1));
  }
  sorted.forEach((level, i) => {
    const slot = out[Math.min(rows - 1, at[i] as number)];
    slot?.marks.push(level.mark);
    slot?.parts.push(`${level.mark} ${format(level.price)}`);
  });
  return out;
}
