// One line when the terminal cannot hold the dashboard. Keys keep working and the engine keeps
// trading; the line still says whether anything is held and what a pending flatten asks.

import type { ReactNode } from 'react';
import { useDashboard } from './context.js';
import { MIN_COLUMNS, MIN_ROWS } from './layout.js';
import { flattenQuestion } from '../overlays/FlattenConfirm.js';
import { Line, Span } from '../draw/text.js';

/** The full sentence when it fits, else a short one that still names the size to reach. */
export function tooSmallText(columns: number, rows: number): string {
  const full = `Terminal too small (${columns}x${rows}) — enlarge to at least ${MIN_COLUMNS}x${MIN_ROWS} (80x24 recommended); trading continues`;
  if (full.length <= columns) return full;
  return `Too small ${columns}x${rows}: need ${MIN_COLUMNS}x${MIN_ROWS}; trading continues`;
}

export function TooSmall(props: { columns: number; rows: number; confirming: boolean }): ReactNode {
  const held = useDashboard((s) => s.position?.held ?? 0);
  if (props.confirming) return <Line tone="alarm">{`!! ${flattenQuestion(held)} !!`}</Line>;
  return (
    <Line>
      <Span tone="warn">{tooSmallText(props.columns, props.rows)}</Span>
      {held > 0 ? ` | LONG ${held} (F flattens)` : ' | FLAT'}
    </Line>
  );
}
