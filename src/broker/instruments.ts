// Fallbacks from the original bot, used when the broker's search does not say.

const INDEX_LOT_SIZES: Record<string, number> = {
  NIFTY: 75,
  NIFTYNXT50: 25,
  FINNIFTY: 65,
  BANKNIFTY: 35,
  MIDCPNIFTY: 75,
  SENSEX: 20,
  BANKEX: 30,
  SENSEX50: 60,
};

const EXCHANGE_TICKS: Record<string, number> = {
  NSE: 0.05,
  NFO: 0.05,
  BSE: 0.01,
  BFO: 0.05,
  MCX: 1.0,
  CDS: 0.0025,
  BCD: 0.0001,
};

/** Lot size by the index the symbol starts with (longest name first: NIFTYNXT50 before NIFTY). */
export function fallbackLotSize(symbol: string): number | null {
  const upper = symbol.toUpperCase();
  const names = Object.keys(INDEX_LOT_SIZES).sort((a, b) => b.length - a.length);
  for (const name of names) if (upper.startsWith(name)) return INDEX_LOT_SIZES[name] ?? null;
  return null;
}

export function fallbackTickSize(exchange: string): number {
  return EXCHANGE_TICKS[exchange.toUpperCase()] ?? 0.05;
}
