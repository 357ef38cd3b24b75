import { BrokerError, isBrokerError } from '../broker/errors.js';
import type { Broker, MultiQuote, OrderReport, OrderRequest, PositionRow, Quote, TradeRow } from '../broker/types.js';
import type { Clock } from '../time/clock.js';

// Several instruments, one account: the order book, the trade book and the position book are the
// account's, so one read serves every instrument's engine. Each engine gets its own view of the
// one broker; a book read through a view joins a read another view already has in flight, or
// takes one finished a moment ago — but never a read sent before this view's own last order
// call or order read was answered: an engine that just placed an order must see it (or know it
// is missing) in the books it reads next, and one that just read a fill (an order's status, a
// book) must not then be handed a position book sent before that fill, which would show the
// position it has just closed. Everything else passes straight through, so the process-wide
// client's rate limiter per route stays the one budget. Quotes too: one `multiquotes` call
// serves every instrument's quote poll of the same instant (the polls are aligned), and a server
// without the route is asked one instrument at a time from then on.

/** How old a finished read may be and still serve another engine, ms. */
export const SHARED_READ_REUSE_MS = 250;

type BookName = 'orders' | 'ordersWithFills' | 'trades' | 'positions' | 'quotes';

/** The desk's instruments, quoted together. */
type Instruments = readonly { symbol: string; exchange: string }[];

interface Read<T> {
  /** Order calls and order reads answered (any view) when it was sent: it is newer than every one of them. */
  seq: number;
  sentAt: number;
  /** Clock ms it answered; null while in flight. */
  doneAt: number | null;
  result: Promise<T>;
}

/** How many reads each view asked for and how many the broker actually served (bench, tests). */
export interface SharedReadCounts {
  asked: number;
  sent: number;
  /** The same, per book: `orders` (ids only), `ordersWithFills`, `trades`, `positions`. */
  byBook: Record<string, { asked: number; sent: number }>;
}

export class SharedReads {
  /** Order calls and order reads answered so far, over every view. */
  private answered = 0;
  /** No view takes a read older than this: an order update was pushed (see orderNews). */
  private floor = 0;
  private readonly last = new Map<BookName, Read<unknown>>();
  readonly counts: SharedReadCounts = { asked: 0, sent: 0, byBook: {} };

  /** The server answered multiquotes with "no such route" (or refused it): quote one at a time. */
  private multiQuoteRefused = false;

  constructor(
    private readonly broker: Broker,
    private readonly clock: Clock,
    private readonly reuseMs = SHARED_READ_REUSE_MS,
    private readonly instruments: Instruments = [],
  ) {}

  /** One engine's broker: its own writes, the account's shared reads. */
  view(): Broker {
    const broker = this.broker;
    // The calls answered (all views) when this view's own last order call or order read was
    // answered: what the view knows is no newer than that.
    let ownSeq = 0;
    const observed =
      <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        try {
          return await fn(...args);
        } finally {
          ownSeq = ++this.answered;
        }
      };
    const read = <T extends object>(name: BookName, fetch: () => Promise<T[]>, alsoFrom: BookName[] = []): Promise<T[]> =>
      // Each engine gets rows of its own: one that annotates a row must not change another's.
      observed(() => this.read(name, ownSeq, fetch, alsoFrom).then((rows) => rows.map((row) => ({ ...row }))))();
    return {
      label: broker.label,
      placeOrder: observed((req: OrderRequest) => broker.placeOrder(req)),
      cancelOrder: observed((id: string) => broker.cancelOrder(id)),
      modifyOrder: observed((id: string, req: OrderRequest) => broker.modifyOrder(id, req)),
      orderStatus: observed((id: string) => broker.orderStatus(id)),
      orderBook: (opts) =>
        opts?.fills === false
          ? read<OrderReport>('orders', () => broker.orderBook(opts), ['ordersWithFills'])
          : read<OrderReport>('ordersWithFills', () => broker.orderBook(opts)),
      tradeBook: () => read<TradeRow>('trades', () => broker.tradeBook()),
      positionBook: () => read<PositionRow>('positions', () => broker.positionBook()),
      quote: (symbol, exchange) => this.quote(symbol, exchange),
      searchInstrument: (symbol, exchange) => broker.searchInstrument(symbol, exchange),
      health: () => broker.health(),
      ...(broker.history ? { history: broker.history.bind(broker) } : {}),
      ...(broker.marketHolidays ? { marketHolidays: broker.marketHolidays.bind(broker) } : {}),
      ...(broker.marketTimings ? { marketTimings: broker.marketTimings.bind(broker) } : {}),
      // The client belongs to the desk: it closes it once, after every engine stopped.
      close: async () => {},
    };
  }

  /**
   * An order update was pushed: the engine that hears it knows of a fill (or a cancel) that no
   * read sent before it shows, so from now on no view takes such a read. Not knowing which
   * engine the update was for, every view is held to it; it costs a shared read now and then.
   */
  orderNews(): void {
    this.floor = ++this.answered;
  }

  /** One instrument's quote: from the multiquote of every instrument that serves this instant. */
  private async quote(symbol: string, exchange: string): Promise<Quote> {
    const batch = this.broker.multiQuote?.bind(this.broker);
    const ours = this.instruments.some((i) => i.symbol === symbol && i.exchange === exchange);
    if (!batch || this.multiQuoteRefused || this.instruments.length < 2 || !ours) return this.broker.quote(symbol, exchange);
    let rows: MultiQuote[];
    try {
      // Quotes carry no order news: any recent multiquote serves (seq 0).
      rows = await this.read<MultiQuote>('quotes', 0, () => batch(this.instruments), []);
    } catch (err) {
      if (!isBrokerError(err, 'not_found') && !isBrokerError(err, 'rejected')) throw err;
      this.multiQuoteRefused = true;
      return this.broker.quote(symbol, exchange);
    }
    const row = rows.find((r) => r.symbol === symbol && r.exchange === exchange);
    if (!row?.quote) throw new BrokerError('server', `quote for ${symbol} on ${exchange}: ${row?.error ?? 'not in the multiquotes reply'}`);
    return row.quote;
  }

  private read<T extends object>(name: BookName, viewSeq: number, fetch: () => Promise<T[]>, alsoFrom: BookName[]): Promise<T[]> {
    const ownSeq = Math.max(viewSeq, this.floor);
    this.counts.asked++;
    const book = (this.counts.byBook[name] ??= { asked: 0, sent: 0 });
    book.asked++;
    const now = this.clock.now();
    for (const candidate of [name, ...alsoFrom]) {
      const r = this.last.get(candidate);
      if (r && r.seq >= ownSeq && (r.doneAt === null || now - r.doneAt <= this.reuseMs)) return r.result as Promise<T[]>;
    }
    this.counts.sent++;
    book.sent++;
    const entry: Read<T[]> = { seq: this.answered, sentAt: now, doneAt: null, result: fetch() };
    this.last.set(name, entry);
    entry.result.then(
      () => { entry.doneAt = this.clock.now(); },
      // A failed read serves nobody later: the next asker sends its own.
      () => { if (this.last.get(name) === entry) this.last.delete(name); },
    );
    return entry.result;
  }
}
