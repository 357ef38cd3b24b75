import type { OrderRequest } from '../broker/types.js';
import type { OrderRole } from './order-machine.js';

// One gate on the order path (NautilusTrader's RiskEngine is the model): every order the engine
// sends is asked here first, on every attempt, whatever its role. One ordered list of hold
// reasons serves the bar close, the dashboard's "entries held" line and the gate, so the three
// can never disagree. An entry opens a position: any hold reason refuses it. Every other role
// closes what is held, and no hold stops those (a halted guard, a shutdown, a broker in trouble
// all want the position closed), but a closing order that would go past flat is refused.

/** What the hold list reads: the engine's facts now. Each is asked only when the ones before it pass. */
export interface HoldFacts {
  shuttingDown(): boolean;
  recovered(): boolean;
  sessionExpired(): boolean;
  reachable(): boolean;
  /** The last reconciliation could not read the position book. */
  positionUnknown(): boolean;
  /** The last reconciliation found the broker's position different and is looking again. */
  positionDiffers(): boolean;
  /** A holiday, outside the trading window: the market day's reason, or null. */
  marketClosed(): string | null;
  /** This instrument's session guard. */
  sessionGuard(): string | null;
  /** The account's guard over several instruments (its trade limit counting entries in flight). */
  accountGuard(): string | null;
  paused(): boolean;
  squaredOff(): boolean;
  /** Why this instrument is not flat (a position, an entry in flight, orders working), or null. */
  notFlat(): string | null;
}

/** The hold reasons in order; the first that applies is the one shown. */
const HOLD_LIST: readonly ((f: HoldFacts) => string | null)[] = [
  (f) => (f.shuttingDown() ? 'shutting down' : null),
  (f) => (f.recovered() ? null : 'recovering state'),
  (f) => (f.sessionExpired() ? 'broker session expired: log in to the broker in OpenAlgo' : null),
  (f) => (f.reachable() ? null : 'broker unreachable'),
  // Our books can say flat while the account is not (an outside trade): never buy blind.
  (f) => (f.positionUnknown() ? 'position book unavailable: waiting for a reconciliation' : null),
  (f) => (f.positionDiffers() ? 'position differs from the broker: reconciling again in a moment' : null),
  (f) => f.marketClosed(),
  (f) => f.sessionGuard(),
  (f) => f.accountGuard(),
  (f) => (f.paused() ? 'paused by trader (p to resume)' : null),
  (f) => (f.squaredOff() ? 'after square-off' : null),
  (f) => f.notFlat(),
];

/** Why a new entry is held now, or null. */
export function entryHoldReason(facts: HoldFacts): string | null {
  for (const reason of HOLD_LIST) {
    const r = reason(facts);
    if (r) return r;
  }
  return null;
}

/**
 * The gate: why this order must not be sent now, or null. `held` is the signed net our books
 * hold (long positive, short negative: the side does not matter here); `entryHold` is the hold list as it stands for the entry being sent.
 */
export function gateRefusal(role: OrderRole, req: OrderRequest, held: number, entryHold: () => string | null): string | null {
  if (role === 'entry') return entryHold();
  // A closing order: the opposite side of what is held, and never more than that.
  const closes = req.action === 'SELL' ? held : -held;
  if (closes <= 0) return `a ${role} ${req.action} of ${req.quantity} would open a position: nothing ${req.action === 'SELL' ? 'long' : 'short'} is held`;
  if (req.quantity > closes) return `a ${role} ${req.action} of ${req.quantity} is more than the ${closes} held`;
  return null;
}
