// Text primitives: one terminal line that never wraps (so panel heights hold), and a styled
// span inside it.

import type { ReactNode } from 'react';
import { Text } from 'ink';
import { useTone } from '../app/context.js';
import type { Tone } from './tone.js';

/** One line, cut at the panel's width instead of wrapping onto the next row. */
export function Line({ tone = 'plain', children }: { tone?: Tone; children: ReactNode }): ReactNode {
  const props = useTone()(tone);
  return (
    <Text wrap="truncate-end" {...props}>
      {children}
    </Text>
  );
}

/** A styled piece of a Line. */
export function Span({ tone = 'plain', children }: { tone?: Tone; children: ReactNode }): ReactNode {
  const props = useTone()(tone);
  return <Text {...props}>{children}</Text>;
}
