// The newcomer defaults: an option-like instrument around ₹100 that moves enough for a ₹2 target
// or ₹1 stop to be hit within 5–20 s of market time, with a few partial fills to show how they
// are handled.

import type { Clock } from '../../time/clock.js';
import { defaultPaperSymbol } from '../../time/expiry.js';
import { fallbackLotSize, fallbackTickSize } from '../instruments.js';
import type { Instrument } from '../types.js';
import type { PaperCalendar } from './calendar.js';
import { parseFaults, type FaultConfig } from './faults.js';
import { PaperMarket, type QuoteSource } from './market.js';
import { PaperBroker } from './paper-broker.js';
import { deriveSeed, textStream } from './rng.js';

/** The near-month NIFTY 25000 call when the process started (see defaultPaperSymbol). */
export const DEFAULT_PAPER_SYMBOL = defaultPaperSymbol(Date.now());
export const DEFAULT_PAPER_EXCHANGE = 'NFO';
/** Fault settings a default run starts with (caller's faults are laid over these). */
// The rest of a partial fill keeps matching: a limit far through the market must not sit half-filled.
export const DEFAULT_PAPER_FAULTS: Partial<FaultConfig> = { partialFill: 0.15, partialRestFills: true };

export interface DefaultPaperSetupOptions {
  clock: Clock;
  seed: number;
  /** Default: the near-month NIFTY 25000 call on `clock` (e.g. NIFTY29DEC2625000CE). */
  symbol?: string;
  /** Default NFO. */
  exchange?: string;
  /**
   * Several instruments, one market each (instead of symbol/exchange). The first market walks on
   * `seed` exactly as a one-instrument setup does; every other on a seed derived from `seed` and
   * its SYMBOL@EXCHANGE, so each replays the same whatever else is traded beside it.
   */
  symbols?: readonly { symbol: string; exchange: string }[];
  /** Laid over DEFAULT_PAPER_FAULTS; a string is parsed with parseFaults ("" = none extra). */
  faults?: Partial<FaultConfig> | string;
  /** placeOrder's wait before a timeout fault throws. Default 10000. */
  clientTimeoutMs?: number;
  /** "Paper on live data": prices come from here instead of the random walk. */
  quoteSource?: QuoteSource;
  /** First LTP of every market. Default 100. */
  startPrice?: number;
  /** The exchange calendar the broker answers with (default: no holidays). */
  calendar?: PaperCalendar;
}

export interface PaperSetup {
  /** The first instrument (the only one without `symbols`). */
  instrument: Instrument;
  /** The first market. */
  market: PaperMarket;
  /** One market per instrument, in the order given; the first is `market`. */
  markets: PaperMarket[];
  broker: PaperBroker;
}

/** An instrument for the symbol: lot size from the index it starts with (else 1), tick from the exchange. */
export function paperInstrument(symbol: string, exchange: string): Instrument {
  const lotSize = fallbackLotSize(symbol) ?? 1;
  return {
    symbol,
    exchange,
    lotSize,
    tickSize: fallbackTickSize(exchange),
    // NSE's index option freeze limits are a whole number of lots (NIFTY: 24 × 75 = 1800).
    freezeQty: fallbackLotSize(symbol) !== null ? lotSize * 24 : null,
    name: symbol.match(/^[A-Z]+/)?.[0] ?? symbol,
  };
}

export function createDefaultPaperSetup(opts: DefaultPaperSetupOptions): PaperSetup {
  const wanted = opts.symbols && opts.symbols.length > 0
    ? opts.symbols
    : [{ symbol: opts.symbol ?? defaultPaperSymbol(opts.clock.now()), exchange: opts.exchange ?? DEFAULT_PAPER_EXCHANGE }];
  const markets = wanted.map((w, i) => {
    const instrument = paperInstrument(w.symbol, w.exchange.toUpperCase());
    const seed = i === 0 ? opts.seed : deriveSeed(opts.seed, textStream(`${instrument.symbol}@${instrument.exchange}`));
    return defaultMarket(opts, instrument, seed);
  });
  const [market] = markets;
  if (market === undefined) throw new RangeError('createDefaultPaperSetup: no instrument');
  const extra = typeof opts.faults === 'string' ? parseFaults(opts.faults) : (opts.faults ?? {});
  const broker = new PaperBroker({
    clock: opts.clock,
    markets,
    seed: opts.seed,
    faults: { ...DEFAULT_PAPER_FAULTS, ...extra },
    ...(opts.clientTimeoutMs !== undefined ? { clientTimeoutMs: opts.clientTimeoutMs } : {}),
    ...(opts.calendar ? { calendar: opts.calendar } : {}),
  });
  return { instrument: market.instrument, market, markets, broker };
}

function defaultMarket(opts: DefaultPaperSetupOptions, instrument: Instrument, seed: number): PaperMarket {
  const tick = instrument.tickSize;
  return new PaperMarket({
    clock: opts.clock,
    seed,
    instrument,
    startPrice: opts.startPrice ?? 100,
    stepMs: 250,
    // ₹0.20 per 250 ms step: a ₹1 stop or ₹2 target is hit in ~12 s on average.
    volatilityTicks: Math.max(1, Math.round(0.2 / tick)),
    spreadTicks: 2,
    // A gap of ₹1.5–4.5 about every four minutes.
    gapRate: 0.001,
    gapTicks: Math.max(1, Math.round(3 / tick)),
    meanReversion: 0.0005,
    ...(opts.quoteSource ? { quoteSource: opts.quoteSource } : {}),
  });
}
