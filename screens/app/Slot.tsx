// A fixed-height place in the frame for one panel, behind its own error boundary.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { PanelBoundary } from './PanelBoundary.js';

export function Slot(props: { name: string; height: number; onError?: (name: string, error: Error) => void; children: ReactNode }): ReactNode {
  if (props.height <= 0) return null;
  return (
    // Clip rows only: every Line already truncates at the panel's width, and a horizontal clip
    // makes Ink re-measure and re-slice every line of the panel on every frame (about half the
    // CPU of a frame).
    <Box height={props.height} flexShrink={0} flexDirection="column" overflowY="hidden">
      <PanelBoundary name={props.name} onError={props.onError}>
        {props.children}
      </PanelBoundary>
    </Box>
  );
}
