import { drawChart } from '../../screens/draw/chart.js';
import { CHARGE_LINES } from '../engine/charges.js';
import type { ChargeBreakdown } from '../store/types.js';
import { EXIT_REASON_WORDS } from './reasons.js';
import type { DayFigures, Figures } from './figures.js';
import type { ReportData } from './report-model.js';
import { amount, holdText, money, profitFactorText, rupees, winRateText } from './report-format.js';

// The report for the terminal: two tables per IST day and in total (P&L, then per-trade
// figures), the exit reasons, and the closed-trade equity curve drawn with the dashboard's chart.

const CHARGE_HEADS: Record<Exclude<keyof ChargeBreakdown, 'total'>, string> = {
  brokerage: 'BROKERAGE',
  stt: 'STT',
  exchange: 'EXCHANGE',
  sebi: 'SEBI',
  stamp: 'STAMP',
  ipft: 'IPFT',
  gst: 'GST',
};

interface Column {
  head: string;
  width: number;
  left?: boolean;
  value: (f: Figures, label: string) => string;
}

const PNL: Column[] = [
  { head: 'DAY', width: 10, left: true, value: (_, label) => label },
  { head: 'TRADES', width: 6, value: (f) => String(f.trades) },
  { head: 'W', width: 4, value: (f) => String(f.wins) },
  { head: 'L', width: 4, value: (f) => String(f.losses) },
  { head: 'WIN%', width: 6, value: (f) => winRateText(f) },
  { head: 'GROSS ₹', width: 12, value: (f) => money(f.gross) },
  { head: 'COSTS ₹', width: 10, value: (f) => money(-f.costs) },
  { head: 'NET ₹', width: 12, value: (f) => money(f.net) },
  { head: 'MAX DD ₹', width: 11, value: (f) => money(f.maxDrawdown === 0 ? 0 : -f.maxDrawdown) },
];

const CHARGES: Column[] = [
  { head: 'CHARGES', width: 10, left: true, value: (_, label) => label },
  ...CHARGE_LINES.map((l): Column => ({ head: `${CHARGE_HEADS[l.key]} ₹`, width: 11, value: (f) => amount(f.charges[l.key]) })),
  { head: 'CHARGES ₹', width: 11, value: (f) => amount(f.charges.total) },
  { head: 'SLIPPAGE ₹', width: 10, value: (f) => amount(f.slippage) },
];

const PER_TRADE: Column[] = [
  { head: 'DAY', width: 10, left: true, value: (_, label) => label },
  { head: 'AVG WIN ₹', width: 11, value: (f) => money(f.avgWin) },
  { head: 'AVG LOSS ₹', width: 11, value: (f) => money(f.avgLoss) },
  { head: 'PROFIT F', width: 8, value: (f) => profitFactorText(f) },
  { head: 'EXPECT ₹', width: 10, value: (f) => money(f.expectancy) },
  { head: 'LOSS RUN', width: 8, value: (f) => String(f.longestLosingStreak) },
  { head: 'AVG HOLD', width: 8, value: (f) => holdText(f.avgHoldMs) },
];

function fit(text: string, width: number, left = false): string {
  if (text.length > width) return text.slice(0, width);
  return left ? text.padEnd(width) : text.padStart(width);
}

function table(columns: Column[], days: DayFigures[], total: Figures): string[] {
  const row = (f: Figures, label: string): string => columns.map((c) => fit(c.value(f, label), c.width, c.left)).join('  ').trimEnd();
  const head = columns.map((c) => fit(c.head, c.width, c.left)).join('  ').trimEnd();
  const rule = '─'.repeat(head.length);
  return [head, ...days.map((d) => row(d, d.day)), rule, row(total, 'TOTAL')];
}

/**
 * The curve as exactly `points` samples across the plot: a long one sampled evenly (first and
 * last kept), a short one held as steps so each round trip gets its share of the width.
 */
export function fitCurve(curve: readonly number[], points: number): number[] {
  const n = curve.length;
  if (n === 0 || points < 2) return curve.slice();
  return Array.from({ length: points }, (_, i) => curve[Math.round((i * (n - 1)) / (points - 1))] as number);
}

export function equityLines(equity: readonly number[], width: number, height: number): string[] {
  const plotWidth = Math.max(10, width - 16);
  // The dashboard's chart in its line mode: the closed-trade curve as the "ticks", 0 as a level.
  const last = equity[equity.length - 1];
  const levels = [{ mark: '0', price: 0 }, ...(last !== undefined ? [{ mark: '>', price: last }] : [])];
  const drawing = drawChart({ bars: [], ticks: fitCurve(equity, plotWidth * 2), markers: [], levels, width: plotWidth, height, format: (x) => money(x) });
  return drawing.rows.map((r) => `${r.segments.map((g) => g.text).join('')} ${r.label}`.trimEnd());
}

export function renderTextReport(data: ReportData, opts: { width: number }): string {
  const { figures: f } = data;
  const sessions = data.sessions.length;
  const out: string[] = [];
  out.push(`${data.mode.toUpperCase()} journal ${data.journalPath}`);
  const runs = data.mode === 'backtest' ? `${f.days.length} day${f.days.length === 1 ? '' : 's'} replayed` : `${sessions} session${sessions === 1 ? '' : 's'}`;
  out.push(`${data.rangeLabel} (IST): ${runs}, ${f.total.trades} round trip${f.total.trades === 1 ? '' : 's'}, net ${rupees(f.total.net)}`);
  out.push('');
  out.push(...table(PNL, f.days, f.total));
  out.push('');
  out.push(...table(CHARGES, f.days, f.total));
  out.push('');
  out.push(...table(PER_TRADE, f.days, f.total));
  out.push('');
  out.push(`${fit('EXIT REASON', 17, true)}  ${fit('TRADES', 6)}  ${fit('NET ₹', 12)}  ${fit('AVG ₹', 10)}`);
  for (const r of f.total.byReason) {
    const avg = r.trades > 0 ? money(Math.round((r.net / r.trades) * 100) / 100) : '—';
    out.push(`${fit(EXIT_REASON_WORDS[r.reason], 17, true)}  ${fit(String(r.trades), 6)}  ${fit(money(r.net), 12)}  ${fit(avg, 10)}`);
  }
  out.push('');
  if (f.total.bySide.some((s) => s.side === 'short' && s.trades > 0)) {
    // Only once a short was traded: a long-only journal reads as it always has.
    out.push(`${fit('SIDE', 17, true)}  ${fit('TRADES', 6)}  ${fit('WIN %', 6)}  ${fit('NET ₹', 12)}`);
    for (const s of f.total.bySide) out.push(`${fit(s.side, 17, true)}  ${fit(String(s.trades), 6)}  ${fit(s.winRate === null ? '—' : `${(s.winRate * 100).toFixed(1)}%`, 6)}  ${fit(money(s.net), 12)}`);
    out.push('');
  }
  out.push(`EQUITY, closed trades: cumulative net ₹ after each of ${f.total.trades} round trip${f.total.trades === 1 ? '' : 's'} (dotted line: zero)`);
  out.push(...equityLines(data.equity, Math.min(opts.width, 120), 8));
  out.push('');
  out.push('costs = charges (brokerage and the statutory charges of each round trip\'s fills) + slippage (the SLIPPAGE_RUPEES estimate)');
  out.push('profit factor: winning nets / losing nets (∞ = no losing trade); a loss is a round trip with net ≤ 0; max DD: largest fall of the equity curve from its peak');
  return out.join('\n');
}
