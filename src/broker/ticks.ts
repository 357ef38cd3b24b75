// Prices on the instrument's tick grid, with integer arithmetic on ticks: a price is
// converted once to a whole number of ticks, computed on, and converted back once.

export interface TickGrid {
  readonly tick: number;
  /** Decimal places of the tick (0.05 → 2, 0.0025 → 4). */
  readonly decimals: number;
  toTicks(price: number, rounding?: 'nearest' | 'down' | 'up'): number;
  fromTicks(ticks: number): number;
  round(price: number, rounding?: 'nearest' | 'down' | 'up'): number;
  isOnGrid(price: number): boolean;
  format(price: number): string;
}

export function decimalsOf(tick: number): number {
  for (let d = 0; d <= 8; d++) {
    const scaled = tick * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9) return d;
  }
  return 8;
}

export function tickGrid(tick: number): TickGrid {
  if (!(tick > 0) || !Number.isFinite(tick)) throw new RangeError(`tick size must be > 0, got ${tick}`);
  const decimals = decimalsOf(tick);
  const scale = 10 ** decimals;
  const tickUnits = Math.round(tick * scale);
  const toTicks = (price: number, rounding: 'nearest' | 'down' | 'up' = 'nearest'): number => {
    // Scale to integer units first (rounded to kill float noise), then divide in integers.
    const units = Math.round(price * scale);
    const q = units / tickUnits;
    if (rounding === 'down') return Math.floor(q + 1e-9);
    if (rounding === 'up') return Math.ceil(q - 1e-9);
    return Math.round(q);
  };
  // A whole number of ticks is a whole number of units, and one division by a power of ten
  // already gives the double nearest the decimal price (what toFixed and Number would give,
  // at a tenth of the cost: the paper market converts every print).
  const fromTicks = (ticks: number): number =>
    Number.isInteger(ticks) ? (ticks * tickUnits) / scale : Number(((ticks * tickUnits) / scale).toFixed(decimals));
  return {
    tick,
    decimals,
    toTicks,
    fromTicks,
    round: (price, rounding) => fromTicks(toTicks(price, rounding)),
    isOnGrid: (price) => Math.abs(price * scale - toTicks(price) * tickUnits) < 1e-6,
    format: (price) => price.toFixed(Math.max(2, decimals)),
  };
}
