// Small statistics for the benchmark: nearest-rank percentiles over a sample.

export interface Summary {
  n: number;
  min: number;
  median: number;
  mean: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of an unsorted sample; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  const mean = n === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / n;
  return {
    n,
    min: n === 0 ? Number.NaN : Math.min(...values),
    median: percentile(values, 50),
    mean,
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: n === 0 ? Number.NaN : Math.max(...values),
  };
}

/** Round for the JSON and the table: 3 significant decimals at most. */
export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function roundSummary(s: Summary, digits = 1): Summary {
  return {
    n: s.n,
    min: round(s.min, digits),
    median: round(s.median, digits),
    mean: round(s.mean, digits),
    p90: round(s.p90, digits),
    p99: round(s.p99, digits),
    max: round(s.max, digits),
  };
}

/** Largest number of events inside any window of `windowMs` (events as sorted or unsorted times). */
export function peakInWindow(times: readonly number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while ((t[hi] as number) - (t[lo] as number) >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
