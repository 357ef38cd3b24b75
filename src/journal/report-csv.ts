import { exitReasonOf } from './reasons.js';
import type { ReportData } from './report-model.js';
import { istIso } from './report-format.js';

// One row per round trip, oldest first (columns documented in the README). Plain numbers (no
// grouping, no ₹), times in ISO 8601 with the IST offset, so a spreadsheet reads them as they are.

export const CSV_COLUMNS = [
  'trade',
  'ist_day',
  'opened_at_ist',
  'closed_at_ist',
  'hold_seconds',
  'symbol',
  'exchange',
  'quantity',
  'entry',
  'exit',
  'exit_reason',
  'engine_reason',
  'gross',
  'costs',
  'brokerage',
  'stt',
  'exchange_charge',
  'sebi_fee',
  'stamp_duty',
  'ipft',
  'gst',
  'charges',
  'slippage',
  'net',
  'cumulative_net',
  'entry_order_id',
  'session_id',
  // Added with the short side, last so that scripts reading columns by position keep working.
  'side',
] as const;

function field(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(data: ReportData): string {
  const lines = [CSV_COLUMNS.join(',')];
  data.trades.forEach((t, i) => {
    const row: (string | number | null)[] = [
      i + 1,
      t.day,
      istIso(t.openedAt),
      istIso(t.closedAt),
      Math.round(t.holdMs / 1000),
      t.symbol,
      t.exchange,
      t.quantity,
      t.entry.toFixed(2),
      t.exit.toFixed(2),
      exitReasonOf(t.reason),
      t.reason,
      t.gross.toFixed(2),
      t.costs.toFixed(2),
      t.charges.brokerage.toFixed(2),
      t.charges.stt.toFixed(2),
      t.charges.exchange.toFixed(2),
      t.charges.sebi.toFixed(2),
      t.charges.stamp.toFixed(2),
      t.charges.ipft.toFixed(2),
      t.charges.gst.toFixed(2),
      t.charges.total.toFixed(2),
      t.slippage.toFixed(2),
      t.net.toFixed(2),
      (data.equity[i + 1] ?? 0).toFixed(2),
      t.entryOrderId,
      t.sessionId,
      t.side,
    ];
    lines.push(row.map(field).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
