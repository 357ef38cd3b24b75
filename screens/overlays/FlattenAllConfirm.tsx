// The question after `X`: every instrument that `y` will flatten, each with what it would sell,
// and how long `y` stays valid. One line per instrument when there is room, else one line
// naming them all.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { DeskInstrument } from '../../src/store/desk.js';
import { FLATTEN_CONFIRM_MS } from '../keys/keymap.js';
import { Line, Span } from '../draw/text.js';

/** Rows the full question takes: the question, one per instrument, the way out. */
export function flattenAllRows(instruments: number): number {
  return instruments + 2;
}

function useHeld(instruments: readonly DeskInstrument[]): number[] {
  // One subscription per instrument, fixed for the run (the desk's list never changes).
  return instruments.map((i) =>
    useStore(i.store, useShallow((s) => s.position?.held ?? 0)),
  );
}

export function flattenAllItem(symbol: string, held: number): string {
  return held > 0 ? `${symbol}: sell ${held} @ market` : `${symbol}: nothing held (cancels a working entry, pauses entries)`;
}

export function FlattenAllConfirm(props: { instruments: readonly DeskInstrument[]; msLeft: number; height: number }): ReactNode {
  const { instruments, msLeft, height } = props;
  const held = useHeld(instruments);
  const left = Math.max(0, Math.ceil(msLeft / 1000));
  const title = (
    <Line key="title">
      <Span tone="alarm">{`!! FLATTEN ALL ${instruments.length} instruments? press y within ${FLATTEN_CONFIRM_MS / 1000} s !!`}</Span> {`(${left} s left)`}
    </Line>
  );
  const items = instruments.map((inst, i) => flattenAllItem(inst.symbol, held[i] ?? 0));
  const cancel = (
    <Line key="cancel" tone="muted">
      n or Esc cancels; any other key cancels too.
    </Line>
  );
  if (height >= flattenAllRows(instruments.length)) {
    return (
      <Box flexDirection="column">
        {title}
        {items.map((text, i) => (
          <Line key={instruments[i]?.key ?? i} tone="warn">{`  ${i + 1}. ${text}`}</Line>
        ))}
        {cancel}
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      {title}
      {height > 1 ? <Line tone="warn">{instruments.map((inst, i) => `${inst.symbol} ${(held[i] ?? 0) > 0 ? `sell ${held[i]}` : 'flat'}`).join(' · ')}</Line> : null}
    </Box>
  );
}
