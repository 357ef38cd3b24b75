// The newest log lines that fit: IST time, level word, tag, text. Coloured by level; CRITICAL
// in inverse bold so it reads without colour. Takes the remaining height.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { useDashboard } from '../app/context.js';
import { istClock } from '../draw/format.js';
import { Line, Span } from '../draw/text.js';
import type { Tone } from '../draw/tone.js';
import type { LogLevel } from '../../src/store/types.js';

const LEVEL_TONES: Record<LogLevel, Tone> = {
  DEBUG: 'muted',
  INFO: 'plain',
  WARN: 'warn',
  ERROR: 'bad',
  CRITICAL: 'alarm',
};

export function LogTail({ height }: { height: number }): ReactNode {
  const lines = useDashboard((s) => (height > 0 ? s.log.slice(-height) : []));
  if (height <= 0) return null;
  return (
    <Box flexDirection="column">
      {lines.length === 0 ? <Line tone="muted">(log is empty)</Line> : null}
      {lines.map((l) => (
        <Line key={l.seq}>
          <Span tone="muted">{istClock(l.at)}</Span> <Span tone={LEVEL_TONES[l.level] ?? 'plain'}>{l.level.padEnd(8)}</Span>{' '}
          <Span tone="strong">{l.tag}</Span> <Span tone={l.level === 'ERROR' ? 'bad' : 'plain'}>{l.text}</Span>
        </Line>
      ))}
    </Box>
  );
}
