// The in-process paper broker: the app's default Broker. It trades one paper market per
// instrument, matches each order against its own market on every price print (and at once on
// placement), keeps one set of order/trade/position books for all of them, and misbehaves on
// purpose when faults are configured or injected (one fault plan: faults are per call, whatever
// the instrument). Time is the injected clock's.

import type { Clock } from '../../time/clock.js';
import { BrokerError } from '../errors.js';
import type {
  Action, Broker, BrokerHealth, ExchangeSession, Instrument, MarketHoliday, MultiQuote, OrderReport, OrderRequest, PositionRow, Quote, TradeRow,
} from '../types.js';
import { PaperCalendar } from './calendar.js';
import { FaultPlan, type BrokerCallName, type FaultMatch, type OnceFault } from './fault-plan.js';
import { resolveFaults, type FaultConfig } from './faults.js';
import { Ledger, isOpen, type PaperOrder } from './ledger.js';
import type { MarketState, PaperMarket, PriceEvent } from './market.js';
import { matchEvent, matchNow } from './matching.js';
import type {
  PaperFill,
  PaperFunds,
  PositionView,
  ReceivedCancel,
  ReceivedModify,
  ReceivedOrder,
  SubmitResult,
  TradeView,
} from './paper-types.js';
import { validateOrder } from './validate.js';

export type * from './paper-types.js';

export interface PaperBrokerOptions {
  clock: Clock;
  /** The market of the one instrument traded; or `markets` for several (give exactly one of the two). */
  market?: PaperMarket;
  /** One market per instrument traded, none twice; the first is the broker's `market`. */
  markets?: readonly PaperMarket[];
  /** More instruments searchInstrument knows; orders need a market's own instrument. */
  instruments?: Instrument[];
  /** The strategy label an OpenAlgo client would send; informational only. */
  strategy?: string;
  /** Misbehaviours; anything unset is off (see DEFAULT_FAULTS). */
  faults?: Partial<FaultConfig>;
  /** How long placeOrder waits, on the clock, before a timeout fault throws. Default 10000. */
  clientTimeoutMs?: number;
  /** Seed of the fault rolls. Default 1. */
  seed?: number;
  /** Cash funds() reports before P&L. Default 1,000,000. */
  startingCash?: number;
  /** Holidays and special sessions marketHolidays/marketTimings answer with. Default: none (every day regular). */
  calendar?: PaperCalendar;
  /**
   * Leave out of the order and trade books the orders that ended (filled, cancelled, rejected)
   * longer ago than this, ms. A backtest's fast-forwarded day reads its books every second; the
   * day's hundreds of settled orders would make each read cost more than the whole strategy.
   * Default: never (the whole day's books, as a broker serves them).
   */
  bookRetentionMs?: number;
}

const CALL_NAMES: readonly BrokerCallName[] = [
  'placeOrder', 'orderStatus', 'cancelOrder', 'modifyOrder', 'orderBook', 'tradeBook', 'positionBook',
  'quote', 'searchInstrument', 'health', 'openPosition', 'closeAllPositions', 'cancelAllOrders', 'funds',
  'marketHolidays', 'marketTimings',
];

export class PaperBroker implements Broker {
  readonly label = 'paper';
  readonly strategy: string;
  /** Every placeOrder request ever received, in order (tests assert on these). */
  readonly placedOrders: ReceivedOrder[] = [];
  readonly cancelRequests: ReceivedCancel[] = [];
  readonly modifyRequests: ReceivedModify[] = [];
  /** Calls received, per call name (failed ones included). */
  readonly receivedCalls: Record<BrokerCallName, number>;
  /** The first market (the only one when the broker trades one instrument). */
  readonly market: PaperMarket;
  /** Every market, one per instrument, the first being `market`. */
  readonly markets: readonly PaperMarket[];
  readonly clientTimeoutMs: number;

  private readonly clock: Clock;
  private readonly plan: FaultPlan;
  private readonly ledger: Ledger;
  private readonly instruments: Instrument[];
  private readonly active = new Set<string>();
  private readonly startingCash: number;
  private readonly calendar: PaperCalendar;
  /** "SYMBOL|EXCHANGE" (upper case) → its market. */
  private readonly marketByKey = new Map<string, PaperMarket>();
  private readonly unsubscribers: (() => void)[];
  private nextId = 1;
  private nextExternal = 1;
  private readonly orderListeners = new Set<(report: OrderReport) => void>();
  private readonly bookRetentionMs: number | null;
  /** When each order was first seen ended by a book read (bookRetentionMs). */
  private readonly endedSeenAt = new Map<string, number>();
  /** Orders left out of the books for good (bookRetentionMs). */
  private readonly retired = new Set<string>();

  constructor(opts: PaperBrokerOptions) {
    this.clock = opts.clock;
    if (opts.market && opts.markets) throw new RangeError('PaperBroker: give market (one instrument) or markets (several), not both');
    const markets = opts.markets ?? (opts.market ? [opts.market] : []);
    const [first] = markets;
    if (first === undefined) throw new RangeError('PaperBroker: needs a market (market, or markets with at least one)');
    for (const m of markets) {
      const key = instrumentKey(m.instrument.symbol, m.instrument.exchange);
      if (this.marketByKey.has(key)) throw new RangeError(`PaperBroker: two markets for ${m.instrument.symbol} on ${m.instrument.exchange}: give each instrument one market`);
      this.marketByKey.set(key, m);
    }
    this.market = first;
    this.markets = [...markets];
    this.strategy = opts.strategy ?? 'random-scalp';
    this.clientTimeoutMs = opts.clientTimeoutMs ?? 10_000;
    this.startingCash = opts.startingCash ?? 1_000_000;
    this.calendar = opts.calendar ?? new PaperCalendar();
    this.bookRetentionMs = opts.bookRetentionMs ?? null;
    this.plan = new FaultPlan(opts.seed ?? 1, opts.faults);
    this.ledger = new Ledger((symbol, exchange) => this.marketOf({ symbol, exchange }).grid);
    this.instruments = [...this.markets.map((m) => m.instrument), ...(opts.instruments ?? [])];
    this.receivedCalls = Object.fromEntries(CALL_NAMES.map((n) => [n, 0])) as Record<BrokerCallName, number>;
    this.unsubscribers = this.markets.map((m) => m.onPrice((e) => this.onPrice(m, e)));
  }

  // ---- test controls -------------------------------------------------------------------------

  /** Script a fault to fire once, at the next call/order/fill/step it applies to (and `match` allows). */
  injectOnce(fault: OnceFault, match: FaultMatch = {}): void {
    this.plan.inject(fault, match);
  }

  /** Change fault settings from now on (merged over the current ones). */
  setFaults(partial: Partial<FaultConfig>): void {
    this.plan.config = resolveFaults({ ...this.plan.config, ...partial });
  }

  get faultConfig(): Readonly<FaultConfig> {
    return this.plan.config;
  }

  /** One-shot faults injected but not yet fired. */
  get pendingFaults(): readonly { fault: OnceFault; match: FaultMatch }[] {
    return this.plan.pendingOnce;
  }

  /**
   * Close every open position at market as if the trader used the broker's terminal: trade rows
   * under external order ids ("EXT-1"...), visible in the order book as complete MARKET orders.
   */
  closePositionExternally(): PaperFill[] {
    return this.closeAll(this.statesNow(), () => `EXT-${this.nextExternal++}`);
  }

  /** The net quantity now (no call counted, no faults): for test assertions. Default: the first market's instrument. */
  netQuantity(symbol = this.market.instrument.symbol, exchange = this.market.instrument.exchange, product = 'MIS'): number {
    for (const m of this.markets) m.sync();
    return this.ledger.positions.get(`${symbol}|${exchange}|${product}`)?.quantity ?? 0;
  }

  /** Ids of the orders still open (working or trigger pending), no call counted: for test assertions. */
  openOrderIds(): string[] {
    for (const m of this.markets) m.sync();
    return [...this.active];
  }

  /**
   * The prices (rupees) at which an open order of this instrument would act: each limit and each
   * untriggered stop's trigger, no call counted. A backtest's bar path stops at each on its way,
   * so a stop triggered by a steady move meets its limit while the price is still at it.
   */
  restingLevels(symbol: string, exchange: string): number[] {
    const market = this.marketFor(symbol, exchange);
    if (!market) return [];
    const levels: number[] = [];
    for (const id of this.active) {
      const o = this.ledger.orders.get(id);
      if (!o || this.marketOf(o) !== market) continue;
      if (o.status === 'trigger_pending') levels.push(market.grid.fromTicks(o.trigger));
      if (o.priceType === 'LIMIT' || o.priceType === 'SL') levels.push(market.grid.fromTicks(o.price));
    }
    return levels;
  }

  /** First fill price of an order (what OpenAlgo's orderstatus reports as average_price). */
  firstFillPrice(orderId: string): number | null {
    const order = this.ledger.orders.get(orderId);
    const ticks = order?.firstFillPrice ?? null;
    return order === undefined || ticks === null ? null : this.marketOf(order).grid.fromTicks(ticks);
  }

  /** The market of an instrument (any case), or undefined when the broker does not trade it. */
  marketFor(symbol: string, exchange: string): PaperMarket | undefined {
    return this.marketByKey.get(instrumentKey(symbol, exchange));
  }

  /**
   * Every change of an order's state (placed, filled in part or whole, cancelled, rejected,
   * modified), as the report a push feed would carry. Returns the unsubscribe function.
   */
  onOrderChange(listener: (report: OrderReport) => void): () => void {
    this.orderListeners.add(listener);
    return () => this.orderListeners.delete(listener);
  }

  private changed(o: PaperOrder): void {
    if (this.orderListeners.size === 0) return;
    const report = this.ledger.report(o);
    for (const listener of this.orderListeners) listener(report);
  }

  // ---- Broker ----------------------------------------------------------------------------------

  async placeOrder(req: OrderRequest): Promise<{ orderId: string }> {
    const result = await this.submitOrder(req);
    if (result.timeout !== null) {
      await this.clock.sleep(this.clientTimeoutMs);
      throw new BrokerError('timeout', `placeorder: no response within ${this.clientTimeoutMs} ms`);
    }
    return { orderId: result.orderId };
  }

  /**
   * Place an order without the client-side wait: the paper-server uses this and delays its HTTP
   * response itself. Throws like placeOrder for rejections and call faults.
   */
  async submitOrder(req: OrderRequest): Promise<SubmitResult> {
    const record: ReceivedOrder = {
      seq: this.placedOrders.length + 1,
      at: this.clock.now(),
      request: { ...req },
      orderId: null,
      outcome: 'failed',
    };
    this.placedOrders.push(record);
    try {
      await this.admit('placeOrder');
      if (this.plan.timeoutNotPlaced(req)) {
        record.outcome = 'not_placed';
        return { orderId: null, timeout: 'not_placed' };
      }
      const market = this.marketFor(req.symbol, req.exchange);
      // An instrument without a market is refused by validate; the first market stands in for its prices.
      const state = (market ?? this.market).state();
      const prices = this.validate(req, market, state);
      const faults = this.plan.accepted(req);
      // Book it under the instrument's own spelling, so positions key consistently.
      const { symbol, exchange } = (market ?? this.market).instrument;
      const order = this.newOrder({ ...req, symbol, exchange }, prices, state.at);
      order.visibleAt = state.at + faults.hiddenMs;
      order.hangUntil = faults.hangMs > 0 ? state.at + faults.hangMs : null;
      this.ledger.add(order);
      record.orderId = order.id;
      record.outcome = 'placed';
      if (faults.rejectAfterAccept !== null) {
        order.status = 'rejected';
        order.rejectionReason = faults.rejectAfterAccept;
      } else {
        this.active.add(order.id);
      }
      this.changed(order);
      if (order.status !== 'rejected') this.match(order, null, state);
      return faults.acceptThenTimeout ? { orderId: order.id, timeout: 'accepted' } : { orderId: order.id, timeout: null };
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'rejected') record.outcome = 'rejected';
      record.message = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  async orderStatus(orderId: string): Promise<OrderReport> {
    await this.admit('orderStatus');
    return this.ledger.report(this.visibleOrder(orderId));
  }

  async cancelOrder(orderId: string): Promise<void> {
    const record: ReceivedCancel = { at: this.clock.now(), orderId, outcome: 'failed' };
    this.cancelRequests.push(record);
    try {
      await this.admit('cancelOrder');
      const o = this.visibleOrder(orderId);
      if (!isOpen(o)) throw new BrokerError('rejected', `Order ${orderId} cannot be cancelled: it is already ${o.status}`);
      o.status = 'cancelled';
      this.active.delete(o.id);
      record.outcome = 'cancelled';
      this.changed(o);
    } catch (err) {
      record.outcome = outcomeOf(err);
      record.message = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  async modifyOrder(orderId: string, req: OrderRequest): Promise<void> {
    const record: ReceivedModify = { at: this.clock.now(), orderId, request: { ...req }, outcome: 'failed' };
    this.modifyRequests.push(record);
    try {
      await this.admit('modifyOrder');
      const o = this.visibleOrder(orderId);
      if (!isOpen(o)) throw new BrokerError('rejected', `Order ${orderId} cannot be modified: it is already ${o.status}`);
      const market = this.marketOf(o);
      if (req.action !== o.action || !sameSymbol(market.instrument, req.symbol, req.exchange)) {
        throw new BrokerError('rejected', `Order ${orderId}: symbol, exchange and action cannot be modified`);
      }
      if (req.quantity <= o.filled) {
        throw new BrokerError('rejected', `Order ${orderId}: quantity ${req.quantity} must exceed the filled quantity ${o.filled}`);
      }
      const state = market.state();
      const wasStop = o.priceType === 'SL' || o.priceType === 'SL-M';
      const prices = this.validate(req, market, state, wasStop && o.status === 'working');
      const isStop = req.priceType === 'SL' || req.priceType === 'SL-M';
      o.priceType = req.priceType;
      o.quantity = req.quantity;
      o.product = req.product;
      o.price = prices.price;
      o.trigger = prices.trigger;
      o.gapSkipped = false;
      // A stop that already triggered stays triggered; a new stop waits for its trigger.
      if (isStop && (!wasStop || o.status === 'trigger_pending')) o.status = 'trigger_pending';
      else o.status = 'working';
      record.outcome = 'modified';
      this.changed(o);
      this.match(o, null, state);
    } catch (err) {
      record.outcome = outcomeOf(err);
      record.message = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  async orderBook(): Promise<OrderReport[]> {
    await this.admit('orderBook');
    return this.visibleOrders().map((o) => this.ledger.report(o));
  }

  async tradeBook(): Promise<TradeRow[]> {
    return (await this.tradeBookDetailed()).map(({ product: _product, ...row }) => row);
  }

  /** The trade book with each row's product (what the paper-server serves). */
  async tradeBookDetailed(): Promise<TradeView[]> {
    await this.admit('tradeBook');
    const now = this.clock.now();
    return this.ledger.trades
      .filter((t) => (this.ledger.orders.get(t.orderId)?.visibleAt ?? 0) <= now && !this.retired.has(t.orderId))
      .map((t) => ({ ...this.ledger.tradeRow(t), product: t.product }));
  }

  async positionBook(): Promise<PositionRow[]> {
    return (await this.positionBookDetailed()).map(({ pnl: _pnl, ...row }) => row);
  }

  /** The position book with P&L (what the paper-server serves). */
  async positionBookDetailed(): Promise<PositionView[]> {
    await this.admit('positionBook');
    return [...this.ledger.positions.values()].map((p) => {
      const ltp = this.ltpFor(p.symbol, p.exchange);
      return { ...this.ledger.positionRow(p, ltp), pnl: this.ledger.pnl(p, ltp) };
    });
  }

  async quote(symbol: string, exchange: string): Promise<Quote> {
    await this.admit('quote');
    const market = this.marketFor(symbol, exchange);
    if (!market) throw new BrokerError('not_found', `no quote for ${symbol} on ${exchange}`, 404);
    return market.quote();
  }

  /** One call for several instruments; one the market does not have is answered with an error, as adapters do. */
  async multiQuote(instruments: readonly { symbol: string; exchange: string }[]): Promise<MultiQuote[]> {
    await this.admit('quote');
    return instruments.map(({ symbol, exchange }) => {
      const market = this.marketFor(symbol, exchange);
      return market ? { symbol, exchange, quote: market.quote(), error: null } : { symbol, exchange, quote: null, error: `no quote for ${symbol} on ${exchange}` };
    });
  }

  async searchInstrument(symbol: string, exchange: string): Promise<Instrument | null> {
    await this.admit('searchInstrument');
    const found = this.instruments.find((i) => sameSymbol(i, symbol, exchange));
    return found ? { ...found } : null;
  }

  /** Instruments whose symbol contains `query` (OpenAlgo's search; counted as searchInstrument). */
  async findInstruments(query: string, exchange?: string): Promise<Instrument[]> {
    await this.admit('searchInstrument');
    const q = query.trim().toUpperCase();
    return this.instruments
      .filter((i) => i.symbol.toUpperCase().includes(q) && (exchange === undefined || i.exchange.toUpperCase() === exchange.toUpperCase()))
      .map((i) => ({ ...i }));
  }

  async health(): Promise<BrokerHealth> {
    await this.admit('health');
    return { broker: 'paper', analyzer: false };
  }

  async marketHolidays(year: number): Promise<MarketHoliday[]> {
    await this.admit('marketHolidays');
    return this.calendar.holidays(year);
  }

  async marketTimings(date: string): Promise<ExchangeSession[]> {
    await this.admit('marketTimings');
    return this.calendar.timings(date);
  }

  async close(): Promise<void> {
    for (const off of this.unsubscribers.splice(0)) off();
  }

  // ---- the rest of OpenAlgo's account calls (for the paper-server) ------------------------------

  /** Net quantity of one position (OpenAlgo's openposition). */
  async openPosition(symbol: string, exchange: string, product: string): Promise<number> {
    await this.admit('openPosition');
    return this.ledger.positions.get(`${symbol}|${exchange}|${product}`)?.quantity ?? 0;
  }

  /** Square off every position at market (OpenAlgo's closeposition). */
  async closeAllPositions(): Promise<PaperFill[]> {
    await this.admit('closeAllPositions');
    return this.closeAll(this.statesNow(), () => this.issueId());
  }

  /** Cancel every open order (OpenAlgo's cancelallorder). */
  async cancelAllOrders(): Promise<string[]> {
    await this.admit('cancelAllOrders');
    const cancelled: string[] = [];
    for (const o of this.visibleOrders()) {
      if (!isOpen(o)) continue;
      o.status = 'cancelled';
      this.active.delete(o.id);
      cancelled.push(o.id);
      this.changed(o);
    }
    return cancelled;
  }

  async funds(): Promise<PaperFunds> {
    await this.admit('funds');
    return this.ledger.funds(this.startingCash, (p) => this.ltpFor(p.symbol, p.exchange));
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** Every call: count it, wait the latency, fail it by fault, bring every market up to now. */
  private async admit(call: BrokerCallName): Promise<void> {
    this.receivedCalls[call]++;
    const latency = this.plan.latency(call);
    if (latency > 0) await this.clock.sleep(latency);
    const error = this.plan.callError(call);
    if (error === 'server') throw new BrokerError('server', `${call}: 500 internal server error (paper fault)`, 500);
    if (error === 'rate_limited') throw new BrokerError('rate_limited', `${call}: 429 too many requests (paper fault)`, 429);
    try {
      for (const m of this.markets) await m.update();
    } catch (err) {
      if (err instanceof BrokerError) throw err;
      throw new BrokerError('server', `live quote failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A print of one market: its own orders match on it; an outside close (fault) closes its own positions. */
  private onPrice(market: PaperMarket, e: PriceEvent): void {
    let gapTo: number | null = null;
    for (const id of this.active) {
      const o = this.ledger.orders.get(id);
      if (!o || this.marketOf(o) !== market) continue;
      const gap = this.stopGapFrom(o, e);
      if (gap !== null) gapTo = gapTo === null ? gap : o.action === 'SELL' ? Math.min(gapTo, gap) : Math.max(gapTo, gap);
      else this.match(o, e, e);
    }
    if (gapTo !== null) {
      // Fault stopGap: the print that would trigger a stop-limit is a gap straight past its
      // limit instead. The stop triggers on that gap and rests unfilled, as on the exchange.
      market.gapTo(market.grid.fromTicks(gapTo));
      return;
    }
    const open = [...this.ledger.positions.values()].some((p) => p.quantity !== 0 && this.marketOf(p) === market);
    if (open && this.plan.externalClose()) this.closeAll(new Map([[market, e]]), () => `EXT-${this.nextExternal++}`);
  }

  /**
   * Fault stopGap: a stop-limit that this print triggers gaps past its limit instead — the
   * price (in ticks) the market jumps to, as far beyond the limit as the limit is from the
   * trigger (at least two ticks); null when the fault does not hit.
   */
  private stopGapFrom(o: PaperOrder, e: PriceEvent): number | null {
    if (o.priceType !== 'SL' || o.status !== 'trigger_pending' || e.kind === 'gap') return null;
    const triggers = o.action === 'SELL' ? e.ltp <= o.trigger : e.ltp >= o.trigger;
    if (!triggers || !this.plan.stopGaps(o)) return null;
    const beyond = Math.max(2, Math.abs(o.trigger - o.price));
    return o.action === 'SELL' ? Math.max(1, o.price - beyond) : o.price + beyond;
  }

  /** Match one order on a print (`e`), or against the market as it stands (`e` null). */
  private match(o: PaperOrder, e: PriceEvent | null, s: MarketState): void {
    if (!isOpen(o)) return;
    if (o.hangUntil !== null) {
      if (s.at < o.hangUntil) return;
      o.hangUntil = null;
    }
    if (s.at <= o.blockedThrough) return;
    const price = e ? matchEvent(o, e, () => this.plan.gapSkipsLimit(o)) : matchNow(o, s);
    if (price === null) return;
    let quantity = o.quantity - o.filled;
    if (!o.partialDecided) {
      o.partialDecided = true;
      const part = this.plan.partialFill({ action: o.action, priceType: o.priceType, quantity }, this.marketOf(o).instrument.lotSize);
      if (part !== null && part < quantity) {
        quantity = part;
        o.blockedThrough = this.plan.config.partialRestFills ? s.at : Number.POSITIVE_INFINITY;
      }
    }
    this.ledger.fill(o, quantity, price, s.at);
    if (!isOpen(o)) this.active.delete(o.id);
    this.changed(o);
  }

  /** Every market's state now, read once before closing (reading may print and fill). */
  private statesNow(): Map<PaperMarket, MarketState> {
    return new Map(this.markets.map((m) => [m, m.state()]));
  }

  /** Square off at market every open position whose market is in `states`, at that state's touch. */
  private closeAll(states: ReadonlyMap<PaperMarket, MarketState>, nextId: () => string): PaperFill[] {
    const fills: PaperFill[] = [];
    for (const p of this.ledger.positions.values()) {
      if (p.quantity === 0) continue;
      const market = this.marketOf(p);
      const s = states.get(market);
      if (s === undefined) continue;
      const action: Action = p.quantity > 0 ? 'SELL' : 'BUY';
      const quantity = Math.abs(p.quantity);
      const order = this.newOrder(
        { symbol: p.symbol, exchange: p.exchange, action, quantity, priceType: 'MARKET', product: p.product },
        { price: 0, trigger: 0 },
        s.at,
        nextId(),
      );
      order.external = true;
      this.ledger.add(order);
      const price = action === 'SELL' ? s.bid : s.ask;
      this.ledger.fill(order, quantity, price, s.at);
      this.changed(order);
      fills.push({ orderId: order.id, symbol: p.symbol, exchange: p.exchange, product: p.product, action, quantity, price: market.grid.fromTicks(price) });
    }
    return fills;
  }

  /** `market` is the request's instrument's, undefined when the broker has none (refused). */
  private validate(req: OrderRequest, market: PaperMarket | undefined, state: MarketState, triggered = false): { price: number; trigger: number } {
    const prices = validateOrder(req, market?.instrument ?? null, (market ?? this.market).grid, state.ltp, triggered);
    if (this.plan.slmRefused(req)) {
      throw new BrokerError('rejected', 'SL-M orders are not allowed for this instrument');
    }
    if (this.plan.marketRefused(req)) {
      throw new BrokerError('rejected', 'MARKET orders are not allowed for this contract: place a LIMIT order (market protection)');
    }
    return prices;
  }

  private newOrder(req: OrderRequest, prices: { price: number; trigger: number }, at: number, id = this.issueId()): PaperOrder {
    const stop = req.priceType === 'SL' || req.priceType === 'SL-M';
    return {
      id,
      symbol: req.symbol,
      exchange: req.exchange,
      action: req.action,
      product: req.product,
      priceType: req.priceType,
      quantity: req.quantity,
      price: prices.price,
      trigger: prices.trigger,
      status: stop ? 'trigger_pending' : 'working',
      filled: 0,
      fillValue: 0,
      firstFillPrice: null,
      placedAt: at,
      visibleAt: at,
      hangUntil: null,
      blockedThrough: Number.NEGATIVE_INFINITY,
      partialDecided: false,
      gapSkipped: false,
      external: false,
    };
  }

  /** Numeric-looking ids, like most Indian brokers'. */
  private issueId(): string {
    return String(250_000_000 + this.nextId++);
  }

  private visibleOrder(orderId: string): PaperOrder {
    const o = this.ledger.orders.get(orderId);
    if (!o || this.clock.now() < o.visibleAt) throw new BrokerError('not_found', `Order ${orderId} not found`, 404);
    return o;
  }

  private visibleOrders(): PaperOrder[] {
    const now = this.clock.now();
    const out: PaperOrder[] = [];
    for (const o of this.ledger.orders.values()) {
      if (o.visibleAt <= now && !this.isRetired(o, now)) out.push(o);
    }
    return out;
  }

  /** bookRetentionMs: an order that ended longer ago than that is left out of the books. */
  private isRetired(o: PaperOrder, now: number): boolean {
    if (this.bookRetentionMs === null) return false;
    if (this.retired.has(o.id)) return true;
    if (isOpen(o)) return false;
    const seen = this.endedSeenAt.get(o.id);
    if (seen === undefined) {
      this.endedSeenAt.set(o.id, now);
      return false;
    }
    if (now - seen <= this.bookRetentionMs) return false;
    this.endedSeenAt.delete(o.id);
    this.retired.add(o.id);
    return true;
  }

  /** The market a booked row (order, trade, position) belongs to: rows are booked only on a market's instrument. */
  private marketOf(row: { symbol: string; exchange: string }): PaperMarket {
    return this.marketFor(row.symbol, row.exchange) ?? this.market;
  }

  private ltpFor(symbol: string, exchange: string): number | null {
    return this.marketFor(symbol, exchange)?.state().ltp ?? null;
  }
}

function instrumentKey(symbol: string, exchange: string): string {
  return `${symbol.toUpperCase()}|${exchange.toUpperCase()}`;
}

function sameSymbol(i: Instrument, symbol: string, exchange: string): boolean {
  return i.symbol.toUpperCase() === symbol.toUpperCase() && i.exchange.toUpperCase() === exchange.toUpperCase();
}

function outcomeOf(err: unknown): 'rejected' | 'not_found' | 'failed' {
  if (err instanceof BrokerError && err.kind === 'rejected') return 'rejected';
  if (err instanceof BrokerError && err.kind === 'not_found') return 'not_found';
  return 'failed';
}
