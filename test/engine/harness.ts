import { PaperBroker } from '../../src/broker/paper/paper-broker.js';
import { PaperMarket } from '../../src/broker/paper/market.js';
import { PaperFeed } from '../../src/broker/paper/paper-feed.js';
import type { FaultConfig } from '../../src/broker/paper/faults.js';
import type { ResumeRequests } from '../../src/engine/guard-resume.js';
import type { Broker, Instrument } from '../../src/broker/types.js';
import type { PaperCalendar } from '../../src/broker/paper/calendar.js';
import { FakeClock, type Clock } from '../../src/time/clock.js';
import { shiftedClock } from '../../src/time/server-clock.js';
import { DEFAULT_STOPS, type EngineSettings } from '../../src/engine/context.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineObserver } from '../../src/engine/events.js';
import { MemoryStateFile } from '../../src/engine/persistence.js';
import type { EngineState } from '../../src/engine/state.js';
import { createLogger } from '../../src/log/logger.js';
import { createAppStore, type AppStore } from '../../src/store/store.js';

/** Epoch ms of an IST wall time, e.g. ist('2026-11-24T09:19:00'). */
export const ist = (iso: string): number => Date.parse(`${iso}+05:30`);

export const INSTRUMENT: Instrument = { symbol: 'NIFTY25000CE', exchange: 'NFO', lotSize: 75, tickSize: 0.05, freezeQty: 1800 };
/** A future (SL-M allowed), for the paths a stop-market takes. */
export const FUTURE: Instrument = { symbol: 'NIFTY29DEC26FUT', exchange: 'NFO', lotSize: 75, tickSize: 0.05, freezeQty: 1800 };

export function settings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  return {
    symbol: INSTRUMENT.symbol,
    exchange: 'NFO',
    product: 'MIS',
    lots: 2,
    tradeEveryNBars: 1,
    profitTarget: 2,
    stopLoss: 1,
    costs: { brokerage: { kind: 'flat', rupees: 20 }, slippagePerTrade: 0 },
    stops: DEFAULT_STOPS,
    ignoreEntryDelta: true,
    maxOrderRetries: 2,
    ocoPollMs: 1000,
    reconcileMs: 30_000,
    quotePollMs: 1000,
    schedule: {
      interval: { kind: 'seconds', ms: 60_000 },
      windows: [{ start: 9 * 60 + 20, end: 15 * 60 + 15 }],
      squareOffEnabled: true,
      squareOffMinute: 15 * 60 + 15,
      tradeWeekends: false,
    },
    history: null,
    ...overrides,
  };
}

export interface Scenario {
  clock: FakeClock;
  market: PaperMarket;
  broker: PaperBroker;
  store: AppStore;
  engine: Engine;
  stateFile: MemoryStateFile<EngineState>;
  logs(): string[];
  /** The order requests the broker received, as "BUY 150 MARKET" lines. */
  orders(): string[];
  /** A new engine on the same broker, clock and state file: a restart after a crash. */
  restart(): Promise<Engine>;
  /** The current engine's push feed, when the scenario runs on push. */
  feed: PaperFeed | null;
}

export interface ScenarioOptions {
  start?: string;
  faults?: Partial<FaultConfig>;
  settings?: Partial<EngineSettings>;
  /** Wrap the broker the engine sees (to make a call hang or fail). */
  wrap?: (broker: Broker) => Broker;
  marketOnTarget?: boolean;
  seed?: number;
  /** Run on the paper push feed (a new feed per engine, as a new process opens a new socket). */
  feed?: boolean;
  /** FEED_SAFETY_POLL_SECONDS in ms (default 5000). */
  safetyPollMs?: number;
  /** Observers for each engine made (a restart makes a new engine, so a new set). */
  observers?: () => readonly EngineObserver[];
  /** The broker's (and its market's) clock runs this far from the engine's, ms (its order stamps). */
  brokerClockOffsetMs?: number;
  /** The exchange calendar the paper broker answers with (default: none, every day regular). */
  calendar?: PaperCalendar;
  /** The engine's clock, made from the fake one (e.g. a server-corrected clock). */
  engineClock?: (clock: FakeClock) => Clock;
  /** Where the engine looks for `guard resume` requests. */
  resumeRequests?: ResumeRequests;
  /** The traded instrument (default INSTRUMENT, an option). */
  instrument?: Instrument;
}

export function describeOrder(o: { request: { action: string; quantity: number; priceType: string; price?: number; triggerPrice?: number } }): string {
  const r = o.request;
  const price = r.priceType === 'LIMIT' || r.priceType === 'SL' ? ` @${r.price?.toFixed(2)}` : '';
  const trigger = r.priceType === 'SL' || r.priceType === 'SL-M' ? ` trg ${r.triggerPrice?.toFixed(2)}` : '';
  return `${r.action} ${r.quantity} ${r.priceType}${price}${trigger}`;
}

export async function scenario(opts: ScenarioOptions = {}): Promise<Scenario> {
  const clock = new FakeClock(ist(opts.start ?? '2026-11-24T09:19:00'));
  const brokerClock = opts.brokerClockOffsetMs ? shiftedClock(clock, opts.brokerClockOffsetMs) : clock;
  const engineClock = opts.engineClock ? opts.engineClock(clock) : clock;
  const instrument = opts.instrument ?? INSTRUMENT;
  const market = new PaperMarket({ clock: brokerClock, seed: opts.seed ?? 7, instrument, startPrice: 100 });
  market.freeze(true);
  const broker = new PaperBroker({
    clock: brokerClock, market, faults: opts.faults ?? {}, clientTimeoutMs: 10_000, seed: opts.seed ?? 7,
    ...(opts.calendar ? { calendar: opts.calendar } : {}),
  });
  const stateFile = new MemoryStateFile<EngineState>();
  const store = createAppStore();
  let feed: PaperFeed | null = null;
  const make = (): Engine => {
    feed = opts.feed ? new PaperFeed({ clock, broker, seed: opts.seed ?? 7 }) : null;
    return new Engine({
      ...(feed ? { feed, feedMode: 'auto' as const, safetyPollMs: opts.safetyPollMs ?? 5_000 } : {}),
      broker: opts.wrap ? opts.wrap(broker) : broker,
      clock: engineClock,
      store,
      log: createLogger({ store, clock: engineClock, secrets: [] }),
      settings: settings({ symbol: instrument.symbol, ...opts.settings }),
      stateFile,
      marketOnTarget: opts.marketOnTarget ?? false,
      failClosedOnUnknownSymbol: true,
      ...(opts.observers ? { observers: opts.observers() } : {}),
      ...(opts.resumeRequests ? { resumeRequests: opts.resumeRequests } : {}),
    });
  };
  const s: Scenario = {
    clock,
    market,
    broker,
    store,
    engine: make(),
    stateFile,
    logs: () => store.getState().log.map((l) => `${l.level} [${l.tag}] ${l.text}`),
    orders: () => broker.placedOrders.map(describeOrder),
    restart: async () => {
      s.engine.abandon();
      s.engine = make();
      await startOnFakeTime(s.engine, clock);
      return s.engine;
    },
    get feed() {
      return feed;
    },
  };
  await startOnFakeTime(s.engine, clock);
  return s;
}

/** Start an engine whose recovery may wait on the clock: advance time until it is up. */
export async function startOnFakeTime(engine: Engine, clock: FakeClock): Promise<void> {
  let settled = false;
  const started = engine.start().finally(() => {
    settled = true;
  });
  // A start that fails (a StartupError) is the caller's to see at `await started`, not an unhandled rejection meanwhile.
  started.catch(() => {});
  await clock.advanceUntil(() => settled, 120_000, 100);
  await started;
}

/** Advance to the first entry (09:20 bar close) and let it settle. */
export async function enterAndProtect(s: Scenario): Promise<void> {
  await s.clock.advanceUntil(() => s.store.getState().position.phase === 'protected', 120_000);
}
