// The report's exit reasons, from the engine's TradeRecord reasons (and 'guard', which the
// session guard closes with). A position the broker closed outside the bot ('external') or
// that reconciliation found closed ('reconcile') is an outside close.

export const EXIT_REASONS = ['target', 'stop', 'market_on_target', 'square_off', 'flatten', 'guard', 'outside_close', 'shutdown'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number] | 'other';

export const EXIT_REASON_WORDS: Record<ExitReason, string> = {
  target: 'target',
  stop: 'stop',
  market_on_target: 'market-on-target',
  square_off: 'square-off',
  flatten: 'flatten',
  guard: 'guard',
  outside_close: 'outside close',
  shutdown: 'shutdown',
  other: 'other',
};

export function exitReasonOf(engineReason: string): ExitReason {
  if (engineReason === 'reconcile' || engineReason === 'external') return 'outside_close';
  return (EXIT_REASONS as readonly string[]).includes(engineReason) ? (engineReason as ExitReason) : 'other';
}
