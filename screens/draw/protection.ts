// Is a held position missing its exit protection? Pure, so the legs panel and tests agree.

import type { DashboardState, LegView } from '../../src/store/types.js';

export interface LegProblem {
  role: LegView['role'];
  /** What is wrong, in words: "no stop order", "stop REJECTED". */
  what: string;
}

export interface Protection {
  unprotected: boolean;
  problems: LegProblem[];
}

const ROLE_WORD: Record<LegView['role'], string> = { target: 'target', stop: 'stop' };

export function legProblem(role: LegView['role'], leg: LegView | null): LegProblem | null {
  if (!leg) return { role, what: `no ${ROLE_WORD[role]} order` };
  if (leg.phase === 'rejected') return { role, what: `${ROLE_WORD[role]} REJECTED` };
  if (leg.phase === 'cancelled') return { role, what: `${ROLE_WORD[role]} CANCELLED` };
  // Triggered, and a gap left its limit behind: it rests above the market and protects nothing.
  if (leg.chase) return { role, what: `${ROLE_WORD[role]} triggered, unfilled` };
  return null;
}

export function protectionOf(position: DashboardState['position'], legs: DashboardState['legs']): Protection {
  const inPosition = position.phase === 'protected' || position.phase === 'unprotected';
  if (!inPosition) return { unprotected: false, problems: [] };
  const problems = [legProblem('target', legs.target), legProblem('stop', legs.stop)].filter(
    (p): p is LegProblem => p !== null,
  );
  return { unprotected: problems.length > 0 || position.phase === 'unprotected', problems };
}
