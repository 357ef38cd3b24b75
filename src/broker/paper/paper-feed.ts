// The paper broker's push feed, in process: every print of every subscribed market as a tick and
// every order change (all instruments) as an order update, like OpenAlgo's WebSocket feed, so `npm start` runs the engine on push.
// It keeps the markets moving on the clock by itself (a feed does not wait for a REST call), and
// misbehaves like a real feed when the broker's feed faults say so: drops, silence, lost,
// doubled and late updates (read live from the broker's fault settings).

import { setMaxListeners } from 'node:events';
import type { Clock } from '../../time/clock.js';
import type { FeedHealth, FeedListener, FeedSymbol, MarketFeed } from '../feed.js';
import type { OrderReport } from '../types.js';
import type { PaperBroker } from './paper-broker.js';
import { deriveSeed, mulberry32, type Rng } from './rng.js';

export interface PaperFeedOptions {
  clock: Clock;
  broker: PaperBroker;
  /** Seed of the feed's fault rolls. Default 1. */
  seed?: number;
}

export class PaperFeed implements MarketFeed {
  readonly label = 'paper feed';
  private readonly clock: Clock;
  private readonly broker: PaperBroker;
  private readonly rng: Rng;
  private listener: FeedListener | null = null;
  private readonly stopping = new AbortController();
  private readonly unsubscribers: (() => void)[] = [];
  private downUntil: number | null = null;
  private health: FeedHealth;
  private pump: Promise<void> = Promise.resolve();
  /** Whether any subscription has a market (ticks flow). */
  private ticking = false;

  constructor(opts: PaperFeedOptions) {
    this.clock = opts.clock;
    this.broker = opts.broker;
    this.rng = mulberry32(deriveSeed(opts.seed ?? 1, 31));
    this.health = { state: 'off', reason: null, orders: false, ticks: false, rttMs: null, since: opts.clock.now() };
    // Each late update sleeps on this signal: many at once is normal.
    setMaxListeners(1_000, this.stopping.signal);
  }

  start(listener: FeedListener, symbols: readonly FeedSymbol[]): void {
    this.listener = listener;
    const markets = this.broker.markets.filter((m) => symbols.some((s) => this.broker.marketFor(s.symbol, s.exchange) === m));
    for (const market of markets) {
      const { symbol, exchange } = market.instrument;
      this.unsubscribers.push(
        market.onPrice((e) => {
          if (!this.up) return;
          const ltp = market.grid.fromTicks(e.ltp);
          queueMicrotask(() => this.listener?.tick(symbol, exchange, ltp, e.at));
          if (this.rng.chance(this.broker.faultConfig.feedDrop)) this.drop('dropped (paper fault feedDrop)');
        }),
      );
    }
    this.unsubscribers.push(this.broker.onOrderChange((report) => this.push(report)));
    const unknown = symbols.filter((s) => this.broker.marketFor(s.symbol, s.exchange) === undefined);
    if (unknown.length > 0) {
      const traded = this.broker.markets.map((m) => m.instrument.symbol).join(', ');
      listener.note('warn', `paper feed: no market data for ${unknown.map((s) => `${s.symbol}@${s.exchange}`).join(', ')} (the paper market trades ${traded})`);
    }
    this.ticking = markets.length > 0;
    this.setHealth({ state: 'live', reason: null, orders: true, ticks: this.ticking, rttMs: 0 });
    this.pump = this.run();
  }

  /** Drop the connection now, for `ms` (default the feedDownMs fault setting). */
  drop(reason = 'dropped', ms = this.broker.faultConfig.feedDownMs): void {
    if (!this.up) return;
    this.downUntil = this.clock.now() + ms;
    this.setHealth({ state: 'down', reason, orders: false, ticks: false, rttMs: null });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const off of this.unsubscribers.splice(0)) off();
    await this.pump;
    this.listener = null;
  }

  private get up(): boolean {
    return this.health.state === 'live';
  }

  /** Keep every market moving on the clock, and bring a dropped connection back when its time is up. */
  private async run(): Promise<void> {
    const { markets } = this.broker;
    const stepMs = Math.min(...markets.map((m) => m.stepMs));
    while (!this.stopping.signal.aborted) {
      try {
        await this.clock.sleep(stepMs, this.stopping.signal);
      } catch {
        return;
      }
      for (const m of markets) m.sync();
      if (this.downUntil !== null && this.clock.now() >= this.downUntil) {
        this.downUntil = null;
        this.setHealth({ state: 'live', reason: null, orders: true, ticks: this.ticking, rttMs: 0 });
        this.listener?.resync();
      }
    }
  }

  private push(report: OrderReport): void {
    const f = this.broker.faultConfig;
    if (!this.up || f.feedSilentOrders) return;
    if (this.rng.chance(f.feedLoseUpdate)) return;
    const copies = this.rng.chance(f.feedDuplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = f.feedDelayMs > 0 ? this.rng.int(f.feedDelayMs + 1) : 0;
      const send = (): void => {
        if (this.up) this.listener?.orderUpdate({ ...report });
      };
      if (delay === 0) queueMicrotask(send);
      else void this.clock.sleep(delay, this.stopping.signal).then(send, () => {});
    }
  }

  private setHealth(h: Omit<FeedHealth, 'since'>): void {
    this.health = { ...h, since: this.clock.now() };
    this.listener?.health(this.health);
  }
}
