import type { PositionPhase } from '../store/types.js';
import type { EngineContext } from './context.js';

// The position lifecycle as one table, reviewed in one place instead of flags across a class.
const ALLOWED: Record<PositionPhase, readonly PositionPhase[]> = {
  flat: ['flat', 'entering', 'long_unprotected', 'exiting'],
  entering: ['entering', 'flat', 'long_unprotected', 'exiting'],
  long_unprotected: ['long_unprotected', 'long_protected', 'exiting', 'flat'],
  long_protected: ['long_protected', 'long_unprotected', 'exiting', 'flat'],
  exiting: ['exiting', 'flat', 'long_unprotected', 'long_protected'],
};

export function canMove(from: PositionPhase, to: PositionPhase): boolean {
  return ALLOWED[from].includes(to);
}

export function isLong(phase: PositionPhase): boolean {
  return phase === 'long_protected' || phase === 'long_unprotected' || phase === 'exiting';
}

/**
 * Every position phase change goes through here. A move the table does not allow is logged as
 * an ERROR (the tests fail on it) but still made: the broker's truth was read, and a position
 * stuck in a wrong phase would stop protection or entries.
 */
export function movePosition(ctx: EngineContext, to: PositionPhase): void {
  const from = ctx.state.phase;
  if (!canMove(from, to)) ctx.log.error('STATE', `position ${from} → ${to} is not an allowed transition`);
  ctx.state.phase = to;
}
