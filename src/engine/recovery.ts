import type { EngineContext } from './context.js';
import type { PhaseReporter } from './context.js';
import { exitAtMarket } from './market-exit.js';
import { isOpen } from './order-machine.js';
import { cancelAndSettle, refreshOrder } from './order-sync.js';
import { coverWrongSide, realiseIfFlat } from './position-close.js';
import { reconcile } from './reconcile.js';
import { averageEntry, entryOrder, heldQuantity, openOrders, positionSide } from './state.js';
import { sideLabel } from './side.js';
import { movePosition } from './position-machine.js';

// Start-up after a crash: settle every order the saved state knows with the broker (filled
// while we were down → realise it; both legs filled → correct the position), then reconcile.
// Entries stay held until this is done.

export async function recover(ctx: EngineContext, report: PhaseReporter): Promise<void> {
  const s = ctx.state;
  if (s.orders.length > 0) {
    ctx.log.info('RECOVERY', `saved state: ${s.phase}, ${s.orders.length} orders; settling them with the broker`);
    for (const order of s.orders.filter((o) => isOpen(o.phase))) {
      await refreshOrder(ctx, order, 'recovery');
    }
    const entry = entryOrder(s);
    if (entry && isOpen(entry.phase)) await cancelAndSettle(ctx, entry, 'recovery: entry not confirmed before restart');
    const held = heldQuantity(s);
    if (held > 0 && s.anchor === null) s.anchor = averageEntry(s);
    if (held < 0) await coverWrongSide(ctx);
    // Flat: realise what was sold (if anything) and reset — but only once nothing of ours is
    // still working: an entry whose cancel is not confirmed may yet fill (it is followed by the
    // OCO poll in the meantime).
    if (heldQuantity(s) === 0) await realiseIfFlat(ctx, 'target');
    if (heldQuantity(s) > 0 && (s.phase === 'entering' || s.phase === 'flat')) movePosition(ctx, 'unprotected');
    else if (heldQuantity(s) === 0 && openOrders(s).length > 0) movePosition(ctx, 'exiting');
    ctx.commit();
  }
  await reconcile(ctx, report, exitAtMarket);
  const recovered = `recovered: ${heldQuantity(s) > 0 ? `${sideLabel(positionSide(s))} ${heldQuantity(s)}` : 'FLAT'}`;
  ctx.log.info('RECOVERY', recovered);
  if (s.orders.length > 0) ctx.emit({ type: 'notable', at: ctx.clock.now(), kind: 'recovery', message: recovered });
}
