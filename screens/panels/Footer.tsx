// Two lines: what the last key did (or that a shutdown is running), then the key bindings,
// rendered from the key table (the desk's keys join in with several instruments).

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { bindingsFor, keysText } from '../keys/keymap.js';
import { Line, Span } from '../draw/text.js';
import type { Form } from '../app/layout.js';
import type { Tone } from '../draw/tone.js';

export interface StatusLine {
  id: number;
  text: string;
  tone: Tone;
}

/** The footer's key list, most important first (the table's order); compact shows one key each. */
export function KeyHints({ form, several = false }: { form: Form; several?: boolean }): ReactNode {
  const compact = form !== 'wide';
  const shown = bindingsFor(several).filter((b) => b.footer !== undefined);
  return (
    <Line>
      {shown.map((b, i) => (
        <Span key={b.command}>
          {i > 0 ? '  ' : ''}
          <Span tone="strong">{keysText(b, '/', compact)}</Span> {b.footer}
        </Span>
      ))}
    </Line>
  );
}

export function Footer(props: { status: StatusLine | null; shuttingDown: boolean; form: Form; several?: boolean }): ReactNode {
  const { status, shuttingDown, form, several = false } = props;
  let line: ReactNode;
  if (status) line = <Line tone={status.tone}>{`» ${status.text}`}</Line>;
  else if (shuttingDown)
    line = <Line tone="warn">» SHUTTING DOWN — protection stays on until flat; q/Ctrl-C again logs what is in flight</Line>;
  else if (several) line = <Line tone="muted">» ready — f/F p m r act on the ▶ row; X flattens all; ? lists every key</Line>;
  else line = <Line tone="muted">» ready — F flattens at once, f asks first, ? lists every key</Line>;
  return (
    <Box flexDirection="column">
      {line}
      <KeyHints form={form} several={several} />
    </Box>
  );
}
