import { describeError } from '../broker/errors.js';
import type { PositionRow } from '../broker/types.js';
import type { EngineContext } from './context.js';
import { ourPositionRow } from '../broker/instrument-match.js';

/** What the account holds of our instrument, from the position book; null (logged) when it cannot be read. */
export async function readPosition(ctx: EngineContext, tag = 'RECONCILE', then = 'state kept as is'): Promise<{ row: PositionRow | undefined; qty: number } | null> {
  let rows: PositionRow[];
  try {
    rows = await ctx.broker.positionBook();
  } catch (err) {
    ctx.log.warn(tag, `position book unavailable (${describeError(err)}): ${then}`);
    return null;
  }
  const row = ourPositionRow(ctx.settings, rows);
  return { row, qty: row?.quantity ?? 0 };
}
