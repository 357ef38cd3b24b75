import { AUTH_MESSAGE, describeError, isBrokerError } from '../broker/errors.js';
import { fallbackLotSize, fallbackTickSize } from '../broker/instruments.js';
import { segmentOf } from '../broker/segment.js';
import { tickGrid } from '../broker/ticks.js';
import type { Instrument } from '../broker/types.js';
import { istParts } from '../time/ist.js';
import type { EngineContext } from './context.js';

// What a start asks of the broker before trading: the instrument's record, and (USE_HISTORY)
// past closes for the chart. A start that cannot go on is a StartupError with the CLI's code.

/** A start that cannot go on; `exitCode` follows the CLI contract (1 config, 2 broker). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(readonly exitCode: 1 | 2, message: string) {
    super(message);
  }
}

/** The instrument's lot, tick, segment and freeze quantity from the broker (fallbacks when search misses it). */
export async function resolveInstrument(ctx: EngineContext, failClosedOnUnknownSymbol: boolean): Promise<void> {
  const { symbol, exchange } = ctx.settings;
  let instrument: Instrument | null = null;
  try {
    instrument = await ctx.broker.searchInstrument(symbol, exchange);
  } catch (err) {
    if (isBrokerError(err, 'auth')) throw new StartupError(2, `cannot use the broker: ${AUTH_MESSAGE}`);
    if (!isBrokerError(err, 'not_found')) throw new StartupError(2, `instrument lookup failed: ${describeError(err)}`);
  }
  if (!instrument) {
    // Quotes are the second opinion: a symbol the broker quotes is real even if search missed it.
    let quoted = false;
    try {
      await ctx.broker.quote(symbol, exchange);
      quoted = true;
    } catch {
      quoted = false;
    }
    if (!quoted && failClosedOnUnknownSymbol) {
      throw new StartupError(1, `unknown symbol ${symbol} on ${exchange}: the broker neither finds nor quotes it (check SYMBOL and EXCHANGE)`);
    }
    ctx.log.warn('INSTRUMENT', `${symbol} not found by search: using fallbacks (lot ${fallbackLotSize(symbol) ?? 1}, tick ${fallbackTickSize(exchange)})`);
    return;
  }
  ctx.lotSize = instrument.lotSize > 0 ? instrument.lotSize : (fallbackLotSize(symbol) ?? 1);
  ctx.grid = tickGrid(instrument.tickSize > 0 ? instrument.tickSize : fallbackTickSize(exchange));
  ctx.segment = segmentOf(instrument.symbol, instrument.exchange, instrument.instrumentType);
  ctx.freezeQty = instrument.freezeQty;
}

/** USE_HISTORY: past closes seed the chart. Optional in every way: a failure only logs. */
export async function loadHistory(ctx: EngineContext): Promise<void> {
  const want = ctx.settings.history;
  if (!want) return;
  if (!ctx.broker.history) {
    ctx.log.info('HISTORY', `${ctx.broker.label} has no history: the chart starts empty`);
    return;
  }
  const today = istParts(ctx.clock.now()).day;
  const start = want.startDate ?? today;
  const end = want.endDate ?? today;
  try {
    const closes = await ctx.broker.history(ctx.settings.symbol, ctx.settings.exchange, want.interval, start, end);
    ctx.store.getState().historyLoaded(closes);
    ctx.log.info('HISTORY', `${closes.length} ${want.interval} closes ${start}…${end} loaded for the chart`);
  } catch (err) {
    ctx.log.warn('HISTORY', `history unavailable (${describeError(err)}): the chart starts empty`);
  }
}
