// A braille line chart of recent prices with labelled horizontal levels (entry, target, stop).
// Each character cell holds 2×4 dots, so `width` cells plot 2×width prices, `height` rows give
// 4×height vertical steps. Levels are dashed lines; their labels sit in a column on the right,
// so they read without colour.

export interface ChartLevel {
  /** One or two letters shown in the label column, e.g. T, E, S. */
  mark: string;
  price: number;
}

export interface ChartRow {
  plot: string;
  /** Labels of the levels (and the last price) that fall on this row, or the axis price. */
  label: string;
  /** Marks of levels on this row, for colouring the label. */
  marks: string[];
}

const LEFT_BITS = [0x01, 0x02, 0x04, 0x40] as const;
const RIGHT_BITS = [0x08, 0x10, 0x20, 0x80] as const;

export function plotChart(
  history: readonly number[],
  levels: readonly ChartLevel[],
  width: number,
  height: number,
  format: (price: number) => string,
): ChartRow[] {
  const cols = Math.max(1, Math.floor(width));
  const rows = Math.max(1, Math.floor(height));
  const points = history.filter((p) => Number.isFinite(p)).slice(-cols * 2);
  const shownLevels = levels.filter((l) => Number.isFinite(l.price));
  if (points.length === 0) return [];

  let lo = Math.min(...points, ...shownLevels.map((l) => l.price));
  let hi = Math.max(...points, ...shownLevels.map((l) => l.price));
  if (hi - lo < 1e-9) {
    const pad = Math.max(Math.abs(hi) * 0.001, 0.05);
    lo -= pad;
    hi += pad;
  }
  const dotRows = rows * 4;
  const yOf = (price: number): number => Math.round(((hi - price) / (hi - lo)) * (dotRows - 1));
  const dots: Uint8Array[] = Array.from({ length: rows }, () => new Uint8Array(cols));
  const set = (x: number, y: number): void => {
    if (x < 0 || x >= cols * 2 || y < 0 || y >= dotRows) return;
    const row = dots[Math.floor(y / 4)];
    if (!row) return;
    const cx = Math.floor(x / 2);
    const bits = x % 2 === 0 ? LEFT_BITS : RIGHT_BITS;
    row[cx] = (row[cx] ?? 0) | (bits[y % 4] ?? 0);
  };

  for (const level of shownLevels) {
    const y = yOf(level.price);
    for (let x = 0; x < cols * 2; x += 4) set(x, y);
  }
  const offset = cols * 2 - points.length;
  let prevY: number | null = null;
  points.forEach((price, i) => {
    const x = offset + i;
    const y = yOf(price);
    if (prevY === null) set(x, y);
    else for (let yy = Math.min(prevY, y); yy <= Math.max(prevY, y); yy++) set(x, yy);
    prevY = y;
  });

  const last = points[points.length - 1] as number;
  const labels: { marks: string[]; parts: string[] }[] = Array.from({ length: rows }, () => ({ marks: [], parts: [] }));
  for (const level of shownLevels) {
    const slot = labels[Math.floor(yOf(level.price) / 4)];
    slot?.marks.push(level.mark);
    slot?.parts.push(`${level.mark} ${format(level.price)}`);
  }
  const lastSlot = labels[Math.floor(yOf(last) / 4)];
  lastSlot?.parts.unshift(`> ${format(last)}`);
  const top = labels[0];
  if (top && top.parts.length === 0) top.parts.push(`  ${format(hi)}`);
  const bottom = labels[rows - 1];
  if (bottom && bottom.parts.length === 0 && rows > 1) bottom.parts.push(`  ${format(lo)}`);

  return dots.map((row, r) => ({
    plot: Array.from(row, (bits) => (bits === 0 ? ' ' : String.fromCharCode(0x2800 + bits))).join(''),
    label: labels[r]?.parts.join(' ') ?? '',
    marks: labels[r]?.marks ?? [],
  }));
}
