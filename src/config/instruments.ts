import type { Config } from './schema.js';

/** One instrument the process trades: its own engine, state file, orders and position. */
export interface TradedInstrument {
  symbol: string;
  exchange: string;
  lots: number;
  /** `SYMBOL@EXCHANGE`: the instrument's name in the desk, the log and the lock. */
  key: string;
}

/**
 * What the process trades: SYMBOLS' entries with EXCHANGE and LOTS filling what an entry leaves
 * out, or SYMBOL alone. Two entries that name the same instrument once filled in (X and X@NFO
 * with EXCHANGE=NFO) would trade it twice: refused, naming both.
 */
export function tradedInstruments(config: Config): TradedInstrument[] | { error: string } {
  const entries = config.SYMBOLS ?? (config.SYMBOL ? [{ symbol: config.SYMBOL }] : []);
  const out: TradedInstrument[] = [];
  for (const [i, e] of entries.entries()) {
    const exchange = e.exchange ?? config.EXCHANGE;
    const key = `${e.symbol}@${exchange}`;
    const twin = out.findIndex((o) => o.key === key);
    if (twin >= 0) return { error: `invalid SYMBOLS: entries ${twin + 1} and ${i + 1} both name ${key} (EXCHANGE=${config.EXCHANGE} fills an entry without @EXCHANGE): list each instrument once` };
    out.push({ symbol: e.symbol, exchange, lots: e.lots ?? config.LOTS, key });
  }
  return out;
}
