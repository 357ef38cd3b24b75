// The session's price as bars of the strategy's interval (high-low-close marks), with ▲ entry
// and ▼ exit markers on the bars where they happened and the last price (>), target (T), stop
// (S) and entry (E) as short labels on the right edge; with only a few bars yet, the recent
// ticks as a line. Glyphs and letters carry the meaning, colour helps.

import { memo, type ReactNode } from 'react';
import { Box } from 'ink';
import { drawChart, MIN_BARS, type ChartLevel, type ChartMarker, type ChartSegment } from '../draw/chart.js';
import { useDashboard } from '../app/context.js';
import { fmtInterval, fmtPrice, istClock, priceDecimals } from '../draw/format.js';
import { Line, Span } from '../draw/text.js';
import type { Tone } from '../draw/tone.js';
import type { TradeRecord } from '../../src/store/types.js';

/** Room for two labels on a row ("T 23480.00 > 23456.70"). */
const LABEL_WIDTH = 22;

const MARK_TONES: Record<string, Tone> = { T: 'good', S: 'bad', E: 'warn' };
const SEGMENT_TONES: Record<ChartSegment['kind'], Tone> = { plot: 'info', entry: 'warn', exit: 'strong', both: 'strong' };

/** Entry and exit markers: every trade of the day, and the open position's entry. */
export function chartMarkers(trades: readonly TradeRecord[], openedAt: number | null, avgEntry: number | null): ChartMarker[] {
  const out: ChartMarker[] = [];
  for (const t of trades) {
    out.push({ kind: 'entry', at: t.openedAt, price: t.entry });
    out.push({ kind: 'exit', at: t.closedAt, price: t.exit });
  }
  if (openedAt !== null && avgEntry !== null) out.push({ kind: 'entry', at: openedAt, price: avgEntry });
  return out;
}

export const PriceChart = memo(function PriceChart({ height, width }: { height: number; width: number }): ReactNode {
  const s = useDashboard((st) => ({
    bars: st.bars,
    ticks: st.ltpHistory,
    ltp: st.ltp,
    barMs: st.barMs,
    trades: st.tradesToday,
    held: st.position.held,
    openedAt: st.position.openedAt,
    avgEntry: st.position.avgEntry,
    target: st.legs.target?.price ?? st.legs.target?.trigger ?? null,
    stop: st.legs.stop?.trigger ?? st.legs.stop?.price ?? null,
    stopPath: st.stopPath,
    tickSize: st.tickSize,
  }));
  const d = priceDecimals(s.tickSize);
  const levels: ChartLevel[] = [];
  if (s.ltp !== null) levels.push({ mark: '>', price: s.ltp });
  if (s.target !== null) levels.push({ mark: 'T', price: s.target });
  if (s.stop !== null) levels.push({ mark: 'S', price: s.stop });
  if (s.held > 0 && s.avgEntry !== null) levels.push({ mark: 'E', price: s.avgEntry });
  const open = s.held > 0 ? s.openedAt : null;

  const chart = drawChart({
    bars: s.bars,
    ticks: s.ticks,
    markers: chartMarkers(s.trades, open, s.avgEntry),
    levels,
    stopPath: s.stopPath,
    width: Math.max(8, width - LABEL_WIDTH - 1),
    height: Math.max(1, height - 1),
    format: (p) => fmtPrice(p, d),
  });
  const interval = fmtInterval(s.barMs);
  const title =
    chart.mode === 'bars'
      ? `PRICE ${interval} bars from ${istClock(chart.firstAt ?? 0).slice(0, 5)}   ▲ entry  ▼ exit   > last  T target  S stop  E entry`
      : `PRICE last ${chart.shown} ticks (${interval} bars from ${MIN_BARS})   > last  T target  S stop  E entry`;
  return (
    <Box flexDirection="column">
      <Line tone="muted">{title}</Line>
      {chart.rows.length === 0 ? (
        <Line tone="muted">no prices yet</Line>
      ) : (
        chart.rows.map((row, i) => (
          <Line key={i}>
            {row.segments.map((seg, j) => (
              <Span key={j} tone={SEGMENT_TONES[seg.kind]}>
                {seg.text}
              </Span>
            ))}{' '}
            <Span tone={MARK_TONES[row.marks[0] ?? ''] ?? 'plain'}>{row.label}</Span>
          </Line>
        ))
      )}
    </Box>
  );
});
