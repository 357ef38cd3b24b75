import type { PositionPhase } from '../store/types.js';

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
