// fast-check generators for whole trading days (see day-runner.ts for what a day is).

import fc from 'fast-check';
import type { Direction } from '../../src/engine/side.js';
import type { FaultMatch, OnceFault } from '../../src/broker/paper/fault-plan.js';
import type { CrashPoint, DayScenario, FeedEvent, OnceInjection, TraderAction } from './day-runner.js';

const rate = (min: number, max: number, freq = 2): fc.Arbitrary<number> =>
  fc.oneof({ arbitrary: fc.constant(0), weight: freq }, { arbitrary: fc.double({ min, max, noNaN: true }).map((x) => Math.round(x * 1e4) / 1e4), weight: 1 });
const ms = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: Math.ceil(min / 50), max: Math.floor(max / 50) }).map((n) => n * 50);

const faults = fc.record(
  {
    partialFill: rate(0.05, 0.4, 1),
    partialRestFills: fc.boolean(),
    acceptThenTimeout: rate(0.01, 0.08),
    timeoutNotPlaced: rate(0.01, 0.08),
    notFoundAfterPlaceMs: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: ms(100, 2500), weight: 1 }),
    slmRefused: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
    rejectAfterAccept: rate(0.01, 0.06),
    serverError: rate(0.002, 0.02),
    serverErrorBurst: fc.integer({ min: 1, max: 5 }),
    rateLimited: rate(0.005, 0.03),
    latencyMs: fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: ms(50, 300), weight: 1 }),
    externalClose: rate(0.0002, 0.002, 3),
    marketHangMs: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: ms(250, 6000), weight: 1 }),
    gapLeavesLimitUnfilled: fc.boolean(),
    // The exchange's real rules: a triggered stop-limit gapped past, MARKET refused.
    stopGap: rate(0.1, 0.6),
    marketRefused: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
    // The push feed's own trouble (only felt on days that run on push).
    feedDrop: rate(0.0005, 0.005, 3),
    feedDownMs: ms(500, 15_000),
    feedLoseUpdate: rate(0.02, 0.3),
    feedDuplicate: rate(0.05, 0.5),
    feedDelayMs: fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: ms(50, 2500), weight: 1 }),
  },
  { requiredKeys: [] },
);

const CALLS = ['placeOrder', 'orderStatus', 'cancelOrder', 'orderBook', 'tradeBook', 'positionBook', 'quote'] as const;
const side = fc.option(fc.constantFrom('BUY' as const, 'SELL' as const), { nil: undefined });
const anyType = fc.option(fc.constantFrom('MARKET' as const, 'LIMIT' as const, 'SL' as const, 'SL-M' as const), { nil: undefined });
const call = fc.option(fc.constantFrom(...CALLS), { nil: undefined });

/** Drop the keys fast-check left undefined, so a shrunk scenario prints (and replays) cleanly. */
function clean(m: FaultMatch): FaultMatch {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as FaultMatch;
}

const onceOf: Record<OnceFault, fc.Arbitrary<FaultMatch>> = {
  partialFill: fc.record({ action: side, priceType: fc.option(fc.constantFrom('MARKET' as const, 'LIMIT' as const), { nil: undefined }), fillQuantity: fc.option(fc.constant(75), { nil: undefined }) }),
  acceptThenTimeout: fc.record({ action: side, priceType: anyType }),
  timeoutNotPlaced: fc.record({ action: side, priceType: anyType }),
  notFoundAfterPlaceMs: fc.record({ action: side, priceType: anyType, ms: ms(100, 3000) }),
  slmRefused: fc.constant({}),
  rejectAfterAccept: fc.record({ action: side, priceType: anyType }),
  serverError: fc.record({ call, count: fc.integer({ min: 1, max: 6 }) }),
  rateLimited: fc.record({ call, count: fc.integer({ min: 1, max: 3 }) }),
  latencyMs: fc.record({ call, ms: ms(50, 3000) }),
  externalClose: fc.constant({}),
  marketHangMs: fc.record({ action: side, ms: ms(250, 8000) }),
  gapLeavesLimitUnfilled: fc.constant({}),
  stopGap: fc.constant({}),
  marketRefused: fc.record({ action: side }),
};

const ONCE_FAULTS = Object.keys(onceOf) as OnceFault[];

export function dayArbitrary(): fc.Arbitrary<DayScenario> {
  return fc
    .record({
      sessionMinutes: fc.integer({ min: 3, max: 7 }),
      intervalSeconds: fc.constantFrom(30, 60),
    })
    .chain(({ sessionMinutes, intervalSeconds }) => {
      // Events fall anywhere from the start until shortly after square-off, on the 250 ms grid.
      const dayMs = (sessionMinutes * 60 + 30 + 20) * 1000;
      const at = fc.integer({ min: 0, max: dayMs / 250 }).map((n) => n * 250);
      const once: fc.Arbitrary<OnceInjection[]> = fc.array(
        fc.constantFrom(...ONCE_FAULTS).chain((fault) => fc.record({ atMs: at, fault: fc.constant(fault), match: onceOf[fault].map(clean) })),
        { maxLength: 8 },
      );
      const actions = fc.array(
        fc.record({
          atMs: at,
          action: fc.constantFrom<TraderAction>('flatten', 'togglePause', 'toggleMarketOnTarget', 'reconcileNow', 'doubleReconcile', 'doubleReconcile'),
        }),
        { maxLength: 6 },
      );
      const crash: fc.Arbitrary<CrashPoint> = fc.oneof(
        fc.record({ atMs: at, downMs: ms(0, 8000) }),
        fc.record({ atSave: fc.integer({ min: 1, max: 300 }), saveLands: fc.boolean(), downMs: ms(0, 8000) }),
      );
      return fc.record({
        marketSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        brokerSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        market: fc.record({
          volatilityTicks: fc.integer({ min: 1, max: 8 }),
          gapRate: fc.oneof(fc.constant(0), fc.constantFrom(0.001, 0.003, 0.01)),
          gapTicks: fc.integer({ min: 10, max: 80 }),
        }),
        sessionMinutes: fc.constant(sessionMinutes),
        intervalSeconds: fc.constant(intervalSeconds),
        settings: fc.record({
          lots: fc.integer({ min: 1, max: 3 }),
          tradeEveryNBars: fc.integer({ min: 1, max: 2 }),
          profitTarget: fc.constantFrom(0.5, 1, 2, 3),
          stopLoss: fc.constantFrom(0.5, 1, 1.5),
          brokeragePerLeg: fc.constantFrom(0, 11.8, 20),
          slippagePerTrade: fc.constantFrom(0, 1.5, 3),
          ignoreEntryDelta: fc.boolean(),
          maxOrderRetries: fc.integer({ min: 0, max: 3 }),
          ocoPollMs: fc.constantFrom(500, 1000, 2000),
          reconcileMs: fc.constantFrom(5000, 10_000, 30_000),
          quotePollMs: fc.constantFrom(500, 1000),
        }),
        // The session guard: off on about half the days, else some limits that a 3–7 minute
        // day can reach (one stop costs ₹37–₹340 here).
        guard: fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 1 },
          {
            arbitrary: fc.record({
              maxDailyLoss: fc.constantFrom(0, 50, 150, 400),
              dailyProfitTarget: fc.constantFrom(0, 0, 100, 300),
              profitLock: fc.constantFrom(0, 0, 100),
              maxTradesPerDay: fc.constantFrom(0, 0, 2, 4),
              maxConsecutiveLosses: fc.constantFrom(0, 0, 2),
              cooldownMinutes: fc.constantFrom(0, 1),
            }),
            weight: 1,
          },
        ),
        marketOnTarget: fc.boolean(),
        clientTimeoutMs: fc.constantFrom(1000, 2500, 5000),
        // A day in five has no standing faults at all: there the bounds are at their tightest.
        faults: fc.oneof({ arbitrary: fc.constant({}), weight: 1 }, { arbitrary: faults, weight: 4 }),
        once,
        actions,
        crashes: fc.array(crash, { maxLength: 3 }),
        // Two days in three run on the push feed, with drops and silences among the faults.
        feed: fc.oneof({ arbitrary: fc.constant(true), weight: 2 }, { arbitrary: fc.constant(false), weight: 1 }),
        feedEvents: fc.array(
          fc.oneof(
            fc.record({ atMs: at, kind: fc.constant<FeedEvent['kind']>('drop'), ms: ms(250, 20_000) }),
            fc.record({ atMs: at, kind: fc.constantFrom<FeedEvent['kind']>('silence', 'speak') }),
          ),
          { maxLength: 4 },
        ),
        // A day in three trades a future, where SL-M stops (and their refusal) are the path.
        future: fc.oneof({ arbitrary: fc.constant(false), weight: 2 }, { arbitrary: fc.constant(true), weight: 1 }),
        // Half the days trade long (DIRECTION unset, as before sides existed), a quarter short and
        // a quarter alternate; a short option day writes it (ALLOW_OPTION_WRITING).
        // A day in three runs the exit rules: a trail (continuous or stepped), a break-even, a time stop, or several.
        exits: fc.oneof(
          { arbitrary: fc.constant<DayScenario['exits']>(undefined), weight: 2 },
          {
            arbitrary: fc
              .record({
                trailTrigger: fc.constantFrom(0, 0.25, 0.5, 1),
                trailStep: fc.constantFrom(0.1, 0.25, 0.5),
                trailMode: fc.constantFrom<'continuous' | 'stepped'>('continuous', 'stepped'),
                breakevenAfter: fc.constantFrom(0, 0, 0.25, 0.5),
                timeStopMinutes: fc.constantFrom(0, 0, 0, 0.5, 1),
                minIntervalMs: fc.constantFrom(250, 250, 1000),
                partialLots: fc.constantFrom(0, 0, 1),
                partialRupees: fc.constantFrom(0.25, 0.5),
              })
              // A trail needs both its trigger and its step (else the start refuses it).
              .map((e): DayScenario['exits'] => ({ ...e, trailStep: e.trailTrigger > 0 ? e.trailStep : 0, partialRupees: e.partialLots > 0 ? e.partialRupees : 0 })),
            weight: 1,
          },
        ),
        direction: fc.oneof(
          { arbitrary: fc.constant<Direction | undefined>(undefined), weight: 2 },
          { arbitrary: fc.constant<Direction | undefined>('short'), weight: 1 },
          { arbitrary: fc.constant<Direction | undefined>('alternate'), weight: 1 },
        ),
      });
    });
}

/**
 * A desk day: the same day (market, faults, commands, crashes, feed) traded on 2–3 instruments in
 * one process, with the account guard always on: a loss limit (or none), a total trade limit and
 * one per instrument (either may be off), and the day's other limits when it has them.
 */
export function deskDayArbitrary(): fc.Arbitrary<DayScenario> {
  return fc
    .record({
      day: dayArbitrary(),
      lots: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 3 }),
      maxDailyLoss: fc.constantFrom(0, 100, 250, 500),
      maxTradesPerDay: fc.constantFrom(0, 0, 2, 3, 5),
      maxTradesPerInstrument: fc.constantFrom(0, 0, 1, 2, 3),
      // Which instrument each trader command is for.
      targets: fc.array(fc.nat({ max: 2 }), { minLength: 6, maxLength: 6 }),
    })
    .map(({ day, lots, maxDailyLoss, maxTradesPerDay, maxTradesPerInstrument, targets }) => ({
      ...day,
      guard: { ...(day.guard ?? { dailyProfitTarget: 0, profitLock: 0, maxConsecutiveLosses: 0, cooldownMinutes: 0 }), maxDailyLoss, maxTradesPerDay },
      actions: day.actions.map((a, i) => ({ ...a, instrument: targets[i] ?? 0 })),
      desk: { lots, maxTradesPerInstrument },
    }));
}
