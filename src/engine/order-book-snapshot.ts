import type { EngineContext } from './context.js';
import type { TrackedOrder } from './order-machine.js';

// Which order ids the broker's order book held before a placement. After a timed-out placement
// the lookup adopts only a row that was not there before: that holds however far the machine's
// clock is from the broker's stamps (a laptop after sleep, a VM without time sync), where a
// window around the local clock would miss the order and send it a second time.

/** A snapshot this recent stands for "before" (the legs placed right after their entry). */
export const SNAPSHOT_REUSE_MS = 5_000;

interface Snapshot {
  at: number;
  ids: ReadonlySet<string>;
}

const latest = new WeakMap<EngineContext, Snapshot>();
const beforeOrder = new WeakMap<TrackedOrder, ReadonlySet<string>>();

/**
 * Record the order book's ids for `order` before it is first sent. A read that fails leaves
 * none: the lookup then falls back to the placement-time window.
 */
export async function snapshotBeforePlacing(ctx: EngineContext, order: TrackedOrder): Promise<void> {
  const now = ctx.clock.now();
  const last = latest.get(ctx);
  if (last && now - last.at >= 0 && now - last.at <= SNAPSHOT_REUSE_MS) {
    beforeOrder.set(order, last.ids);
    return;
  }
  try {
    // Ids are all it needs: no trade book. Through noticeOrderBook, like every book read.
    const book = await ctx.broker.orderBook({ fills: false });
    ctx.noticeOrderBook?.(book);
    beforeOrder.set(order, latest.get(ctx)?.ids ?? new Set(book.map((row) => row.orderId)));
  } catch {
    // The window rule still applies; the placement must not wait on a second try.
  }
}

/**
 * Every order-book read the engine makes (polls, lookups) lands here, so a placement shortly
 * after a poll needs no read of its own: while in position the polls keep it fresh.
 */
export function rememberOrderBook(ctx: EngineContext, rows: readonly { orderId: string }[]): void {
  latest.set(ctx, { at: ctx.clock.now(), ids: new Set(rows.map((row) => row.orderId)) });
}

/** The ids the order book held before `order` was sent, when known (not across a restart). */
export function idsBefore(order: TrackedOrder): ReadonlySet<string> | null {
  return beforeOrder.get(order) ?? null;
}
