import type { JournalTrade } from '../../src/journal/reads.js';
import type { ChargeBreakdown, TradeRecord } from '../../src/store/types.js';

/** Epoch ms of an IST wall time. */
export const ist = (iso: string): number => Date.parse(`${iso}+05:30`);

let seq = 0;
/** A round trip closing at `closed` (IST), held `holdS` seconds. */
export function trade(
  closed: string,
  reason: TradeRecord['reason'] | 'guard',
  gross: number,
  costs: number,
  holdS: number,
  charges: ChargeBreakdown = { brokerage: costs, stt: 0, exchange: 0, sebi: 0, stamp: 0, ipft: 0, gst: 0, total: costs },
): JournalTrade {
  const closedAt = ist(closed);
  seq++;
  return {
    key: `entry:E${seq}`,
    entryOrderId: `E${seq}`,
    sessionId: 1,
    day: closed.slice(0, 10),
    symbol: 'NIFTY28NOV2525000CE',
    exchange: 'NFO',
    side: 'long',
    openedAt: closedAt - holdS * 1000,
    closedAt,
    entry: 100,
    exit: 100 + gross / 150,
    quantity: 150,
    reason,
    gross,
    costs,
    net: Math.round((gross - costs) * 100) / 100,
    holdMs: holdS * 1000,
    charges,
    slippage: Math.round((costs - charges.total) * 100) / 100,
  };
}

/**
 * Hand-computed fixture. 2026-11-24 (five trades, nets +260 −190 −190 +410 −40), 2026-11-25 a
 * session with no trade, 2026-11-26 (two wins, nets +300 +50: nothing lost).
 */
export function fixtureTrades(): JournalTrade[] {
  return [
    trade('2026-11-24T09:21:00', 'target', 300, 40, 60),
    trade('2026-11-24T09:25:00', 'stop', -150, 40, 30),
    trade('2026-11-24T09:31:00', 'stop', -150, 40, 90),
    trade('2026-11-24T09:40:00', 'market_on_target', 450, 40, 120),
    trade('2026-11-24T10:02:00', 'reconcile', 0, 40, 60),
    trade('2026-11-26T09:22:00', 'target', 300, 0, 10),
    trade('2026-11-26T15:15:00', 'square_off', 50, 0, 20),
  ];
}

export function asRecord(t: JournalTrade): TradeRecord {
  return {
    openedAt: t.openedAt,
    closedAt: t.closedAt,
    entry: t.entry,
    exit: t.exit,
    quantity: t.quantity,
    reason: t.reason as TradeRecord['reason'],
    gross: t.gross,
    costs: t.costs,
    net: t.net,
    charges: t.charges,
    ...(t.entryOrderId ? { entryOrderId: t.entryOrderId } : {}),
  };
}
