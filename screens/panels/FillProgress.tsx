// Fill progress as text bars with numbers: entry filled/requested, exits exited/(held+exited).
// One line.

import type { ReactNode } from 'react';
import { useDashboard } from '../app/context.js';
import { percent, progressBar } from '../draw/format.js';
import { Line, Span } from '../draw/text.js';

export function FillProgress({ width }: { width: number }): ReactNode {
  const p = useDashboard((s) => s.position);
  // Two bars and their numbers share the line.
  const barWidth = Math.max(6, Math.min(30, Math.floor((width - 44) / 2)));
  const exitTotal = p.held + p.exited;
  const entryDone = p.requested > 0 && p.entryFilled >= p.requested;
  const exitDone = exitTotal > 0 && p.exited >= exitTotal;
  return (
    <Line>
      {'entry '}
      <Span tone={entryDone ? 'good' : 'info'}>{progressBar(p.entryFilled, p.requested, barWidth)}</Span>
      {` ${p.entryFilled}/${p.requested} ${percent(p.entryFilled, p.requested)}`.padEnd(14)}
      {'  exit '}
      <Span tone={exitDone ? 'good' : 'info'}>{progressBar(p.exited, exitTotal, barWidth)}</Span>
      {` ${p.exited}/${exitTotal} ${percent(p.exited, exitTotal)}`}
    </Line>
  );
}
