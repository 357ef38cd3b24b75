import type { AppStore } from '../store/store.js';
import type { LegView } from '../store/types.js';
import type { TickGrid } from '../broker/ticks.js';
import { isOpen, type TrackedOrder } from './order-machine.js';
import type { EngineState } from './state.js';
import { activeLeg, averageEntry, closed, entryOrder, heldQuantity, positionSide } from './state.js';
import { sideLabel } from './side.js';

// Projects the engine's state into the store: the screens' only view of trading state.

function legView(leg: TrackedOrder | null, role: 'target' | 'stop', chaseTries: number, state: EngineState): LegView | null {
  if (!leg) return null;
  const type = leg.request.priceType;
  const chase = leg.chase && isOpen(leg.phase) ? { chase: { tries: leg.chase.tries, max: chaseTries } } : {};
  const t = state.trail;
  const moved = role === 'stop' && t && leg.request.triggerPrice === t.trigger ? { moved: { origin: t.origin, from: t.from, best: t.best, side: positionSide(state), ...(t.origin === 'trail' && t.next !== undefined ? { next: t.next } : {}) } } : {};
  return {
    ...chase,
    ...moved,
    role,
    orderId: leg.orderId,
    type,
    price: leg.request.price ?? null,
    trigger: leg.request.triggerPrice ?? null,
    quantity: leg.request.quantity,
    filled: leg.filled,
    phase: leg.phase,
  };
}

/** `chaseTries`: STOP_CHASE_TRIES, so the legs panel can say "chasing 2/3". */
export function publishState(store: AppStore, state: EngineState, chaseTries: number): void {
  const entry = entryOrder(state);
  store.getState().engineStateChanged({
    position: {
      phase: state.phase,
      side: positionSide(state),
      requested: state.requested,
      entryFilled: entry?.filled ?? 0,
      held: Math.max(0, heldQuantity(state)),
      exited: closed(state).qty,
      avgEntry: averageEntry(state),
      openedAt: state.openedAt,
    },
    legs: { target: legView(activeLeg(state, 'target'), 'target', chaseTries, state), stop: legView(activeLeg(state, 'stop'), 'stop', chaseTries, state) },
    pnl: { ...state.pnl },
    tradesToday: state.trades.slice(-200),
    paused: state.paused,
    marketOnTarget: state.marketOnTarget,
  });
}

/** `STATE=LONG qty=75 entry=100.50 tp=102.50 sl=99.50` — one greppable line. */
export function stateSummary(state: EngineState, grid: TickGrid): string {
  const held = heldQuantity(state);
  if (held <= 0 && state.phase === 'flat') return `STATE=FLAT day_pnl=${state.pnl.realised.toFixed(2)} trades=${state.pnl.trades}`;
  const fmt = (v: number | null | undefined): string => (v == null ? '-' : grid.format(v));
  const tp = activeLeg(state, 'target');
  const sl = activeLeg(state, 'stop');
  const side = sideLabel(positionSide(state));
  const label = state.phase === 'unprotected' ? `${side}_UNPROTECTED` : state.phase === 'exiting' ? 'EXITING' : state.phase === 'entering' ? 'ENTERING' : side;
  return `STATE=${label} qty=${held} entry=${fmt(averageEntry(state))} tp=${fmt(tp?.request.price)} sl=${fmt(sl?.request.triggerPrice)}${sl?.request.priceType === 'SL' ? '(SL)' : ''}`;
}
