import { EXIT_REASON_WORDS, exitReasonOf } from './reasons.js';
import { CHARGE_LINES } from '../engine/charges.js';
import type { Figures } from './figures.js';
import type { ReportData } from './report-model.js';
import { amount, holdText, istTime, money, profitFactorText, rupees, winRateText } from './report-format.js';

// The report as one self-contained HTML file a trader opens in a browser: inline CSS, an inline
// SVG equity curve, no script and nothing fetched from the network.

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function signClass(x: number | null): string {
  return x === null || x === 0 ? '' : x > 0 ? ' class="pos"' : ' class="neg"';
}

const FIGURE_COLUMNS: { head: string; cell: (f: Figures) => string }[] = [
  { head: 'Round trips', cell: (f) => String(f.trades) },
  { head: 'Wins', cell: (f) => String(f.wins) },
  { head: 'Losses', cell: (f) => String(f.losses) },
  { head: 'Win rate', cell: (f) => winRateText(f) },
  { head: 'Gross ₹', cell: (f) => `<span${signClass(f.gross)}>${money(f.gross)}</span>` },
  { head: 'Costs ₹', cell: (f) => money(-f.costs) },
  { head: 'Net ₹', cell: (f) => `<b${signClass(f.net)}>${money(f.net)}</b>` },
  { head: 'Avg win ₹', cell: (f) => money(f.avgWin) },
  { head: 'Avg loss ₹', cell: (f) => money(f.avgLoss) },
  { head: 'Profit factor', cell: (f) => profitFactorText(f) },
  { head: 'Expectancy ₹', cell: (f) => `<span${signClass(f.expectancy)}>${money(f.expectancy)}</span>` },
  { head: 'Max drawdown ₹', cell: (f) => money(f.maxDrawdown === 0 ? 0 : -f.maxDrawdown) },
  { head: 'Longest losing streak', cell: (f) => String(f.longestLosingStreak) },
  { head: 'Avg hold', cell: (f) => holdText(f.avgHoldMs) },
];

export function equitySvg(equity: readonly number[], width = 1000, height = 280): string {
  const m = { left: 90, right: 20, top: 16, bottom: 34 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const lo = Math.min(0, ...equity);
  let hi = Math.max(0, ...equity);
  if (hi - lo < 1e-9) hi = lo + 1;
  const n = Math.max(1, equity.length - 1);
  const x = (i: number): number => m.left + (i / n) * w;
  const y = (v: number): number => m.top + ((hi - v) / (hi - lo)) * h;
  const pts = equity.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const last = equity[equity.length - 1] ?? 0;
  const label = (v: number, text: string): string =>
    `<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(text)}</text>`;
  const labels = [label(hi, money(hi)), label(lo, money(lo))];
  if (hi !== 0 && lo !== 0) labels.push(label(0, '0.00'));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Equity curve: cumulative net after each round trip, ending at ${esc(rupees(last))}">`,
    `<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="#fafafa" stroke="#ccc"/>`,
    `<line x1="${m.left}" x2="${m.left + w}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#888" stroke-dasharray="6 4"/>`,
    ...labels,
    `<text x="${m.left}" y="${height - 10}">0</text>`,
    `<text x="${m.left + w}" y="${height - 10}" text-anchor="end">${n === 1 && equity.length < 2 ? 0 : equity.length - 1} round trips</text>`,
    `<polyline fill="none" stroke="${last >= 0 ? '#1a7f37' : '#cf222e'}" stroke-width="2" points="${pts}"/>`,
    ...(equity.length <= 200 ? equity.map((v, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="#444"/>`) : []),
    '</svg>',
  ].join('\n');
}

export function renderHtml(data: ReportData, generatedAt: number): string {
  const f = data.figures;
  const chargeRows = [...f.days.map((d) => ({ label: d.day, fig: d as Figures })), { label: 'Total', fig: f.total }]
    .map(
      (r) =>
        `<tr${r.label === 'Total' ? ' class="total"' : ''}><th>${esc(r.label)}</th>${CHARGE_LINES.map((l) => `<td>${amount(r.fig.charges[l.key])}</td>`).join('')}` +
        `<td>${amount(r.fig.charges.total)}</td><td>${amount(r.fig.slippage)}</td><td>${amount(r.fig.costs)}</td></tr>`,
    )
    .join('\n');
  const title = `random-scalp report — ${data.mode.toUpperCase()} — ${data.rangeLabel}`;
  const figureRows = [...f.days.map((d) => ({ label: d.day, fig: d as Figures })), { label: 'Total', fig: f.total }]
    .map((r) => `<tr${r.label === 'Total' ? ' class="total"' : ''}><th>${esc(r.label)}</th>${FIGURE_COLUMNS.map((c) => `<td>${c.cell(r.fig)}</td>`).join('')}</tr>`)
    .join('\n');
  const reasonRows = f.total.byReason
    .map((r) => `<tr><th>${esc(EXIT_REASON_WORDS[r.reason])}</th><td>${r.trades}</td><td${signClass(r.net)}>${money(r.net)}</td><td>${r.trades > 0 ? money(Math.round((r.net / r.trades) * 100) / 100) : '—'}</td></tr>`)
    .join('\n');
  const traded = f.total.bySide.some((s) => s.side === 'short' && s.trades > 0);
  const sideTable = traded
    ? `<h2>By side</h2>
<table>
<thead><tr><th>Side</th><th>Round trips</th><th>Win rate</th><th>Net ₹</th></tr></thead>
<tbody>
${f.total.bySide.map((s) => `<tr><th>${s.side}</th><td>${s.trades}</td><td>${s.winRate === null ? '—' : `${(s.winRate * 100).toFixed(1)}%`}</td><td${signClass(s.net)}>${money(s.net)}</td></tr>`).join('\n')}
</tbody>
</table>
`
    : '';
  const tradeRows = data.trades
    .map(
      (t, i) =>
        `<tr><td>${i + 1}</td><td>${esc(t.day)}</td><td>${istTime(t.openedAt)}</td><td>${istTime(t.closedAt)}</td><td>${holdText(t.holdMs)}</td>` +
        `<td>${esc(t.symbol)}</td><td>${t.side}</td><td>${t.quantity}</td><td>${t.entry.toFixed(2)}</td><td>${t.exit.toFixed(2)}</td><td>${esc(EXIT_REASON_WORDS[exitReasonOf(t.reason)])}</td>` +
        `<td${signClass(t.gross)}>${money(t.gross)}</td><td>${money(-t.charges.total)}</td><td>${money(-t.costs)}</td><td${signClass(t.net)}>${money(t.net)}</td><td>${money(data.equity[i + 1] ?? 0)}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.meta { color: #57606a; margin: 0 0 16px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: right; white-space: nowrap; }
thead th { background: #f6f8fa; text-align: center; white-space: normal; vertical-align: bottom; } tbody th { text-align: left; }
tr.total { font-weight: bold; background: #f6f8fa; }
.pos { color: #1a7f37; } .neg { color: #cf222e; }
.note { color: #57606a; font-size: 12px; max-width: 1000px; }
.scroll { overflow-x: auto; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">${data.sessions.length} session${data.sessions.length === 1 ? '' : 's'}, ${f.total.trades} round trip${f.total.trades === 1 ? '' : 's'}, net <b${signClass(f.total.net)}>${esc(rupees(f.total.net))}</b> · journal ${esc(data.journalPath)} · generated ${esc(istTime(generatedAt))} IST</p>
<h2>Per IST day and in total</h2>
<div class="scroll"><table>
<thead><tr><th>Day</th>${FIGURE_COLUMNS.map((c) => `<th>${esc(c.head)}</th>`).join('')}</tr></thead>
<tbody>
${figureRows}
</tbody>
</table></div>
<p class="note">A win is a round trip with net &gt; 0, anything else a loss. Profit factor = winning nets ÷ losing nets (∞: no losing trade). Expectancy = net per round trip. Max drawdown = the largest fall of the closed-trade equity curve from its peak.</p>
<h2>Charges by kind, ₹</h2>
<div class="scroll"><table>
<thead><tr><th>Day</th>${CHARGE_LINES.map((l) => `<th>${esc(l.label)}</th>`).join('')}<th>Charges</th><th>Slippage (estimate)</th><th>Costs</th></tr></thead>
<tbody>
${chargeRows}
</tbody>
</table></div>
<p class="note">Brokerage as BROKERAGE prices each executed order, and the statutory charges worked from each round trip's fills with the rates of its trade date (README, "Statutory charges"). Round trips journalled before charges were counted show their costs as brokerage.</p>
<h2>Equity curve (closed trades, cumulative net ₹)</h2>
${equitySvg(data.equity)}
<h2>By exit reason</h2>
<table>
<thead><tr><th>Reason</th><th>Round trips</th><th>Net ₹</th><th>Average ₹</th></tr></thead>
<tbody>
${reasonRows}
</tbody>
</table>
${sideTable}<h2>Round trips</h2>
<div class="scroll"><table>
<thead><tr><th>#</th><th>Day</th><th>Opened IST</th><th>Closed IST</th><th>Hold</th><th>Symbol</th><th>Side</th><th>Qty</th><th>Entry</th><th>Exit</th><th>Reason</th><th>Gross ₹</th><th>Charges ₹</th><th>Costs ₹</th><th>Net ₹</th><th>Cumulative ₹</th></tr></thead>
<tbody>
${tradeRows}
</tbody>
</table></div>
</body>
</html>
`;
}
