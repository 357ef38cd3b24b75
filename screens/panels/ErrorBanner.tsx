// A problem the trader must act on (configuration, connection), with what to do. Inverse, so
// it reads without colour. Fixed height; long text is cut.

import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { useDashboard, useTone } from '../app/context.js';

export function ErrorBanner({ height }: { height: number }): ReactNode {
  const banner = useDashboard((s) => s.banner);
  const tone = useTone();
  if (!banner) return null;
  return (
    <Box height={height} overflow="hidden">
      <Text wrap="wrap" {...tone('alarm')}>{`!! ${banner}`}</Text>
    </Box>
  );
}
