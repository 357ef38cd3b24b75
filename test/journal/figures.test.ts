import { describe, expect, it } from 'vitest';
import { equityCurve, figuresOf, maxDrawdown, reportFigures } from '../../src/journal/figures.js';
import { fixtureTrades, trade } from './fixture.js';
import { renderTextReport } from '../../src/journal/report-text.js';
import { renderHtml } from '../../src/journal/report-html.js';
import { renderCsv } from '../../src/journal/report-csv.js';

const reasons = (f: ReturnType<typeof figuresOf>) => Object.fromEntries(f.byReason.map((r) => [r.reason, [r.trades, r.net]]));

describe('report figures against a hand-computed fixture', () => {
  const report = reportFigures(fixtureTrades(), ['2026-11-25']);

  it('a day with wins and losses: every figure', () => {
    const d = report.days[0];
    expect(d).toMatchObject({
      day: '2026-11-24',
      trades: 5,
      wins: 2,
      losses: 3,
      winRate: 0.4,
      gross: 450,
      costs: 200,
      net: 250,
      avgWin: 335, // (260 + 410) / 2
      avgLoss: -140, // (−190 − 190 − 40) / 3
      profitFactor: 1.6, // 670 / 420 = 1.595…
      profitFactorInfinite: false,
      expectancy: 50,
      maxDrawdown: 380, // curve 0 260 70 −120 290 250: 260 → −120
      longestLosingStreak: 2,
      avgHoldMs: 72_000, // (60 + 30 + 90 + 120 + 60) / 5 s
    });
    expect(reasons(d as ReturnType<typeof figuresOf>)).toEqual({
      target: [1, 260],
      stop: [2, -380],
      market_on_target: [1, 410],
      square_off: [0, 0],
      flatten: [0, 0],
      guard: [0, 0],
      outside_close: [1, -40],
      shutdown: [0, 0],
    });
  });

  it('a day a session ran without a trade: a row of zeros, nothing divided by zero', () => {
    expect(report.days.map((d) => d.day)).toEqual(['2026-11-24', '2026-11-25', '2026-11-26']);
    expect(report.days[1]).toMatchObject({
      trades: 0, wins: 0, losses: 0, winRate: null, gross: 0, costs: 0, net: 0, avgWin: null, avgLoss: null,
      profitFactor: null, profitFactorInfinite: false, expectancy: null, maxDrawdown: 0, longestLosingStreak: 0, avgHoldMs: null,
    });
  });

  it('a day with no loss: profit factor infinite (null + flag), no average loss, no drawdown', () => {
    expect(report.days[2]).toMatchObject({
      trades: 2, wins: 2, losses: 0, winRate: 1, net: 350, avgWin: 175, avgLoss: null,
      profitFactor: null, profitFactorInfinite: true, expectancy: 175, maxDrawdown: 0, longestLosingStreak: 0, avgHoldMs: 15_000,
    });
  });

  it('the total runs one curve over the whole range', () => {
    expect(report.total).toMatchObject({
      trades: 7, wins: 4, losses: 3, gross: 800, costs: 200, net: 600,
      avgWin: 255, // (260 + 410 + 300 + 50) / 4
      avgLoss: -140,
      profitFactor: 2.43, // 1020 / 420 = 2.428…
      expectancy: 85.71,
      maxDrawdown: 380,
      longestLosingStreak: 2,
      avgHoldMs: 55_714, // 390 s / 7
    });
    expect(report.total.winRate).toBeCloseTo(4 / 7, 10);
    expect(reasons(report.total)).toMatchObject({ target: [2, 560], square_off: [1, 50] });
  });

  it('equity curve and drawdown: the fall from the running peak, peak starting at zero', () => {
    expect(equityCurve(fixtureTrades())).toEqual([0, 260, 70, -120, 290, 250, 550, 600]);
    expect(maxDrawdown([0, -50, -20, -80])).toBe(80); // losing from the first trade: measured from 0
    expect(maxDrawdown([0, 10, 20, 30])).toBe(0);
  });

  it('a break-even round trip counts as a loss (as the dashboard counts W/L); guard closes are their own reason', () => {
    const f = figuresOf([trade('2026-11-27T10:00:00', 'target', 100, 0, 5), trade('2026-11-27T10:05:00', 'guard', 0, 0, 5)]);
    expect(f).toMatchObject({ wins: 1, losses: 1, avgLoss: 0, profitFactor: null, profitFactorInfinite: true, longestLosingStreak: 1 });
    expect(reasons(f).guard).toEqual([1, 0]);
  });

  it('no trades at all: zeros and nulls', () => {
    expect(reportFigures([])).toEqual({ days: [], total: figuresOf([]) });
    expect(figuresOf([])).toMatchObject({ trades: 0, winRate: null, profitFactor: null, profitFactorInfinite: false, maxDrawdown: 0 });
  });
});

describe('long and short side by side', () => {
  const trades = fixtureTrades().slice(0, 5).map((t, i) => ({ ...t, side: i % 2 === 1 ? ('short' as const) : ('long' as const) }));
  const data = { mode: 'paper' as const, journalPath: 'j', range: {}, rangeLabel: 'test', sessions: [], trades, figures: reportFigures(trades), equity: equityCurve(trades) };

  it('bySide splits the round trips, their wins and net (nets +260 −190 −190 +410 −40: long 1, 3, 5; short 2, 4)', () => {
    expect(data.figures.total.bySide).toEqual([
      { side: 'long', trades: 3, wins: 1, winRate: 1 / 3, net: 30 },
      { side: 'short', trades: 2, wins: 1, winRate: 0.5, net: 220 },
    ]);
  });

  it('the text and HTML reports show a side table once a short was traded, the CSV a last column', () => {
    expect(renderTextReport(data, { width: 100 })).toMatch(/SIDE\s+TRADES\s+WIN %\s+NET ₹\nlong\s+3\s+33\.3%\s+\+30\.00\nshort\s+2\s+50\.0%\s+\+220\.00/);
    expect(renderHtml(data, 0)).toContain('<h2>By side</h2>');
    // Each exit reason with its count, net and average net (— where none).
    const text = renderTextReport(data, { width: 100 });
    expect(text).toMatch(/EXIT REASON\s+TRADES\s+NET ₹\s+AVG ₹/);
    const rows = data.figures.total.byReason.filter((r) => r.trades > 0);
    for (const r of rows) expect(text).toContain(`${(r.net / r.trades) >= 0 ? '+' : '-'}${Math.abs(Math.round((r.net / r.trades) * 100) / 100).toFixed(2)}`);
    expect(text).toMatch(/shutdown\s+0\s+0\.00\s+—/);
    const csv = renderCsv(data).split('\r\n');
    expect(csv[0]?.endsWith(',side')).toBe(true);
    expect(csv[2]?.endsWith(',short')).toBe(true);
    const longOnly = fixtureTrades();
    const plain = { ...data, trades: longOnly, figures: reportFigures(longOnly), equity: equityCurve(longOnly) };
    expect(renderTextReport(plain, { width: 100 })).not.toContain('SIDE');
    expect(renderHtml(plain, 0)).not.toContain('By side');
  });
});
