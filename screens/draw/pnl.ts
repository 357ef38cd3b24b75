// Unrealised P&L of the held quantity at the last price: the Position panel and the instruments
// table show the same figure from the same arithmetic.

import type { DashboardState } from '../../src/store/types.js';

/** Points the held position is up (+) or down (−) at `ltp` (a short gains as the price falls), or null when flat or unpriced. */
export function unrealisedPoints(position: Pick<DashboardState['position'], 'held' | 'avgEntry' | 'side'>, ltp: number | null): number | null {
  if (position.held <= 0 || ltp === null || position.avgEntry === null) return null;
  return position.side === 'short' ? position.avgEntry - ltp : ltp - position.avgEntry;
}

/** Unrealised rupees (points × held), 0 when flat or unpriced. */
export function unrealisedRupees(position: Pick<DashboardState['position'], 'held' | 'avgEntry' | 'side'>, ltp: number | null): number {
  const points = unrealisedPoints(position, ltp);
  return points === null ? 0 : points * position.held;
}
