// Text primitives: one terminal line that never wraps (so panel heights hold), and a styled
// span inside it.

import { createElement, type ReactNode } from 'react';
import { Text, Transform } from 'ink';
import { useFrameColumns, useTone } from '../app/context.js';
import { asChildren, standIn } from './stand-in.js';
import type { Tone } from './tone.js';

/**
 * One line, cut at the panel's width instead of wrapping onto the next row. A line that fits
 * the frame is measured by Ink as ASCII and written with its real characters (stand-in.ts).
 */
export function Line({ tone = 'plain', children }: { tone?: Tone; children: ReactNode }): ReactNode {
  const props = useTone()(tone);
  const columns = useFrameColumns();
  const cheap = columns === null ? null : standIn(children, Span);
  if (cheap && cheap.width <= (columns ?? 0)) {
    return <Transform transform={cheap.restore}>{createElement(Text, props, ...asChildren(cheap.children))}</Transform>;
  }
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
