// An error boundary per panel: a render error shows one line in the panel's place and never
// reaches the engine, which keeps trading and protecting. The panel retries on its own a little
// later, so a passing bad state does not blank it for the rest of the day.

import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Box, Text } from 'ink';

const RETRY_MS = 2000;

export interface PanelBoundaryProps {
  /** Which panel, for the message. */
  name: string;
  /** Called with each caught error (e.g. to log it); must not throw. */
  onError?: (name: string, error: Error) => void;
  /** What to show instead of the one-line message. */
  fallback?: (text: string) => ReactNode;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** The reassurance comes before the message, so a narrow panel still shows it. */
export function displayErrorText(name: string, error: Error): string {
  return `display error (${name}) — trading and protection continue: ${error.message}`;
}

export class PanelBoundary extends Component<PanelBoundaryProps, State> {
  override state: State = { error: null };
  private retry: ReturnType<typeof setTimeout> | null = null;

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, _info: ErrorInfo): void {
    try {
      this.props.onError?.(this.props.name, error);
    } catch {
      // reporting must never take the screen down
    }
    if (this.retry) clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.setState({ error: null });
    }, RETRY_MS);
    this.retry.unref?.();
  }

  override componentWillUnmount(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  override render(): ReactNode {
    if (this.state.error) {
      const text = displayErrorText(this.props.name, this.state.error);
      if (this.props.fallback) return this.props.fallback(text);
      return (
        <Box>
          <Text wrap="truncate-end" bold inverse>
            {text}
          </Text>
        </Box>
      );
    }
    return this.props.children;
  }
}
