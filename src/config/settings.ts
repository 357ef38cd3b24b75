import type { EngineSettings, StopSettings } from '../engine/context.js';
import type { Brokerage } from '../engine/charges.js';
import type { CostConfig } from '../engine/pnl.js';
import type { Direction } from '../engine/side.js';
import type { ExitRules } from '../engine/trail-plan.js';
import type { Config, Interval } from './schema.js';

/** OpenAlgo's history interval for a bar length (its smallest is 1m). */
export function historyInterval(interval: Interval): string {
  if (interval.kind === 'daily' || interval.ms >= 86_400_000) return 'D';
  if (interval.ms >= 3_600_000) return '1h';
  return `${Math.max(1, Math.round(interval.ms / 60_000))}m`;
}

/**
 * Brokerage and slippage: BROKERAGE, unless the older BROKERAGE_PER_TRADE_RUPEES is set (it has
 * no default, so set means set by the trader) — then it wins, as ₹ per executed order.
 */
export function costConfig(config: Config): CostConfig {
  const brokerage: Brokerage =
    config.BROKERAGE_PER_TRADE_RUPEES !== undefined ? { kind: 'flat', rupees: config.BROKERAGE_PER_TRADE_RUPEES } : config.BROKERAGE;
  return { brokerage, slippagePerTrade: config.SLIPPAGE_RUPEES };
}

/** The engine's view of the resolved configuration. */
export function engineSettings(config: Config): EngineSettings {
  return {
    symbol: config.SYMBOL ?? '',
    exchange: config.EXCHANGE,
    product: config.PRODUCT,
    lots: config.LOTS,
    tradeEveryNBars: config.TRADE_EVERY_N_BARS,
    direction: config.DIRECTION as Direction,
    allowOptionWriting: config.ALLOW_OPTION_WRITING,
    profitTarget: config.PROFIT_TARGET_RUPEES,
    stopLoss: config.STOP_LOSS_RUPEES,
    costs: costConfig(config),
    stops: {
      orderType: config.STOP_ORDER_TYPE as StopSettings['orderType'],
      limitBuffer: config.STOP_LIMIT_BUFFER,
      chaseMs: config.STOP_CHASE_MS,
      chaseTries: config.STOP_CHASE_TRIES,
    },
    exits: {
      trailTrigger: config.TRAIL_TRIGGER_RUPEES,
      trailStep: config.TRAIL_STEP_RUPEES,
      trailMode: config.TRAIL_MODE as ExitRules['trailMode'],
      breakevenAfter: config.BREAKEVEN_AFTER_RUPEES,
      timeStopMinutes: config.TIME_STOP_MINUTES,
      minIntervalMs: config.TRAIL_MIN_INTERVAL_MS,
      trailTriggerPercent: config.TRAIL_TRIGGER_PERCENT,
      trailStepPercent: config.TRAIL_STEP_PERCENT,
      breakevenAfterPercent: config.BREAKEVEN_AFTER_PERCENT,
      partialLots: config.PARTIAL_TARGET_LOTS,
      partialRupees: config.PARTIAL_TARGET_RUPEES,
      partialPercent: config.PARTIAL_TARGET_PERCENT,
    },
    ignoreEntryDelta: config.IGNORE_ENTRY_DELTA,
    maxOrderRetries: config.MAX_ORDER_RETRIES,
    ocoPollMs: Math.round(config.OCO_POLL_SECONDS * 1000),
    reconcileMs: Math.round(config.RECONCILE_SECONDS * 1000),
    quotePollMs: Math.round(config.QUOTE_POLL_SECONDS * 1000),
    schedule: {
      interval: config.INTERVAL,
      windows: config.SESSION_WINDOWS,
      squareOffEnabled: config.ENABLE_EOD_SQUARE_OFF,
      squareOffMinute: config.SQUARE_OFF_TIME,
      tradeWeekends: config.TRADE_WEEKENDS,
    },
    history: config.USE_HISTORY
      ? { interval: historyInterval(config.INTERVAL), startDate: config.HISTORY_START_DATE ?? null, endDate: config.HISTORY_END_DATE ?? null }
      : null,
    guard: {
      maxDailyLoss: config.MAX_DAILY_LOSS_RUPEES,
      dailyProfitTarget: config.DAILY_PROFIT_TARGET_RUPEES,
      profitLock: config.PROFIT_LOCK_RUPEES,
      maxTradesPerDay: config.MAX_TRADES_PER_DAY,
      maxConsecutiveLosses: config.MAX_CONSECUTIVE_LOSSES,
      cooldownMinutes: config.COOLDOWN_MINUTES,
    },
  };
}
