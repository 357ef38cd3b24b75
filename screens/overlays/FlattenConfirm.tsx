// The flatten question after `f`: how much will be sold, and how long `y` stays valid. With
// several instruments it names the focused one, the only one `y` flattens.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { useDashboard } from '../app/context.js';
import { FLATTEN_CONFIRM_MS } from '../keys/keymap.js';
import { Line, Span } from '../draw/text.js';

export function flattenQuestion(held: number, symbol: string | null = null): string {
  const seconds = FLATTEN_CONFIRM_MS / 1000;
  const what = symbol === null ? 'Flatten' : `Flatten ${symbol}`;
  return held > 0
    ? `${what} ${held} @ market? press y within ${seconds} s`
    : `${what}? nothing held (cancels a working entry, pauses entries) — press y within ${seconds} s`;
}

export function FlattenConfirm({ msLeft, named = false }: { msLeft: number; named?: boolean }): ReactNode {
  const held = useDashboard((s) => s.position.held);
  const symbol = useDashboard((s) => (named ? s.symbol : null));
  const left = Math.max(0, Math.ceil(msLeft / 1000));
  return (
    <Box flexDirection="column">
      <Line>
        <Span tone="alarm">{`!! ${flattenQuestion(held, symbol)} !!`}</Span> {`(${left} s left)`}
      </Line>
      <Line tone="muted">n or Esc cancels; any other key cancels too. F flattens without asking.</Line>
    </Box>
  );
}
