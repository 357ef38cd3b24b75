import type { PositionPhase } from '../store/types.js';
import type { EngineContext } from './context.js';

// The position lifecycle as one table, reviewed in one place instead of flags across a class.
const ALLOWED: Record<PositionPhase, readonly PositionPhase[]> = {
  flat: ['flat', 'entering', 'unprotected', 'exiting'],
  entering: ['entering', 'flat', 'unprotected', 'exiting'],
  unprotected: ['unprotected', 'protected', 'exiting', 'flat'],
  protected: ['protected', 'unprotected', 'exiting', 'flat'],
  exiting: ['exiting', 'flat', 'unprotected', 'protected'],
};

export function canMove(from: PositionPhase, to: PositionPhase): boolean {
  return ALLOWED[from].includes(to);
}

export function inPosition(phase: PositionPhase): boolean {
  return phase === 'protected' || phase === 'unprotected' || phase === 'exiting';
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
