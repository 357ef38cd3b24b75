// The report's exit reasons, from the engine's TradeRecord reasons (and 'guard', which the
// session guard closes with). A position the broker closed outside the bot ('external') or
// that reconciliation found closed ('reconcile') is an outside close.

export const EXIT_REASONS = ['target', 'stop', 'trail', 'breakeven', 'time', 'partial', 'market_on_target', 'square_off', 'flatten', 'guard', 'outside_close', 'shutdown'] as const;

/** The exit rules' reasons (TRAIL_*, BREAKEVEN_AFTER_RUPEES, TIME_STOP_MINUTES): listed only when a round trip had one, so a report without them reads as before. */
export const RULE_REASONS: readonly ExitReason[] = ['trail', 'breakeven', 'time', 'partial'];
export type ExitReason = (typeof EXIT_REASONS)[number] | 'other';

export const EXIT_REASON_WORDS: Record<ExitReason, string> = {
  target: 'target',
  stop: 'stop',
  trail: 'trailing stop',
  breakeven: 'break-even',
  time: 'time stop',
  partial: 'partial target',
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
