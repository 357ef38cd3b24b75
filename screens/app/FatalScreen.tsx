// What is left when the dashboard itself cannot render: the message, and the keys that must
// always work (F flatten now, q / Ctrl-C quit safely). The engine keeps running regardless.

import type { ReactNode } from 'react';
import { Box, Text, useInput } from 'ink';
import { keyNameOf, resolveKey } from '../keys/keymap.js';

export function FatalScreen(props: { text: string; commands: { flatten(): void; quit(): void }; several?: boolean }): ReactNode {
  const { text, commands, several = false } = props;
  useInput((input, key) => {
    const name = keyNameOf(input, key);
    const command = name === null ? undefined : resolveKey(name, several)?.command;
    try {
      if (command === 'quit') commands.quit();
      else if (command === 'flatten_now') commands.flatten();
    } catch {
      // nothing more can be shown; the engine logs its own failures
    }
  });
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end" bold inverse>
        {text}
      </Text>
      <Text wrap="truncate-end">{`Keys still working: F flattens ${several ? 'every instrument ' : ''}now, q or Ctrl-C quits safely.`}</Text>
    </Box>
  );
}
