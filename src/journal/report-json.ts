import { exitReasonOf } from './reasons.js';
import type { ReportData } from './report-model.js';
import { istIso } from './report-format.js';

// The report's figures for scripts: the same object the tables are drawn from. Money in rupees
// (numbers), rates 0..1, times in ms and as IST ISO strings; `profitFactor` is null with
// `profitFactorInfinite: true` when nothing was lost. `charges` (per trade, per day and in
// total) is the breakdown by kind with its `total`; costs = charges.total + slippage.

export function reportJson(data: ReportData): unknown {
  return {
    mode: data.mode,
    journal: data.journalPath,
    range: { from: data.range.from ?? null, to: data.range.to ?? null, label: data.rangeLabel },
    sessions: data.sessions.map((s) => ({
      id: s.id,
      day: s.day,
      startedAt: istIso(s.startedAt),
      stoppedAt: s.stoppedAt === null ? null : istIso(s.stoppedAt),
      symbol: s.symbol,
      exchange: s.exchange,
      exitCode: s.exitCode,
    })),
    days: data.figures.days,
    total: data.figures.total,
    trades: data.trades.map((t, i) => ({
      trade: i + 1,
      day: t.day,
      openedAt: istIso(t.openedAt),
      closedAt: istIso(t.closedAt),
      holdMs: t.holdMs,
      symbol: t.symbol,
      exchange: t.exchange,
      quantity: t.quantity,
      entry: t.entry,
      exit: t.exit,
      exitReason: exitReasonOf(t.reason),
      engineReason: t.reason,
      gross: t.gross,
      costs: t.costs,
      charges: t.charges,
      slippage: t.slippage,
      net: t.net,
      cumulativeNet: data.equity[i + 1] ?? 0,
      entryOrderId: t.entryOrderId,
      sessionId: t.sessionId,
    })),
  };
}
