// Recent LTPs as a braille line chart, with entry (E), target (T) and stop (S) drawn as dashed
// lines and labelled in a column on the right: the letters carry the meaning, colour helps.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { plotChart, type ChartLevel } from '../draw/chart.js';
import { useDashboard } from '../app/context.js';
import { fmtPrice, priceDecimals } from '../draw/format.js';
import { Line, Span } from '../draw/text.js';
import type { Tone } from '../draw/tone.js';

const LABEL_WIDTH = 22;

const MARK_TONES: Record<string, Tone> = { T: 'good', S: 'bad', E: 'warn' };

export function PriceChart({ height, width }: { height: number; width: number }): ReactNode {
  const s = useDashboard((st) => ({
    history: st.ltpHistory,
    held: st.position.held,
    avgEntry: st.position.avgEntry,
    target: st.legs.target?.price ?? st.legs.target?.trigger ?? null,
    stop: st.legs.stop?.trigger ?? st.legs.stop?.price ?? null,
    tickSize: st.tickSize,
  }));
  const d = priceDecimals(s.tickSize);
  const levels: ChartLevel[] = [];
  if (s.target !== null) levels.push({ mark: 'T', price: s.target });
  if (s.held > 0 && s.avgEntry !== null) levels.push({ mark: 'E', price: s.avgEntry });
  if (s.stop !== null) levels.push({ mark: 'S', price: s.stop });

  const plotRows = Math.max(1, height - 1);
  const plotWidth = Math.max(8, width - LABEL_WIDTH - 1);
  const rows = plotChart(s.history, levels, plotWidth, plotRows, (p) => fmtPrice(p, d));
  const shown = Math.min(s.history.length, plotWidth * 2);
  return (
    <Box flexDirection="column">
      <Line tone="muted">{`PRICE last ${shown} ticks   > LTP   E entry   T target   S stop   (- - - level lines)`}</Line>
      {rows.length === 0 ? (
        <Line tone="muted">no prices yet</Line>
      ) : (
        rows.map((row, i) => (
          <Line key={i}>
            <Span tone="info">{row.plot}</Span> <Span tone={MARK_TONES[row.marks[0] ?? ''] ?? 'plain'}>{row.label}</Span>
          </Line>
        ))
      )}
    </Box>
  );
}
