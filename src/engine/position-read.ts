import { describeError } from '../broker/errors.js';
import type { PositionRow } from '../broker/types.js';
import type { EngineContext } from './context.js';
import { ourPositionRow } from '../broker/instrument-match.js';
import { positionSide } from './state.js';
import { sideSign } from './side.js';

/** What the account holds of our instrument: `net` as the broker signs it, `qty` in the position's side's terms. */
export interface PositionSnapshot {
  row: PositionRow | undefined;
  /** On the position's side: > 0 holds it, < 0 is beyond flat on the wrong side. */
  qty: number;
  /** The broker's signed net (long positive). */
  net: number;
}

/** What the account holds of our instrument, from the position book; null (logged) when it cannot be read. */
export async function readPosition(ctx: EngineContext, tag = 'RECONCILE', then = 'state kept as is'): Promise<PositionSnapshot | null> {
  let rows: PositionRow[];
  try {
    rows = await ctx.broker.positionBook();
  } catch (err) {
    ctx.log.warn(tag, `position book unavailable (${describeError(err)}): ${then}`);
    return null;
  }
  const row = ourPositionRow(ctx.settings, rows);
  const net = row?.quantity ?? 0;
  return { row, qty: sideSign(positionSide(ctx.state)) * net, net };
}
