// Every key in force, from the key table (the same table the input handler dispatches through).

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { bindingsFor, keysText } from '../keys/keymap.js';
import { MIN_COLUMNS, MIN_ROWS } from '../app/layout.js';
import { Line, Span } from '../draw/text.js';

export function HelpOverlay({ height, several = false }: { height: number; several?: boolean }): ReactNode {
  const lines: ReactNode[] = [
    <Line key="title" tone="strong">
      HELP — keys act at once (? or Esc closes)
    </Line>,
    ...bindingsFor(several).map((b) => (
      <Line key={b.command}>
        <Span tone="strong">{keysText(b, ' / ').padEnd(12)}</Span> {b.help}
      </Line>
    )),
    <Line key="notes" tone="muted">
      {`Needs at least ${MIN_COLUMNS}x${MIN_ROWS} (80x24 or more recommended). NO_COLOR=1 turns colours off.`}
    </Line>,
  ];
  return <Box flexDirection="column">{lines.slice(0, Math.max(1, height))}</Box>;
}
