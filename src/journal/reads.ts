import { IST_OFFSET_MS, istParts } from '../time/ist.js';
import type { ChargeBreakdown, TradeRecord } from '../store/types.js';
import { ZERO_CHARGES } from '../engine/charges.js';
import type { JournalDb } from './db.js';

// What the report and the dashboard read back. Days are IST calendar days (YYYY-MM-DD), ranges
// inclusive on both ends; an open end takes everything on that side.

export interface DayRange {
  from?: string;
  to?: string;
}

export interface JournalTrade {
  key: string;
  entryOrderId: string | null;
  sessionId: number | null;
  /** IST day the round trip closed on. */
  day: string;
  symbol: string;
  exchange: string;
  /** long or short (rows from before sides existed: long). */
  side: 'long' | 'short';
  openedAt: number;
  closedAt: number;
  entry: number;
  exit: number;
  quantity: number;
  /** The engine's reason (see reasons.ts for the report's). */
  reason: string;
  gross: number;
  /** charges.total + slippage. */
  costs: number;
  net: number;
  holdMs: number;
  /** By kind (a row from before charges were counted: brokerage = costs, the rest 0). */
  charges: ChargeBreakdown;
  slippage: number;
}

export interface JournalSession {
  id: number;
  day: string;
  startedAt: number;
  stoppedAt: number | null;
  symbol: string;
  exchange: string;
  exitCode: number | null;
}

const IST_SECONDS = IST_OFFSET_MS / 1000;

type TradeRow = Omit<JournalTrade, 'charges'> & Omit<ChargeBreakdown, 'total' | 'exchange'> & { exchangeCharge: number };

/** The round_trips columns a JournalTrade is read from (tradeOfRow turns a row into one). */
export const TRADE_COLUMNS = `trade_key AS key, entry_order_id AS entryOrderId, session_id AS sessionId, ist_day AS day, symbol, exchange,
              opened_at AS openedAt, closed_at AS closedAt, entry, exit, quantity, reason, gross, costs, net, hold_ms AS holdMs,
              brokerage, stt, exchange_charge AS exchangeCharge, sebi_fee AS sebi, stamp_duty AS stamp, ipft, gst, slippage, side`;

export function tradeOfRow(row: unknown): JournalTrade {
  const { brokerage, stt, exchangeCharge, sebi, stamp, ipft, gst, ...t } = row as TradeRow;
  const lines = { brokerage, stt, exchange: exchangeCharge, sebi, stamp, ipft, gst };
  const total = Object.values(lines).reduce((a, x) => a + Math.round(x * 100), 0) / 100;
  return { ...t, charges: { ...lines, total } };
}

export function readTrades(db: JournalDb, range: DayRange = {}): JournalTrade[] {
  return db
    .prepare(`SELECT ${TRADE_COLUMNS} FROM round_trips WHERE ist_day >= @from AND ist_day <= @to ORDER BY closed_at, id`)
    .all({ from: range.from ?? '0000-00-00', to: range.to ?? '9999-99-99' })
    .map(tradeOfRow);
}

export function readSessions(db: JournalDb, range: DayRange = {}): JournalSession[] {
  return db
    .prepare(
      `SELECT id, day, started_at AS startedAt, stopped_at AS stoppedAt, symbol, exchange, exit_code AS exitCode
       FROM (SELECT *, date(started_at / 1000 + ${IST_SECONDS}, 'unixepoch') AS day FROM sessions)
       WHERE day >= @from AND day <= @to
       ORDER BY started_at, id`,
    )
    .all({ from: range.from ?? '0000-00-00', to: range.to ?? '9999-99-99' }) as JournalSession[];
}

/** A closed round trip as the journal holds it (the writer's columns and a backtest's figures). */
export function journalTradeOf(t: TradeRecord, where: { key: string; sessionId: number | null; symbol: string; exchange: string }): JournalTrade {
  return {
    ...where,
    entryOrderId: t.entryOrderId ?? null,
    day: istParts(t.closedAt).day,
    side: t.side ?? 'long',
    openedAt: t.openedAt,
    closedAt: t.closedAt,
    entry: t.entry,
    exit: t.exit,
    quantity: t.quantity,
    reason: t.reason,
    gross: t.gross,
    costs: t.costs,
    net: t.net,
    holdMs: Math.max(0, t.closedAt - t.openedAt),
    // A trade saved before charges were counted: its costs were brokerage. Beyond the charges, costs is the slippage estimate.
    charges: t.charges ?? { ...ZERO_CHARGES, brokerage: t.costs, total: t.costs },
    slippage: t.charges ? (Math.round(t.costs * 100) - Math.round(t.charges.total * 100)) / 100 : 0,
  };
}
