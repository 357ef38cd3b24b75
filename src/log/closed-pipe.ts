// `random-scalp config show | head -3`: once the reader is gone, writes fail with EPIPE, and an
// unhandled stream error is a stack trace. A closed pipe is not a failure: stop writing to it,
// quietly. (Node ignores SIGPIPE, so the error is all there is.)

/** The error a write to a reader that went away ends with. */
export function isClosedPipe(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // EIO: a terminal (pty) whose other end is gone.
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'EIO';
}

/**
 * Watch `stream` for a closed pipe: `onClosed` runs once, and the error is swallowed. Any other
 * error is reported on stderr in one line (never a stack).
 */
export function watchForClosedPipe(stream: NodeJS.WritableStream, onClosed: () => void = () => {}): () => boolean {
  let closed = false;
  stream.on('error', (err: unknown) => {
    if (isClosedPipe(err)) {
      if (!closed) {
        closed = true;
        onClosed();
      }
      return;
    }
    closed = true;
    try {
      process.stderr.write(`random-scalp: output failed: ${err instanceof Error ? err.message : String(err)}\n`);
    } catch {
      // stderr is gone too: nothing left to tell.
    }
  });
  return () => closed;
}
