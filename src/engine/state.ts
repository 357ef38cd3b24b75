import { z } from 'zod';
import type { PositionPhase, TradeRecord } from '../store/types.js';
import { guardStateSchema, initialGuardState, type GuardState } from './guard.js';
import { isOpen, type OrderRole, type TrackedOrder } from './order-machine.js';
import { closeAction, nextSide, openAction, type Direction, type Side } from './side.js';
import type { StopOrigin } from './trail-plan.js';

// The engine's persisted state. Quantities are derived from orders, never kept as separate
// counters that can drift: held = opened − closed over this position's orders, in the side's
// own terms (a long opens by buying, a short by selling).

export interface DayPnl {
  day: string;
  realised: number;
  trades: number;
  wins: number;
  losses: number;
}

export interface EngineState {
  version: 1;
  phase: PositionPhase;
  /**
   * The side of the position (or of the last one, while flat): set at each entry from DIRECTION.
   * Absent until this engine's first entry (and in files written before sides existed): long.
   */
  side?: Side;
  /** Quantity the entry asked for. */
  requested: number;
  /** Every order of the current position, oldest first (entry, legs, resized legs, market exits). */
  orders: TrackedOrder[];
  /** Price the legs are anchored on (fill or signal, see IGNORE_ENTRY_DELTA). */
  anchor: number | null;
  openedAt: number | null;
  /** The broker refused SL-M in this position: its later stops go straight to SL. */
  slmRefused: boolean;
  paused: boolean;
  marketOnTarget: boolean;
  /** Bar closes counted in session, for TRADE_EVERY_N_BARS. */
  barCount: number;
  squaredOffDay: string | null;
  /** Consecutive failed attempts to protect the position. */
  protectFailures: number;
  pnl: DayPnl;
  trades: TradeRecord[];
  /** Every order id this engine has seen (bounded), so an order book lookup never adopts one twice. */
  knownOrderIds: string[];
  /**
   * Outside orders (the trader's terminal) booked only in part so far, by order id: how much of
   * each is already in our books. The rest may belong to the next correction (an outside close of
   * 150 of which a leg's fill took 75 away, then a short found): it is priced from the same order.
   */
  outsideTaken?: Record<string, number>;
  /**
   * The stop as the exit rules moved it (TRAIL_*, BREAKEVEN_AFTER_RUPEES) in this position: its
   * trigger now (a re-placed or resized stop goes there, never back to the first one), the rule
   * that put it there, the trigger it started from, and the best price seen at that move (a
   * restart resumes the trail from it). Absent until the stop first moves.
   */
  trail?: { trigger: number; origin: StopOrigin; from: number; best: number; moves: number; next?: number };
  /** PARTIAL_TARGET_LOTS were booked in this position (saved before the sale: a restart never books them twice). */
  partialTaken?: boolean;
  /** The last bar close acted on, so a restart never signals the same bar twice. */
  lastSignalBar: number | null;
  /** The session guard's trading state for the day (see guard.ts); absent in older files. */
  guard: GuardState;
}

export function initialEngineState(day: string, marketOnTarget: boolean): EngineState {
  return {
    version: 1,
    phase: 'flat',
    requested: 0,
    orders: [],
    anchor: null,
    openedAt: null,
    slmRefused: false,
    paused: false,
    marketOnTarget,
    barCount: 0,
    squaredOffDay: null,
    protectFailures: 0,
    pnl: { day, realised: 0, trades: 0, wins: 0, losses: 0 },
    trades: [],
    knownOrderIds: [],
    lastSignalBar: null,
    guard: initialGuardState(day),
  };
}

const orderSchema = z.object({
  role: z.enum(['entry', 'target', 'stop', 'exit', 'cover']),
  orderId: z.string().nullable(),
  phase: z.enum(['pending_submit', 'working', 'partially_filled', 'filled', 'cancelled', 'rejected', 'unknown_outcome']),
  request: z.object({
    symbol: z.string(),
    exchange: z.string(),
    action: z.enum(['BUY', 'SELL']),
    quantity: z.number().int().positive(),
    priceType: z.enum(['MARKET', 'LIMIT', 'SL', 'SL-M']),
    product: z.string(),
    price: z.number().optional(),
    triggerPrice: z.number().optional(),
  }),
  filled: z.number().int().nonnegative(),
  avgPrice: z.number().nullable(),
  placedAt: z.number(),
  misses: z.number().int().nonnegative(),
  reason: z.string().optional(),
  retired: z.boolean().optional(),
  sent: z.boolean().optional(),
  armed: z.boolean().optional(),
  chase: z.object({ since: z.number(), tries: z.number().int().nonnegative(), at: z.number() }).optional(),
});

const tradeSchema = z.object({
  openedAt: z.number(),
  closedAt: z.number(),
  entry: z.number(),
  exit: z.number(),
  quantity: z.number(),
  side: z.enum(['long', 'short']).optional(),
  reason: z.enum(['target', 'stop', 'trail', 'breakeven', 'time', 'partial', 'market_on_target', 'flatten', 'square_off', 'shutdown', 'reconcile', 'external', 'loss_limit']),
  gross: z.number(),
  costs: z.number(),
  net: z.number(),
  // Optional: trades saved before charges were counted still load (costs was brokerage + slippage then).
  charges: z
    .object({ brokerage: z.number(), stt: z.number(), exchange: z.number(), sebi: z.number(), stamp: z.number(), ipft: z.number(), gst: z.number(), total: z.number() })
    .optional(),
  orders: z
    .array(z.object({ orderId: z.string().nullable(), side: z.enum(['BUY', 'SELL']), quantity: z.number(), price: z.number() }))
    .optional(),
  entryOrderId: z.string().optional(),
});

/** Phases as older files named them (long-only then), read as today's side-neutral names. */
const LEGACY_PHASES: Record<string, PositionPhase> = { long_protected: 'protected', long_unprotected: 'unprotected' };

const stateSchema = z.object({
  version: z.literal(1),
  phase: z.preprocess((v) => (typeof v === 'string' ? (LEGACY_PHASES[v] ?? v) : v), z.enum(['flat', 'entering', 'protected', 'unprotected', 'exiting'])),
  side: z.enum(['long', 'short']).optional(),
  requested: z.number().int().nonnegative(),
  orders: z.array(orderSchema),
  anchor: z.number().nullable(),
  openedAt: z.number().nullable(),
  slmRefused: z.boolean(),
  paused: z.boolean(),
  marketOnTarget: z.boolean(),
  barCount: z.number().int().nonnegative(),
  squaredOffDay: z.string().nullable(),
  protectFailures: z.number().int().nonnegative(),
  pnl: z.object({ day: z.string(), realised: z.number(), trades: z.number(), wins: z.number(), losses: z.number() }),
  trades: z.array(tradeSchema),
  knownOrderIds: z.array(z.string()),
  outsideTaken: z.record(z.string(), z.number()).optional(),
  partialTaken: z.boolean().optional(),
  trail: z.object({ trigger: z.number(), origin: z.enum(['trail', 'breakeven']), from: z.number(), best: z.number(), moves: z.number().int().nonnegative(), next: z.number().optional() }).optional(),
  lastSignalBar: z.number().nullable(),
  // Optional: a state file written before the guard existed still loads (as ACTIVE).
  guard: guardStateSchema.optional(),
});

export function parseEngineState(value: unknown): EngineState | null {
  const parsed = stateSchema.safeParse(value);
  if (!parsed.success) return null;
  const { guard, ...rest } = parsed.data;
  return { ...rest, guard: guard ?? initialGuardState('') } as EngineState;
}

// ---- derived views -------------------------------------------------------------------------

export function entryOrder(state: EngineState): TrackedOrder | null {
  return state.orders.find((o) => o.role === 'entry') ?? null;
}

/** The live leg of a role: the newest one not retired by a resize or a cancel we asked for. */
/** The exit legs placed at the broker and still open. */
export function workingLegs(state: EngineState): TrackedOrder[] {
  return [activeLeg(state, 'target'), activeLeg(state, 'stop')].filter((l): l is TrackedOrder => l !== null && l.orderId !== null && isOpen(l.phase));
}

export function activeLeg(state: EngineState, role: 'target' | 'stop'): TrackedOrder | null {
  for (let i = state.orders.length - 1; i >= 0; i--) {
    const o = state.orders[i];
    if (o && o.role === role && !o.retired) return o;
  }
  return null;
}

function sumFilled(state: EngineState, action: 'BUY' | 'SELL'): { qty: number; value: number } {
  let qty = 0;
  let value = 0;
  for (const o of state.orders) {
    if (o.request.action !== action || o.filled === 0) continue;
    qty += o.filled;
    value += o.filled * (o.avgPrice ?? 0);
  }
  return { qty, value };
}

export function bought(state: EngineState): { qty: number; value: number } {
  return sumFilled(state, 'BUY');
}

export function sold(state: EngineState): { qty: number; value: number } {
  return sumFilled(state, 'SELL');
}

/** The position's side: long until the first entry says otherwise. */
export function positionSide(state: EngineState): Side {
  return state.side ?? 'long';
}

/** The side the next entry takes: DIRECTION; alternate flips from the last round trip's (an entry that got no fill flips nothing). */
export function nextTradeSide(state: EngineState, direction: Direction | undefined): Side {
  const last = state.trades[state.trades.length - 1];
  return nextSide(direction, last ? (last.side ?? 'long') : null);
}

/** The phase in words with the side where it has one: "long protected", "short unprotected", "entering". */
export function describePhase(state: EngineState): string {
  return state.phase === 'protected' || state.phase === 'unprotected' ? `${positionSide(state)} ${state.phase}` : state.phase;
}

/** What the position's opening orders filled (bought for a long, sold for a short). */
export function opened(state: EngineState): { qty: number; value: number } {
  return sumFilled(state, openAction(positionSide(state)));
}

/** What its closing orders filled (the exits). */
export function closed(state: EngineState): { qty: number; value: number } {
  return sumFilled(state, closeAction(positionSide(state)));
}

/** The signed net of our orders' fills, as a broker's position book shows it (long positive). */
export function netQuantity(state: EngineState): number {
  return bought(state).qty - sold(state).qty;
}

/** Quantity this position holds by our orders' fills, on its side (negative: the wrong side). */
export function heldQuantity(state: EngineState): number {
  return opened(state).qty - closed(state).qty;
}

export function averageEntry(state: EngineState): number | null {
  const entry = entryOrder(state);
  if (entry?.avgPrice != null && entry.filled > 0) return entry.avgPrice;
  const b = opened(state);
  return b.qty > 0 ? b.value / b.qty : null;
}

export function openOrders(state: EngineState, roles?: OrderRole[]): TrackedOrder[] {
  return state.orders.filter((o) => isOpen(o.phase) && (!roles || roles.includes(o.role)));
}

/**
 * Everything a position read is judged against: the side, the phase and each order's id, phase
 * and fills. Equal before and after a read made outside the lock: nothing of ours moved meanwhile.
 */
export function ordersSignature(state: EngineState): string {
  return `${state.side ?? ''}|${state.phase}|${state.orders.map((o) => `${o.orderId ?? '?'}:${o.phase}:${o.filled}`).join(',')}`;
}

export function rememberOrderId(state: EngineState, orderId: string): void {
  if (state.knownOrderIds.includes(orderId)) return;
  state.knownOrderIds.push(orderId);
  if (state.knownOrderIds.length > 500) state.knownOrderIds.splice(0, state.knownOrderIds.length - 500);
}
