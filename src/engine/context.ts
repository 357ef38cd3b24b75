import type { Broker, OrderReport, OrderRequest } from '../broker/types.js';
import type { Segment } from '../broker/segment.js';
import type { TickGrid } from '../broker/ticks.js';
import type { Logger } from '../log/logger.js';
import type { ShutdownPhase } from '../store/types.js';
import type { AppStore } from '../store/store.js';
import type { Clock } from '../time/clock.js';
import type { GuardLimits } from './guard.js';
import type { CostConfig } from './pnl.js';
import { AUTO_BUFFER, type LimitBuffer } from './protective-price.js';
import type { ScheduleConfig } from '../time/schedule.js';
import type { EngineState } from './state.js';
import type { EngineObserver } from './events.js';
import type { Direction } from './side.js';
import type { ExitRules } from './trail-plan.js';
import type { OrderNews } from './order-news.js';

/** How the stop leg is sent and what happens when it triggers without filling (STOP_*). */
export interface StopSettings {
  /** STOP_ORDER_TYPE: auto = SL on options (the exchange refuses SL-M there), SL-M elsewhere. */
  orderType: 'auto' | 'SL' | 'SL-M';
  /** STOP_LIMIT_BUFFER: a stop-limit's limit under its trigger, a protective LIMIT beyond the last price. */
  limitBuffer: LimitBuffer;
  /** STOP_CHASE_MS: how often an unfilled triggered stop's limit is moved under the last price. */
  chaseMs: number;
  /** STOP_CHASE_TRIES: moves before it is cancelled and the position sold at market. */
  chaseTries: number;
}

export const DEFAULT_STOPS: StopSettings = { orderType: 'auto', limitBuffer: AUTO_BUFFER, chaseMs: 500, chaseTries: 3 };

/** The engine's settings, taken from the resolved config once at start. */
export interface EngineSettings {
  symbol: string;
  exchange: string;
  product: string;
  lots: number;
  tradeEveryNBars: number;
  profitTarget: number;
  stopLoss: number;
  costs: CostConfig;
  stops: StopSettings;
  /** Anchor legs on the fill (true) or on the signal's LTP (false). */
  ignoreEntryDelta: boolean;
  maxOrderRetries: number;
  ocoPollMs: number;
  reconcileMs: number;
  quotePollMs: number;
  schedule: ScheduleConfig;
  /** USE_HISTORY: past closes for the chart; null when off. */
  history: { interval: string; startDate: string | null; endDate: string | null } | null;
  /** Session guard limits (MAX_DAILY_LOSS_RUPEES …); absent = all off. */
  guard?: GuardLimits;
  /** DIRECTION: the side each trade takes (absent: long). */
  direction?: Direction;
  /** ALLOW_OPTION_WRITING: a short side on options is refused at start without it. */
  allowOptionWriting?: boolean;
  /** TRAIL_*, BREAKEVEN_AFTER_RUPEES, TIME_STOP_MINUTES (absent: all off). */
  exits?: ExitRules;
}

/** Where a long action (an exit, a shutdown) tells which phase it is in. */
export type PhaseReporter = (phase: ShutdownPhase, detail: string) => void;

/** What the engine's parts share: dependencies, the instrument, and the one mutable state. */
export interface EngineContext {
  readonly broker: Broker;
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: AppStore;
  readonly settings: EngineSettings;
  grid: TickGrid;
  lotSize: number;
  /** Option, future or equity: which stop the exchange takes, and which charges apply. */
  segment: Segment;
  /** The exchange's largest quantity in one order for this contract, when the broker says. */
  freezeQty: number | null;
  /** The broker refused a MARKET order here and took a LIMIT: send marketable LIMITs from now on. */
  marketRefused: boolean;
  state: EngineState;
  /** Last LTP seen (quotes), null before the first. */
  ltp: number | null;
  /** When it was seen (clock ms), null before the first. */
  ltpAt: number | null;
  /** Aborted when a flatten or shutdown is requested, so long waits end at once. */
  urgent: AbortSignal;
  /** Save the state (atomically) and project it into the store. */
  commit(): void;
  /** Tell the observers (journal, alerts) what happened; never throws, never waits. */
  emit: EngineObserver;
  /** The risk gate's hold list for the entry being sent now (src/engine/risk-gate.ts), or null. */
  entryHold(): string | null;
  /** Every order book read passes through here: an order on our symbol that is not ours is news. */
  noticeOrderBook?(rows: readonly OrderReport[]): void;
  /** The order a locked task is waiting on, woken by pushed news of it (order-news.ts). */
  readonly orderNews: OrderNews;
}

export function orderRequest(
  ctx: EngineContext,
  action: OrderRequest['action'],
  quantity: number,
  priceType: OrderRequest['priceType'],
  price?: number,
  triggerPrice?: number,
): OrderRequest {
  const { symbol, exchange, product } = ctx.settings;
  const req: OrderRequest = { symbol, exchange, product, action, quantity, priceType };
  if (price !== undefined) req.price = price;
  if (triggerPrice !== undefined) req.triggerPrice = triggerPrice;
  return req;
}

/** A price seen (a quote, a tick, a fresh read): the last price and when. */
export function notePrice(ctx: EngineContext, ltp: number): void {
  ctx.ltp = ltp;
  ctx.ltpAt = ctx.clock.now();
}

/** Sleep on the engine clock; returns false when cut short by an urgent request. */
export async function pause(ctx: EngineContext, ms: number, interruptible = true): Promise<boolean> {
  try {
    await ctx.clock.sleep(ms, interruptible ? ctx.urgent : undefined);
    return true;
  } catch {
    return false;
  }
}
