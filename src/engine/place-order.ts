import { describeError, isBrokerError } from '../broker/errors.js';
import type { OrderReport, OrderRequest } from '../broker/types.js';
import { pause, type EngineContext } from './context.js';
import { newOrder, type OrderRole, type TrackedOrder } from './order-machine.js';
import { markOrder } from './order-events.js';
import { idsBefore, snapshotBeforePlacing } from './order-book-snapshot.js';
import { gateRefusal } from './risk-gate.js';
import { isOurInstrument } from '../broker/instrument-match.js';
import { netQuantity, rememberOrderId } from './state.js';

// Idempotent placement. A request is re-sent only when it surely did not take effect. After a
// timeout (or a 5xx, which can also hide a placed order) the order book is searched for it
// before anything is sent again; one signal never makes two entries, one exit never two exits.

export type PlaceOutcome =
  | { kind: 'placed'; order: TrackedOrder }
  | { kind: 'rejected'; order: TrackedOrder; message: string }
  /** Could not be placed (network down, auth): nothing is working at the broker. */
  | { kind: 'failed'; order: TrackedOrder; message: string }
  /** The request may be at the broker but the order book could not tell. */
  | { kind: 'unknown'; order: TrackedOrder; message: string };

/** Spaced order-book lookups after an unknown outcome, ms after the failure. */
const LOOKUP_DELAYS_MS = [300, 700, 1500];

export function sameOrder(req: OrderRequest, row: OrderReport): boolean {
  if (!isOurInstrument(req, row)) return false;
  if (row.action !== req.action || row.quantity !== req.quantity) return false;
  // Brokers may convert MARKET into a protected LIMIT and SL-M into SL.
  const types: Record<string, string[]> = {
    MARKET: ['MARKET', 'LIMIT'],
    'SL-M': ['SL-M', 'SL'],
    SL: ['SL'],
    LIMIT: ['LIMIT'],
  };
  return (types[req.priceType] ?? [req.priceType]).includes(String(row.priceType).toUpperCase());
}

/** How far before the attempt a broker stamp may be and still count (clocks a little apart). */
const STAMP_SLACK_MS = 5_000;

/**
 * Find the order a timed-out request created: same shape, not already ours, and new — not in
 * the order book before the attempt (`before`) when that snapshot exists, else stamped since
 * the attempt began (the clock is the server-corrected one, but a restart has no snapshot).
 */
export async function findPlacedOrder(
  ctx: EngineContext,
  req: OrderRequest,
  since: number,
  before: ReadonlySet<string> | null = null,
): Promise<{ found: OrderReport | null; lookedUp: boolean }> {
  // Absence counts only when the last (latest) lookup answered: an order can be "not found" for
  // a while after placement, so an early empty answer followed by a failed one proves nothing.
  let lookedUp = false;
  for (const delay of LOOKUP_DELAYS_MS) {
    await pause(ctx, delay, false);
    let book: OrderReport[];
    try {
      book = await ctx.broker.orderBook();
    } catch (err) {
      ctx.log.warn('IDEMPOTENT', `order book lookup failed: ${describeError(err)}`);
      lookedUp = false;
      continue;
    }
    lookedUp = true;
    const isNew = (row: OrderReport): boolean =>
      before !== null ? !before.has(row.orderId) : row.timestamp === null || row.timestamp >= since - STAMP_SLACK_MS;
    const match = book.find((row) => sameOrder(req, row) && !ctx.state.knownOrderIds.includes(row.orderId) && isNew(row));
    if (match) return { found: match, lookedUp };
  }
  return { found: null, lookedUp };
}

/**
 * Place an order, recording the intent first (so a crash mid-call is settled on restart),
 * with retries only where the request surely had no effect.
 */
export async function placeIdempotent(
  ctx: EngineContext,
  role: OrderRole,
  req: OrderRequest,
  reason?: string,
): Promise<PlaceOutcome> {
  const order = newOrder(role, req, ctx.clock.now());
  if (reason) order.reason = reason;
  ctx.state.orders.push(order);
  ctx.commit();
  await snapshotBeforePlacing(ctx, order);
  const maxAttempts = 1 + ctx.settings.maxOrderRetries;
  let lastMessage = '';
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    // Every attempt is a decision to send, asked of the gate with nothing awaited in between:
    // the account may have halted, or the trader paused, while the order book was read first
    // or an earlier attempt was settled.
    const refusal = gateRefusal(role, req, netQuantity(ctx.state), ctx.entryHold);
    if (refusal) {
      lastMessage = `${attempt > 0 ? 'not re-sent' : 'not sent'}: ${refusal}`;
      if (role === 'entry') ctx.log.info('GATE', `${req.action} ${req.quantity} ${req.priceType} ${lastMessage}`);
      else ctx.log.critical('GATE', `${role} ${req.action} ${req.quantity} ${req.priceType} ${lastMessage}`);
      break;
    }
    order.sent = true;
    const attemptStart = ctx.clock.now();
    try {
      const { orderId } = await ctx.broker.placeOrder(req);
      order.orderId = orderId;
      order.phase = 'working';
      // The attempt that made it (earlier ones may have timed out): its "not found" grace and
      // lookup window start here.
      order.placedAt = attemptStart;
      rememberOrderId(ctx.state, orderId);
      ctx.emit({ type: 'order_placed', at: ctx.clock.now(), role, orderId, request: req, adopted: false });
      ctx.commit();
      return { kind: 'placed', order };
    } catch (err) {
      lastMessage = describeError(err);
      if (isBrokerError(err, 'rejected')) {
        markOrder(ctx, order, 'rejected', lastMessage, 'placement');
        ctx.commit();
        return { kind: 'rejected', order, message: lastMessage };
      }
      if (isBrokerError(err, 'auth') || isBrokerError(err, 'not_found')) break;
      if (isBrokerError(err, 'timeout') || isBrokerError(err, 'server') || !isBrokerError(err)) {
        order.phase = 'unknown_outcome';
        ctx.commit();
        ctx.log.warn('IDEMPOTENT', `${req.action} ${req.quantity} ${req.priceType}: ${lastMessage}; checking the order book before any retry`);
        const { found, lookedUp } = await findPlacedOrder(ctx, req, attemptStart, idsBefore(order));
        if (found) {
          order.orderId = found.orderId;
          order.phase = 'working';
          order.placedAt = attemptStart;
          rememberOrderId(ctx.state, found.orderId);
          ctx.emit({ type: 'order_placed', at: ctx.clock.now(), role, orderId: found.orderId, request: req, adopted: true });
          ctx.commit();
          ctx.log.info('IDEMPOTENT', `order ${found.orderId} did reach the broker: adopted, not re-sent`);
          return { kind: 'placed', order };
        }
        if (!lookedUp) return { kind: 'unknown', order, message: lastMessage };
        ctx.log.info('IDEMPOTENT', `no such order in the order book after ${LOOKUP_DELAYS_MS.length} lookups: safe to re-send`);
        order.phase = 'pending_submit';
      }
      if (attempt + 1 < maxAttempts) await pause(ctx, 300 * (attempt + 1), false);
    }
  }
  markOrder(ctx, order, 'rejected', `not placed: ${lastMessage}`, 'placement');
  ctx.commit();
  return { kind: 'failed', order, message: lastMessage };
}
