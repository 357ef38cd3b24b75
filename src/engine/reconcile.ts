import { isOurInstrument } from '../broker/instrument-match.js';
import { describeError } from '../broker/errors.js';
import type { EngineContext } from './context.js';
import { isOpen, newOrder } from './order-machine.js';
import { markOrder } from './order-events.js';
import { cancelAndSettle, refreshOrder } from './order-sync.js';
import { orderRequest } from './context.js';
import { coverWrongSide, realiseIfFlat } from './position-close.js';
import { ensureProtection, isProtected } from './protection.js';
import { averageEntry, heldQuantity, openOrders, positionSide, rememberOrderId, type EngineState } from './state.js';
import { closeAction, openAction, sideLabel } from './side.js';
import type { PhaseReporter } from './context.js';
import { readPosition, type PositionSnapshot } from './position-read.js';
import { movePosition } from './position-machine.js';

// Three-axis reconciliation against the broker's position book: direction, quantity, average
// price. A failed position-book call is never read as flat. Running it twice changes nothing
// the second time.

/**
 * 'deferred': the broker's position differs from ours while an order of ours cannot be read yet;
 * nothing was decided, and the caller must look again within seconds (not at the next interval).
 */
export type ReconcileOutcome = 'in_sync' | 'corrected' | 'deferred' | 'unavailable';


/** Price of the fills an outside order got, from the trade book (the trader traded in the broker's terminal). */
export async function externalFillPrice(ctx: EngineContext, qty: number, action: 'BUY' | 'SELL'): Promise<number | null> {
  try {
    const rows = await ctx.broker.tradeBook();
    const since = ctx.state.openedAt ?? 0;
    const outside = rows.filter(
      (r) =>
        isOurInstrument(ctx.settings, r) &&
        r.action === action &&
        !ctx.state.knownOrderIds.includes(r.orderId) &&
        (r.timestamp === null || r.timestamp >= since - 5_000),
    );
    // One outside order may be split over several fills (rows), and booked in parts over several
    // corrections: what each order still has unbooked is priced at that order's average.
    const byOrder = new Map<string, { qty: number; value: number }>();
    for (const r of outside) {
      const o = byOrder.get(r.orderId) ?? { qty: 0, value: 0 };
      o.qty += r.quantity;
      o.value += r.quantity * r.price;
      byOrder.set(r.orderId, o);
    }
    const taken = { ...(ctx.state.outsideTaken ?? {}) };
    let q = 0;
    let v = 0;
    for (const [orderId, o] of [...byOrder].reverse()) {
      if (q >= qty) break;
      const before = taken[orderId] ?? 0;
      const take = Math.min(o.qty - before, qty - q);
      if (take <= 0) continue;
      q += take;
      v += (take * o.value) / o.qty;
      if (before + take >= o.qty) {
        // Booked whole: a later outside trade must not be priced from this order again.
        delete taken[orderId];
        rememberOrderId(ctx.state, orderId);
      } else taken[orderId] = before + take;
    }
    const open = Object.entries(taken).slice(-50);
    if (open.length > 0) ctx.state.outsideTaken = Object.fromEntries(open);
    else delete ctx.state.outsideTaken;
    return q > 0 ? v / q : null;
  } catch (err) {
    ctx.log.warn('RECONCILE', `trade book unavailable: ${describeError(err)}`);
    return null;
  }
}

/**
 * Book a quantity change we did not make (an outside fill) as a synthetic filled order. `qty`
 * is in the position side's terms: > 0 opened more of it, < 0 closed some (or went past flat).
 */
export function bookOutsideChange(state: EngineState, ctx: EngineContext, qty: number, price: number | null, why: string): void {
  const side = positionSide(state);
  const action = qty > 0 ? openAction(side) : closeAction(side);
  const order = newOrder(qty > 0 ? 'entry' : 'exit', orderRequest(ctx, action, Math.abs(qty), 'MARKET'), ctx.clock.now());
  order.phase = 'filled';
  order.filled = Math.abs(qty);
  order.avgPrice = price ?? ctx.ltp ?? averageEntry(state) ?? 0;
  order.reason = why;
  state.orders.push(order);
  ctx.emit({ type: 'notable', at: ctx.clock.now(), kind: 'outside_close', message: `${action} ${Math.abs(qty)} at the broker that the bot did not make (${why}) @ ₹${order.avgPrice.toFixed(2)}` });
  ctx.emit({ type: 'fill', at: ctx.clock.now(), role: order.role, orderId: null, action, quantity: Math.abs(qty), price: order.avgPrice, source: 'reconcile' });
}

/** How reconciliation closes an unexpected position: the market exit (passed in, as it reconciles in turn). */
export type ExitAtMarket = (ctx: EngineContext, reason: 'reconcile', report: PhaseReporter) => Promise<boolean>;

/** `first`: the position book as read just before (outside the engine's lock), when nothing of ours moved since; null: that read failed. */
export async function reconcile(ctx: EngineContext, report: PhaseReporter, exitAtMarket: ExitAtMarket, first?: PositionSnapshot | null): Promise<ReconcileOutcome> {
  let snap = first === undefined ? await readPosition(ctx) : first;
  if (!snap) return 'unavailable';
  let ours = heldQuantity(ctx.state);
  let corrected = false;

  const unread: string[] = [];
  let moving = false;
  let deferred = false;
  if (snap.qty !== ours && openOrders(ctx.state).length > 0) {
    // Our own orders first: a leg (or the entry) may simply have filled since the last poll.
    // Booking the whole difference as an outside trade and then reading that fill would count
    // it twice (and buy back, or sell, twice as much as needed).
    for (const order of openOrders(ctx.state)) {
      const { result } = await refreshOrder(ctx, order, 'reconcile');
      if (result === 'lost') {
        markOrder(ctx, order, 'cancelled', 'not found at the broker', 'reconcile');
      } else if (result !== 'ok' || (order.orderId === null && isOpen(order.phase))) {
        unread.push(`${order.role} ${order.orderId ?? '(outcome unknown)'}`);
      }
    }
    if (heldQuantity(ctx.state) !== ours) corrected = true;
    ours = heldQuantity(ctx.state);
    // The position book read before the orders may be older than what they just showed (a leg
    // filled in between): read it again, and judge a difference only if it stood still.
    const again = await readPosition(ctx);
    if (!again) {
      ctx.commit();
      return 'unavailable';
    }
    moving = again.qty !== snap.qty;
    snap = again;
  }
  const { row, qty: brokerQty } = snap;

  if (brokerQty !== ours && (unread.length > 0 || moving)) {
    // The difference may be a fill of one of ours that the broker does not show yet (an order
    // "not found" for a moment after placement), or fills still arriving: no outside trade is
    // booked on a guess.
    ctx.log.warn(
      'RECONCILE',
      `broker ${brokerQty}, ours ${ours}, but ${unread.length > 0 ? `${unread.join(', ')} cannot be read yet` : 'the position moved while reading'}: deciding again in a moment`,
    );
    deferred = !moving;
    // A position still moving is worth another look at once; an order the broker cannot show
    // yet is not (it needs time, not another read).
    if (moving) corrected = true;
  } else if (brokerQty !== ours) {
    corrected = true;
    const side = positionSide(ctx.state);
    const [opens, closes] = [openAction(side), closeAction(side)];
    if (ours > 0 && brokerQty === 0) {
      ctx.log.warn('RECONCILE', `broker is FLAT but we hold ${ours}: closed outside the bot; realising from the trade book`);
      // Settle our own legs first: one of them may simply have filled since the last poll.
      for (const order of openOrders(ctx.state)) await cancelAndSettle(ctx, order, 'position closed at broker');
      const left = heldQuantity(ctx.state);
      if (left > 0) bookOutsideChange(ctx.state, ctx, -left, await externalFillPrice(ctx, left, closes), 'external');
      await realiseIfFlat(ctx, 'external');
    } else if (ours === 0 && brokerQty > 0) {
      ctx.log.warn('RECONCILE', `unexpected ${sideLabel(side)} ${brokerQty} at the broker while flat here: flattening it`);
      // An outside order's price is in the trade book; the position's average may mix in fills of ours.
      bookOutsideChange(ctx.state, ctx, brokerQty, (await externalFillPrice(ctx, brokerQty, opens)) ?? row?.averagePrice ?? null, 'reconcile');
      ctx.state.openedAt = ctx.clock.now();
      await exitAtMarket(ctx, 'reconcile', report);
      await realiseIfFlat(ctx, 'reconcile');
    } else if (brokerQty < 0) {
      ctx.log.critical('CRITICAL', `broker shows net ${side === 'long' ? 'SHORT' : 'LONG'} ${snap.net}: ${side === 'long' ? 'buying back' : 'selling'}`);
      // The outside trade closed past flat: its price is in the trade book, not in the wrong side's average.
      bookOutsideChange(ctx.state, ctx, brokerQty - ours, (await externalFillPrice(ctx, ours - brokerQty, closes)) ?? row?.averagePrice ?? null, 'reconcile');
      await coverWrongSide(ctx);
      await realiseIfFlat(ctx, 'reconcile');
    } else {
      ctx.log.warn('RECONCILE', `quantity differs: broker ${brokerQty}, ours ${ours}: adopting the broker's and resizing legs`);
      const diff = brokerQty - ours;
      const price = await externalFillPrice(ctx, Math.abs(diff), diff > 0 ? opens : closes);
      bookOutsideChange(ctx.state, ctx, diff, price ?? row?.averagePrice ?? null, 'reconcile');
    }
  }

  const held = heldQuantity(ctx.state);
  if (held > 0 && row && snap.qty === held) {
    const ourAvg = averageEntry(ctx.state);
    if (ourAvg === null || ctx.state.anchor === null) {
      ctx.state.anchor = row.averagePrice;
      ctx.log.info('RECONCILE', `average price missing here: adopting the broker's ₹${row.averagePrice.toFixed(2)}`);
      corrected = true;
    } else if (Math.abs(ourAvg - row.averagePrice) > 0.01) {
      ctx.log.warn('RECONCILE', `average price differs: broker ₹${row.averagePrice.toFixed(2)}, ours ₹${ourAvg.toFixed(2)}`);
    }
  }
  if (held > 0 && openOrders(ctx.state, ['exit']).length > 0) {
    // A market exit is working (flatten, square-off): legs now would close the same quantity
    // twice. The OCO poll follows the exit.
    movePosition(ctx, 'exiting');
  } else if (held > 0) {
    const exits = closeAction(positionSide(ctx.state));
    if (!isProtected(ctx) || openOrders(ctx.state).some((o) => o.request.action === exits && o.request.quantity - o.filled !== held)) {
      corrected = true;
      ctx.log.warn('RECONCILE', `${positionSide(ctx.state)} ${held} without both legs sized to it: re-arming`);
      await ensureProtection(ctx);
    }
    movePosition(ctx, isProtected(ctx) ? 'protected' : 'unprotected');
  } else if (held < 0) {
    // Still on the wrong side by our books (a buy-back that was rejected, or not filled yet):
    // close it until flat. 'exiting' keeps the OCO poll on it and holds new entries.
    const ordersBefore = ctx.state.orders.length;
    await coverWrongSide(ctx);
    // Only news counts as a correction: a cover still working, followed again, is not worth another pass.
    if (heldQuantity(ctx.state) !== held || ctx.state.orders.length !== ordersBefore) corrected = true;
    if (!(await realiseIfFlat(ctx, 'reconcile'))) movePosition(ctx, 'exiting');
  } else if (held === 0 && openOrders(ctx.state).length > 0) {
    corrected = true;
    await realiseIfFlat(ctx, 'reconcile');
  } else if (held === 0 && ctx.state.phase !== 'flat') {
    // Nothing held, nothing working, yet not flat: a crash between "entering" being saved and
    // the entry order being recorded leaves this behind, and every later signal would be
    // skipped as "already entering". Close the books.
    corrected = true;
    ctx.log.warn('RECONCILE', `nothing held and nothing working, but the state said ${ctx.state.phase}: flat`);
    await realiseIfFlat(ctx, 'reconcile');
  }
  ctx.commit();
  if (corrected) ctx.log.info('RECONCILE', `done: ${brokerQty} at broker → ${heldQuantity(ctx.state)} held here`);
  return corrected ? 'corrected' : deferred ? 'deferred' : 'in_sync';
}
