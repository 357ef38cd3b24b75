import type { EngineState } from './state.js';

// What commit() compares to skip a save that would change nothing. Serialising the whole state
// costs more as the day goes on: it holds the day's round trips (up to 1,000) and every order id
// seen (up to 500), and commit runs after every locked task — on a fast-forwarded day (a
// backtest) that was two thirds of the run. Both lists only ever grow at the end, are trimmed
// from the front, or are replaced by a new day's empty list, so their length with their last
// element tells every change apart; everything else is serialised as before.
export function stateFingerprint(state: EngineState): string {
  const { trades, knownOrderIds, ...rest } = state;
  return `${JSON.stringify(rest)}|${trades.length}:${JSON.stringify(trades[trades.length - 1] ?? null)}|${knownOrderIds.length}:${knownOrderIds[0] ?? ''}:${knownOrderIds[knownOrderIds.length - 1] ?? ''}`;
}
