// Fallbacks used when the broker's search does not say (paper, and a search that misses).

// NSE index lot sizes from the January 2026 series (weekly contracts from 6 Jan 2026, monthly
// from 27 Jan 2026; NSE circular on the periodic lot-size revision; see README "Exchange rules").
// Was NIFTY 75, BANKNIFTY 35, FINNIFTY 65, MIDCPNIFTY 140. BSE's are unchanged.
const INDEX_LOT_SIZES: Record<string, number> = {
  NIFTY: 65,
  NIFTYNXT50: 25,
  FINNIFTY: 60,
  BANKNIFTY: 30,
  MIDCPNIFTY: 120,
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
