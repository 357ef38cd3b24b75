import type { EngineEvent } from '../engine/events.js';
import { journalTradeOf } from './reads.js';
import type { Mode, TradeRecord } from '../store/types.js';
import type { JournalDb } from './db.js';

// Every row the journal holds, written from the engine's events. A batch is one transaction.
// Rows that a crash and restart can bring twice (a round trip realised again by recovery, a fill
// re-read from the broker) have a unique key and are inserted "or ignore": the first one stays.

export interface SessionInfo {
  startedAt: number;
  mode: Mode | 'backtest';
  exchange: string;
  symbol: string;
  settingsHash: string;
  pid: number;
}

/**
 * The unique key of a round trip: its entry order id with its open time (both in the state file,
 * so a round trip realised again after a restart has the same key, while the paper market's ids,
 * which start over every run, never collide); a trade without an id by its open time and size.
 */
export function tradeKey(trade: Pick<TradeRecord, 'entryOrderId' | 'openedAt' | 'quantity' | 'entry'>): string {
  return trade.entryOrderId ? `entry:${trade.entryOrderId}@${trade.openedAt}` : `opened:${trade.openedAt}:${trade.quantity}:${trade.entry}`;
}

export class JournalWriter {
  private readonly insertSession;
  private readonly updateSession;
  private readonly insertOrder;
  private readonly latestOrder;
  private readonly updateOrder;
  private readonly insertOrderEvent;
  private readonly insertFill;
  private readonly insertTrade;
  private readonly insertNotable;
  private readonly previousSession;
  /** Each order's filled quantity as last announced, to key its fills. */
  private readonly filledOf = new Map<string, number>();
  /** The journal row of each broker order id this session placed or heard of. */
  private readonly rowOf = new Map<string, number>();

  constructor(
    private readonly db: JournalDb,
    private readonly instrument: { symbol: string; exchange: string },
  ) {
    this.insertSession = db.prepare(
      'INSERT INTO sessions (started_at, mode, exchange, symbol, settings_hash, pid) VALUES (@startedAt, @mode, @exchange, @symbol, @settingsHash, @pid)',
    );
    this.updateSession = db.prepare('UPDATE sessions SET stopped_at = ?, exit_code = ? WHERE id = ?');
    this.insertOrder = db.prepare(`
      INSERT INTO orders (order_id, session_id, role, action, quantity, price_type, price, trigger_price, request_json, placed_at, adopted, phase, filled, avg_price, updated_at)
      VALUES (@orderId, @sessionId, @role, @action, @quantity, @priceType, @price, @trigger, @requestJson, @at, @adopted, @phase, @filled, @avgPrice, @at)
      ON CONFLICT(order_id, placed_at) DO UPDATE SET updated_at = excluded.updated_at
      RETURNING id`);
    this.latestOrder = db.prepare('SELECT id FROM orders WHERE order_id = ? ORDER BY placed_at DESC, id DESC LIMIT 1');
    this.updateOrder = db.prepare('UPDATE orders SET phase = @phase, filled = @filled, avg_price = @avgPrice, updated_at = @at WHERE id = @ref');
    this.insertOrderEvent = db.prepare(`
      INSERT INTO order_events (session_id, order_ref, order_id, role, at, from_phase, to_phase, filled, avg_price, source, reason)
      VALUES (@sessionId, @ref, @orderId, @role, @at, @from, @to, @filled, @avgPrice, @source, @reason)`);
    this.insertFill = db.prepare(`
      INSERT OR IGNORE INTO fills (session_id, order_ref, order_id, role, at, action, quantity, price, source, filled_after)
      VALUES (@sessionId, @ref, @orderId, @role, @at, @action, @quantity, @price, @source, @filledAfter)`);
    this.insertTrade = db.prepare(`
      INSERT OR IGNORE INTO round_trips (trade_key, entry_order_id, session_id, ist_day, opened_at, closed_at, entry, exit, quantity, reason, gross, costs, net, hold_ms, symbol, exchange,
                                         brokerage, stt, exchange_charge, sebi_fee, stamp_duty, ipft, gst, slippage, side)
      VALUES (@key, @entryOrderId, @sessionId, @day, @openedAt, @closedAt, @entry, @exit, @quantity, @reason, @gross, @costs, @net, @holdMs, @symbol, @exchange,
              @brokerage, @stt, @exchangeCharge, @sebi, @stamp, @ipft, @gst, @slippage, @side)`);
    this.insertNotable = db.prepare('INSERT INTO notable_events (session_id, at, kind, message) VALUES (?, ?, ?, ?)');
    this.previousSession = db.prepare('SELECT MAX(id) AS id FROM sessions WHERE id < ? AND symbol = ? AND exchange = ?');
  }

  startSession(info: SessionInfo): number {
    return Number(this.insertSession.run(info).lastInsertRowid);
  }

  stopSession(sessionId: number, stoppedAt: number, exitCode: number): void {
    this.updateSession.run(stoppedAt, exitCode, sessionId);
  }

  /** The session before this one on the same instrument: the one a trade found only in the state file belongs to. */
  sessionBefore(sessionId: number): number | null {
    const row = this.previousSession.get(sessionId, this.instrument.symbol, this.instrument.exchange) as { id: number | null };
    return row.id;
  }

  /** Round trips from the state file (crash recovery's truth): the ones a crash kept from the journal are added, the rest ignored. Returns how many were new. */
  recordTrades(sessionId: number | null, trades: readonly TradeRecord[]): number {
    let added = 0;
    this.db.transaction(() => {
      for (const trade of trades) added += this.trade(sessionId, trade);
    })();
    return added;
  }

  /** One batch of engine events, in one transaction. */
  write(sessionId: number | null, events: readonly EngineEvent[]): void {
    this.db.transaction(() => {
      for (const event of events) this.one(sessionId, event);
    })();
  }

  private one(sessionId: number | null, e: EngineEvent): void {
    switch (e.type) {
      case 'order_placed': {
        const row = this.insertOrder.get({ ...requestColumns(e.request), orderId: e.orderId, sessionId, role: e.role, at: e.at, adopted: e.adopted ? 1 : 0, phase: 'working', filled: 0, avgPrice: null }) as { id: number };
        this.rowOf.set(e.orderId, row.id);
        return;
      }
      case 'order_changed': {
        const ref = e.orderId !== null ? this.orderRow(sessionId, e) : null;
        if (e.orderId !== null && ref !== null) {
          this.filledOf.set(e.orderId, e.filled);
          this.updateOrder.run({ ref, phase: e.to, filled: e.filled, avgPrice: e.avgPrice, at: e.at });
        }
        this.insertOrderEvent.run({ sessionId, ref, orderId: e.orderId, role: e.role, at: e.at, from: e.from, to: e.to, filled: e.filled, avgPrice: e.avgPrice, source: e.source, reason: e.reason ?? null });
        return;
      }
      case 'fill':
        this.insertFill.run({
          sessionId,
          ref: e.orderId !== null ? (this.rowOf.get(e.orderId) ?? null) : null,
          orderId: e.orderId,
          role: e.role,
          at: e.at,
          action: e.action,
          quantity: e.quantity,
          price: e.price,
          source: e.source,
          filledAfter: e.orderId !== null ? (this.filledOf.get(e.orderId) ?? null) : null,
        });
        return;
      case 'trade_closed':
        this.trade(sessionId, e.trade);
        return;
      case 'notable':
        this.insertNotable.run(sessionId, e.at, e.kind, e.message);
        return;
    }
  }

  /**
   * The row of an order this session did not place: one an earlier session placed (recovery
   * after a restart settles it), else a new row from what the event says.
   */
  private orderRow(sessionId: number | null, e: Extract<EngineEvent, { type: 'order_changed' }>): number | null {
    if (e.orderId === null) return null;
    const known = this.rowOf.get(e.orderId);
    if (known !== undefined) return known;
    const earlier = this.latestOrder.get(e.orderId) as { id: number } | undefined;
    const id =
      earlier?.id ??
      (this.insertOrder.get({ ...requestColumns(e.request), orderId: e.orderId, sessionId, role: e.role, at: e.at, adopted: 0, phase: e.to, filled: e.filled, avgPrice: e.avgPrice }) as { id: number }).id;
    this.rowOf.set(e.orderId, id);
    return id;
  }

  private trade(sessionId: number | null, t: TradeRecord): number {
    const { charges: c, ...row } = journalTradeOf(t, { key: tradeKey(t), sessionId, symbol: this.instrument.symbol, exchange: this.instrument.exchange });
    const info = this.insertTrade.run({
      ...row,
      brokerage: c.brokerage,
      stt: c.stt,
      exchangeCharge: c.exchange,
      sebi: c.sebi,
      stamp: c.stamp,
      ipft: c.ipft,
      gst: c.gst,
    });
    return info.changes;
  }
}

function requestColumns(r: Extract<EngineEvent, { type: 'order_placed' }>['request']) {
  return {
    action: r.action,
    quantity: r.quantity,
    priceType: r.priceType,
    price: r.price ?? null,
    trigger: r.triggerPrice ?? null,
    requestJson: JSON.stringify(r),
  };
}
