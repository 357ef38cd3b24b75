// The graceful shutdown as a checklist: done [x], now [>], to do [ ], skipped [-].

import { useRef, type ReactNode } from 'react';
import { Box } from 'ink';
import { useDashboard } from '../app/context.js';
import { fmtAge } from '../draw/format.js';
import { Line, Span } from '../draw/text.js';
import type { ShutdownPhase } from '../../src/store/types.js';

interface Step {
  phase: ShutdownPhase;
  text: string;
  /** Only happens when an earlier step did not get us flat. */
  ifNeeded?: boolean;
}

export const SHUTDOWN_STEPS: readonly Step[] = [
  { phase: 'stopping_entries', text: 'stop new entries' },
  { phase: 'cancelling_legs', text: 'cancel the exit legs' },
  { phase: 'market_sell', text: 'sell the held quantity at market' },
  { phase: 'confirming', text: 'confirm flat with the broker' },
  { phase: 'retry_market', text: 'retry the market sell', ifNeeded: true },
  { phase: 'keep_alive', text: 'keep protection alive until flat', ifNeeded: true },
  { phase: 'flat', text: 'flat — safe to close' },
];

type Mark = 'x' | '>' | ' ' | '-';

export function stepMarks(phase: ShutdownPhase, seen: ReadonlySet<ShutdownPhase>): Mark[] {
  const current = SHUTDOWN_STEPS.findIndex((s) => s.phase === phase);
  return SHUTDOWN_STEPS.map((step, i) => {
    if (phase === 'flat') return step.ifNeeded && !seen.has(step.phase) ? '-' : 'x';
    if (current < 0) return seen.has(step.phase) ? 'x' : ' ';
    if (i === current) return '>';
    if (i < current) return step.ifNeeded && !seen.has(step.phase) ? '-' : 'x';
    return ' ';
  });
}

export function ShutdownProgress({ height, quitCount }: { height: number; quitCount: number }): ReactNode {
  const s = useDashboard((st) => ({ shutdown: st.shutdown, now: st.now }));
  const seen = useRef(new Set<ShutdownPhase>());
  const { phase, detail, since } = s.shutdown;
  seen.current.add(phase);
  const pressed = quitCount > 1 ? ` (quit pressed ${quitCount}×)` : '';
  const age = since !== null && s.now > 0 ? ` for ${fmtAge(s.now - since)}` : '';

  if (phase === 'idle') {
    return <Line tone="warn">{`SHUTDOWN requested${pressed} — waiting for the engine to start it`}</Line>;
  }
  const title =
    phase === 'critical' ? (
      <Line>
        <Span tone="alarm">{`!! SHUTDOWN STUCK: CRITICAL — ${detail || 'see log'} !!`}</Span> check the broker's order book now
      </Line>
    ) : (
      <Line tone={phase === 'flat' ? 'good' : 'warn'}>
        {`SHUTDOWN ${phase === 'flat' ? 'done: flat' : 'in progress'}${age}${pressed} — protection stays on until flat`}
      </Line>
    );
  if (height < 3) {
    const step = SHUTDOWN_STEPS.find((x) => x.phase === phase);
    return (
      <Box flexDirection="column">
        {title}
        {height > 1 ? <Line>{`[>] ${step?.text ?? phase}${detail ? ` — ${detail}` : ''}`}</Line> : null}
      </Box>
    );
  }
  const marks = stepMarks(phase, seen.current);
  // When the list does not fit, keep the current step in view.
  const available = height - 1;
  const current = Math.max(0, marks.indexOf('>'));
  const start = Math.max(0, Math.min(current - Math.floor(available / 2), SHUTDOWN_STEPS.length - available));
  const rows = SHUTDOWN_STEPS.map((step, i) => {
    const mark = marks[i] ?? ' ';
    const text = `[${mark}] ${step.text}${step.ifNeeded ? ' (if needed)' : ''}`;
    return (
      <Line key={step.phase} tone={mark === '>' ? 'strong' : mark === 'x' ? 'good' : 'muted'}>
        {mark === '>' && detail ? `${text} — ${detail}` : text}
      </Line>
    );
  });
  return (
    <Box flexDirection="column">
      {title}
      {rows.slice(start, start + available)}
    </Box>
  );
}
