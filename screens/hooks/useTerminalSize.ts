// The terminal's size, following stdout's 'resize' events (the real run passes it to App).

import { useEffect, useState } from 'react';
import type { TerminalSize } from '../app/layout.js';

export function readTerminalSize(stdout: NodeJS.WriteStream, fallback: TerminalSize = { columns: 80, rows: 24 }): TerminalSize {
  return { columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows };
}

export function useTerminalSize(stdout: NodeJS.WriteStream): TerminalSize {
  const [size, setSize] = useState(() => readTerminalSize(stdout));
  useEffect(() => {
    const onResize = (): void => {
      const next = readTerminalSize(stdout);
      setSize((prev) => (prev.columns === next.columns && prev.rows === next.rows ? prev : next));
    };
    onResize();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
