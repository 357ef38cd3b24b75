// The paper market: a seeded random walk of the last traded price on the instrument's tick grid.
// It has no timers. Every read advances it in fixed steps from the last step to clock.now(), so
// the path depends only on the seed and the times it is read at, and a fast-forwarded day costs
// a bounded amount of work.

import type { Clock } from '../../time/clock.js';
import { tickGrid, type TickGrid } from '../ticks.js';
import type { Instrument, Quote } from '../types.js';
import { deriveSeed, mulberry32, type Rng } from './rng.js';

/** Where "paper on live data" gets its prices (an OpenAlgo client's quote call fits). */
export interface QuoteSource {
  quote(symbol: string, exchange: string): Promise<Quote>;
}

/** One print of the market. Every price is in whole ticks of the instrument. */
export interface PriceEvent {
  /**
   * 'step': the price moved through every tick between `prev` and `ltp` (so a limit in between
   * traded); 'gap': it jumped, with no prints in between.
   */
  kind: 'step' | 'gap';
  at: number;
  prev: number;
  ltp: number;
  bid: number;
  ask: number;
}

/** The market right now, prices in whole ticks. */
export interface MarketState {
  at: number;
  ltp: number;
  bid: number;
  ask: number;
}

export interface PaperMarketOptions {
  clock: Clock;
  seed: number;
  instrument: Instrument;
  /** First LTP (rounded to the tick grid); also the level the walk reverts to. */
  startPrice: number;
  /** Market time between two price steps. Default 250 ms. */
  stepMs?: number;
  /** Standard deviation of one step's move, in ticks. Default 4. */
  volatilityTicks?: number;
  /** Ask minus bid, in ticks. Default 2 (bid one tick under LTP, ask one over). */
  spreadTicks?: number;
  /** Probability per step of a gap (a jump with no prints in between). Default 0.001. */
  gapRate?: number;
  /** Typical gap size in ticks (a gap is 0.5× to 1.5× this, up or down). Default 60. */
  gapTicks?: number;
  /** Fraction of the distance to the start price pulled back per step. Default 0.0005. */
  meanReversion?: number;
  /** The LTP never goes below this many ticks. Default 5. */
  floorTicks?: number;
  /** Steps replayed one by one when catching up; older pending steps become one aggregated step. Default 2400 (10 min at 250 ms). */
  maxCatchUpSteps?: number;
  /** When set, the LTP comes from here (fetched at most once per step) instead of the walk. */
  quoteSource?: QuoteSource;
}

type Listener = (event: PriceEvent) => void;

export class PaperMarket {
  readonly instrument: Instrument;
  readonly grid: TickGrid;
  readonly stepMs: number;

  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly startMs: number;
  private readonly volatility: number;
  private readonly spread: number;
  private readonly gapRate: number;
  private readonly gapTicks: number;
  private readonly reversion: number;
  private readonly floor: number;
  private readonly maxCatchUp: number;
  private readonly quoteSource: QuoteSource | undefined;
  private readonly listeners = new Set<Listener>();

  private steps = 0;
  private ltp: number;
  private anchor: number;
  private frozen = false;
  private syncing = false;
  private readonly openTicks: number;
  private high: number;
  private low: number;
  private volume = 0;
  private liveBid: number | null = null;
  private liveAsk: number | null = null;
  private liveVolume: number | null = null;
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | null = null;

  constructor(opts: PaperMarketOptions) {
    this.clock = opts.clock;
    this.instrument = opts.instrument;
    this.grid = tickGrid(opts.instrument.tickSize);
    this.stepMs = opts.stepMs ?? 250;
    if (!(this.stepMs > 0)) throw new RangeError(`stepMs must be > 0, got ${this.stepMs}`);
    this.rng = mulberry32(deriveSeed(opts.seed, 1));
    this.startMs = opts.clock.now();
    this.volatility = opts.volatilityTicks ?? 4;
    this.spread = Math.max(0, Math.round(opts.spreadTicks ?? 2));
    this.gapRate = opts.gapRate ?? 0.001;
    this.gapTicks = Math.max(1, Math.round(opts.gapTicks ?? 60));
    this.reversion = opts.meanReversion ?? 0.0005;
    // The bid (LTP minus half the spread) must stay at least one tick.
    this.floor = Math.max(Math.round(opts.floorTicks ?? 5), Math.floor(this.spread / 2) + 1);
    this.maxCatchUp = Math.max(1, Math.round(opts.maxCatchUpSteps ?? 2400));
    this.quoteSource = opts.quoteSource;
    this.ltp = Math.max(this.floor, this.grid.toTicks(opts.startPrice));
    this.anchor = this.ltp;
    this.openTicks = this.ltp;
    this.high = this.ltp;
    this.low = this.ltp;
  }

  /** Subscribe to every print (steps, gaps, setPrice/gapTo, live refreshes). Returns the unsubscribe. */
  onPrice(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Advance the walk to clock.now(). Re-entrant calls (from a listener) are no-ops. */
  sync(): void {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const target = Math.floor((this.clock.now() - this.startMs) / this.stepMs);
      const pending = target - this.steps;
      if (pending > this.maxCatchUp) this.jump(pending - this.maxCatchUp);
      while (this.steps < target) this.step();
    } finally {
      this.syncing = false;
    }
  }

  /** sync(), plus a refresh from the quote source when one is set and a step has passed. */
  async update(): Promise<void> {
    this.sync();
    if (!this.quoteSource) return;
    if (this.inflight) return this.inflight;
    if (this.clock.now() - this.lastFetchAt < this.stepMs) return;
    this.lastFetchAt = this.clock.now();
    this.inflight = this.refresh(this.quoteSource).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** The market now, in ticks. */
  state(): MarketState {
    this.sync();
    return { at: this.clock.now(), ltp: this.ltp, ...this.bidAsk() };
  }

  /** The LTP now, in rupees. */
  ltpPrice(): number {
    this.sync();
    return this.grid.fromTicks(this.ltp);
  }

  quote(): Quote {
    const s = this.state();
    const px = (t: number): number => this.grid.fromTicks(t);
    return {
      ltp: px(s.ltp),
      bid: px(s.bid),
      ask: px(s.ask),
      open: px(this.openTicks),
      high: px(this.high),
      low: px(this.low),
      prevClose: px(this.openTicks),
      volume: this.liveVolume ?? this.volume,
    };
  }

  /** Test hook: move the LTP to `price` as a normal step (every tick in between prints). */
  setPrice(price: number): void {
    this.moveTo(price, 'step');
  }

  /** Test hook: jump the LTP to `price` with no prints in between. */
  gapTo(price: number): void {
    this.moveTo(price, 'gap');
  }

  /** Test hook: while frozen, steps still happen (time passes) but the price does not move. */
  freeze(on: boolean): void {
    this.sync();
    this.frozen = on;
  }

  /** Steps taken since the start (an aggregated catch-up counts all the steps it covers). */
  get stepCount(): number {
    return this.steps;
  }

  private moveTo(price: number, kind: PriceEvent['kind']): void {
    this.sync();
    const prev = this.ltp;
    this.ltp = Math.max(this.floor, this.grid.toTicks(price));
    // A deliberate move re-centres the walk, so a test that sets a level stays near it.
    this.anchor = this.ltp;
    this.liveBid = null;
    this.liveAsk = null;
    this.emit(kind, this.clock.now(), prev);
  }

  private step(): void {
    // Always the same number of draws per step, so freezing or gaps do not shift later steps.
    const z = this.rng.gaussian();
    const uGap = this.rng.next();
    const uSize = this.rng.next();
    const uSign = this.rng.next();
    const uVolume = this.rng.next();
    this.steps++;
    const prev = this.ltp;
    let kind: PriceEvent['kind'] = 'step';
    if (this.moves()) {
      if (uGap < this.gapRate) {
        kind = 'gap';
        const size = Math.max(1, Math.round(this.gapTicks * (0.5 + uSize)));
        this.ltp = prev + (uSign < 0.5 ? -size : size);
      } else {
        this.ltp = prev + Math.round(z * this.volatility + (this.anchor - prev) * this.reversion);
      }
      this.ltp = Math.max(this.floor, this.ltp);
    }
    this.volume += this.instrument.lotSize * (1 + Math.floor(uVolume * 10));
    this.emit(kind, this.startMs + this.steps * this.stepMs, prev);
  }

  /** n steps in one: the exact mean and spread of n mean-reverting steps, from one draw. */
  private jump(n: number): void {
    const z = this.rng.gaussian();
    this.steps += n;
    const prev = this.ltp;
    if (this.moves()) {
      const a = 1 - this.reversion;
      const an = a ** n;
      const variance = this.reversion > 0 && a * a < 1 ? (1 - an * an) / (1 - a * a) : n;
      const mean = this.anchor + (prev - this.anchor) * an;
      this.ltp = Math.max(this.floor, Math.round(mean + z * this.volatility * Math.sqrt(variance)));
    }
    this.volume += Math.round(this.instrument.lotSize * 5.5 * n);
    this.emit('step', this.startMs + this.steps * this.stepMs, prev);
  }

  private async refresh(source: QuoteSource): Promise<void> {
    const q = await source.quote(this.instrument.symbol, this.instrument.exchange);
    this.sync();
    if (!(q.ltp > 0) || !Number.isFinite(q.ltp)) return;
    const prev = this.ltp;
    this.ltp = Math.max(1, this.grid.toTicks(q.ltp));
    this.liveBid = q.bid !== null && q.bid > 0 ? this.grid.toTicks(q.bid, 'down') : null;
    this.liveAsk = q.ask !== null && q.ask > 0 ? this.grid.toTicks(q.ask, 'up') : null;
    this.liveVolume = q.volume;
    this.emit('step', this.clock.now(), prev);
  }

  private moves(): boolean {
    return !this.frozen && !this.quoteSource;
  }

  private bidAsk(): { bid: number; ask: number } {
    const half = Math.floor(this.spread / 2);
    const bid = this.liveBid !== null && this.liveBid <= this.ltp ? this.liveBid : Math.max(1, this.ltp - half);
    const ask = this.liveAsk !== null && this.liveAsk >= this.ltp ? this.liveAsk : this.ltp + (this.spread - half);
    return { bid, ask };
  }

  private emit(kind: PriceEvent['kind'], at: number, prev: number): void {
    this.high = Math.max(this.high, this.ltp);
    this.low = Math.min(this.low, this.ltp);
    const event: PriceEvent = { kind, at, prev, ltp: this.ltp, ...this.bidAsk() };
    for (const listener of this.listeners) listener(event);
  }
}
