import type { FeedHealth, FeedListener, FeedSymbol, MarketFeed } from '../broker/feed.js';

// One WebSocket connection carries every instrument's subscription: the hub starts the one feed
// (with every symbol) when the first engine starts its feed link, and gives each engine a feed of
// its own that hears its ticks, every order update (each engine picks its orders by id, and
// outside orders by its symbol), the connection's health and every resync. An engine that starts
// after the connection is up hears its health and a resync at once, so it reads the books as on a
// reconnect. The connection closes when the last engine stops its feed.

export class FeedHub {
  private readonly listeners = new Map<string, FeedListener>();
  private started = false;
  private stopped = false;
  private lastHealth: FeedHealth | null = null;

  constructor(
    private readonly feed: MarketFeed,
    private readonly symbols: readonly FeedSymbol[],
    /** Told of every pushed order update before any engine hears it (the shared reads' floor). */
    private readonly onOrderUpdate: () => void = () => {},
  ) {}

  /** The feed one instrument's engine uses. */
  forInstrument(symbol: string, exchange: string): MarketFeed {
    const key = instrumentKey(symbol, exchange);
    return {
      label: this.feed.label,
      start: (listener) => this.join(key, listener),
      stop: () => this.leave(key),
    };
  }

  private join(key: string, listener: FeedListener): void {
    this.listeners.set(key, listener);
    if (!this.started) {
      this.started = true;
      this.feed.start(this.fanOut(), this.symbols);
      return;
    }
    // Joining a connection already up: what the others heard when it came up.
    if (this.lastHealth) listener.health(this.lastHealth);
    if (this.lastHealth?.state === 'live') listener.resync();
  }

  private async leave(key: string): Promise<void> {
    this.listeners.delete(key);
    if (this.listeners.size > 0 || !this.started || this.stopped) return;
    this.stopped = true;
    await this.feed.stop();
  }

  private each(fn: (l: FeedListener) => void): void {
    for (const l of this.listeners.values()) fn(l);
  }

  private fanOut(): FeedListener {
    return {
      // Every listener filters by symbol too; handing a tick to its own engine alone saves the others the work.
      tick: (symbol, exchange, ltp, at) => this.listeners.get(instrumentKey(symbol, exchange))?.tick(symbol, exchange, ltp, at),
      orderUpdate: (report) => {
        this.onOrderUpdate();
        this.each((l) => l.orderUpdate(report));
      },
      health: (health) => {
        this.lastHealth = health;
        this.each((l) => l.health(health));
      },
      resync: () => this.each((l) => l.resync()),
      // The server's clock is one clock: one listener's sample is enough.
      serverTime: (sample) => this.listeners.values().next().value?.serverTime?.(sample),
      note: (level, text) => this.each((l) => l.note(level, text)),
    };
  }
}

/** The hub's name for an instrument: the one its engine joins with. */
export function instrumentKey(symbol: string, exchange: string): string {
  return `${symbol.toUpperCase()}@${exchange.toUpperCase()}`;
}
