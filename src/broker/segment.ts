// Which market segment an instrument trades in: the exchange's order rules (SL-M refused on
// options) and the statutory charges (STT, stamp duty, transaction charges) differ by segment.

export type Segment = 'option' | 'future' | 'equity';

const DERIVATIVE_EXCHANGES = new Set(['NFO', 'BFO', 'MCX', 'CDS', 'BCD', 'NCO', 'NCDEX']);

/**
 * From the broker's instrument type when it gives one (OpenAlgo's search: CE, PE, OPTIDX,
 * OPTSTK, FUTIDX, FUTSTK, EQ, …), else from the OpenAlgo symbol format: options end in CE/PE
 * (NIFTY29DEC2625000CE), futures in FUT (NIFTY29DEC26FUT), anything else on NSE/BSE is equity.
 */
export function segmentOf(symbol: string, exchange: string, instrumentType?: string): Segment {
  const type = (instrumentType ?? '').toUpperCase();
  if (type === 'CE' || type === 'PE' || type.startsWith('OPT')) return 'option';
  if (type.startsWith('FUT')) return 'future';
  if (type === 'EQ') return 'equity';
  const upper = symbol.toUpperCase();
  const derivative = DERIVATIVE_EXCHANGES.has(exchange.toUpperCase());
  if (derivative && /\d(CE|PE)$/.test(upper)) return 'option';
  if (derivative && upper.endsWith('FUT')) return 'future';
  return derivative ? 'future' : 'equity';
}
