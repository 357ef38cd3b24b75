import { sumCharges } from '../engine/charges.js';
import { round2 } from '../store/store.js';
import type { ChargeBreakdown } from '../store/types.js';
import type { JournalTrade } from './reads.js';
import { EXIT_REASONS, RULE_REASONS, exitReasonOf, type ExitReason } from './reasons.js';

// The report's figures, from round trips in the order they closed. Pure: no I/O, no clock.
//
// - A win is a round trip with net > 0; anything else (net ≤ 0) is a loss, as the dashboard
//   counts W/L.
// - Profit factor = sum of winning nets / |sum of losing nets|. With no losing rupees it is
//   infinite (`profitFactor: null, profitFactorInfinite: true`, shown as ∞); with no trades, or
//   neither wins nor losing rupees, it is undefined (null, shown as —).
// - Expectancy = net / round trips.
// - Max drawdown = the largest fall of the closed-trade equity curve (cumulative net, starting at
//   0) from its running peak, in rupees (≥ 0). Taken over the trades given: a day's own curve per
//   day, the whole range's curve for the total.
// - Longest losing streak = most consecutive losses.
// - Average hold = mean of (closed − opened), ms.

export interface ReasonFigures {
  reason: ExitReason;
  trades: number;
  net: number;
}

/** One side's round trips (long, short): the long/short columns of the report. */
export interface SideFigures {
  side: 'long' | 'short';
  trades: number;
  wins: number;
  /** wins / trades, 0..1; null with no trades. */
  winRate: number | null;
  net: number;
}

export interface Figures {
  trades: number;
  wins: number;
  losses: number;
  /** wins / trades, 0..1; null with no trades. */
  winRate: number | null;
  gross: number;
  /** Charges + slippage. */
  costs: number;
  /** The charges by kind, summed in paise. */
  charges: ChargeBreakdown;
  /** The slippage estimate's part of costs. */
  slippage: number;
  net: number;
  avgWin: number | null;
  avgLoss: number | null;
  profitFactor: number | null;
  profitFactorInfinite: boolean;
  expectancy: number | null;
  maxDrawdown: number;
  longestLosingStreak: number;
  avgHoldMs: number | null;
  /** Every report reason, in a fixed order, with zero rows kept. */
  byReason: ReasonFigures[];
  /** Long, then short, zero rows kept. */
  bySide: SideFigures[];
}

export interface DayFigures extends Figures {
  day: string;
}

export interface ReportFigures {
  days: DayFigures[];
  total: Figures;
}

export function isWin(t: Pick<JournalTrade, 'net'>): boolean {
  return t.net > 0;
}

/** Cumulative net after each trade, starting with 0 before the first. */
export function equityCurve(trades: readonly Pick<JournalTrade, 'net'>[]): number[] {
  const curve = [0];
  let equity = 0;
  for (const t of trades) {
    equity = round2(equity + t.net);
    curve.push(equity);
  }
  return curve;
}

export function maxDrawdown(curve: readonly number[]): number {
  let peak = curve[0] ?? 0;
  let worst = 0;
  for (const equity of curve) {
    if (equity > peak) peak = equity;
    if (peak - equity > worst) worst = peak - equity;
  }
  return round2(worst);
}

export function figuresOf(trades: readonly JournalTrade[]): Figures {
  const wins = trades.filter(isWin);
  const losses = trades.filter((t) => !isWin(t));
  const sum = (xs: readonly JournalTrade[], f: (t: JournalTrade) => number): number => round2(xs.reduce((a, t) => a + f(t), 0));
  const winNet = sum(wins, (t) => t.net);
  const lossNet = sum(losses, (t) => t.net);
  const net = sum(trades, (t) => t.net);
  let streak = 0;
  let longest = 0;
  for (const t of trades) {
    streak = isWin(t) ? 0 : streak + 1;
    if (streak > longest) longest = streak;
  }
  const byReason = [...EXIT_REASONS, 'other' as const]
    .map((reason) => {
      const of = trades.filter((t) => exitReasonOf(t.reason) === reason);
      return { reason, trades: of.length, net: sum(of, (t) => t.net) };
    })
    .filter((r) => (r.reason !== 'other' && !RULE_REASONS.includes(r.reason)) || r.trades > 0);
  const bySide = (['long', 'short'] as const).map((side) => {
    const of = trades.filter((t) => t.side === side);
    const won = of.filter(isWin).length;
    return { side, trades: of.length, wins: won, winRate: of.length > 0 ? won / of.length : null, net: sum(of, (t) => t.net) };
  });
  const n = trades.length;
  return {
    trades: n,
    wins: wins.length,
    losses: losses.length,
    winRate: n > 0 ? wins.length / n : null,
    gross: sum(trades, (t) => t.gross),
    costs: sum(trades, (t) => t.costs),
    charges: sumCharges(trades.map((t) => t.charges)),
    slippage: sum(trades, (t) => t.slippage),
    net,
    avgWin: wins.length > 0 ? round2(winNet / wins.length) : null,
    avgLoss: losses.length > 0 ? round2(lossNet / losses.length) : null,
    profitFactor: lossNet < 0 ? round2(winNet / -lossNet) : null,
    profitFactorInfinite: lossNet === 0 && winNet > 0,
    expectancy: n > 0 ? round2(net / n) : null,
    maxDrawdown: maxDrawdown(equityCurve(trades)),
    longestLosingStreak: longest,
    avgHoldMs: n > 0 ? Math.round(trades.reduce((a, t) => a + t.holdMs, 0) / n) : null,
    byReason,
    bySide,
  };
}

/**
 * Per IST day and in total. `days` lists every day with a trade, plus `extraDays` (days a
 * session ran without trading), so an empty day shows as a row of zeros instead of vanishing.
 */
export function reportFigures(trades: readonly JournalTrade[], extraDays: readonly string[] = []): ReportFigures {
  const byDay = new Map<string, JournalTrade[]>();
  for (const day of extraDays) byDay.set(day, []);
  for (const t of trades) {
    const list = byDay.get(t.day);
    if (list) list.push(t);
    else byDay.set(t.day, [t]);
  }
  const days = [...byDay.keys()].sort().map((day) => ({ day, ...figuresOf(byDay.get(day) ?? []) }));
  return { days, total: figuresOf(trades) };
}
