import type Database from 'better-sqlite3';

// The journal's schema, as the list of steps that built it. A database records the steps it has
// had in `schema_version`; opening it applies the missing ones in order, each in its own
// transaction, so a journal from any earlier release is brought up to date and never rebuilt.
// Never edit a step once released: add the next one.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, orders, order events, fills, round trips, notable events',
    sql: `
      CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        stopped_at INTEGER,
        mode TEXT NOT NULL,
        exchange TEXT NOT NULL,
        symbol TEXT NOT NULL,
        settings_hash TEXT NOT NULL,
        exit_code INTEGER,
        pid INTEGER
      );
      -- An order is its broker id plus when we placed it: the paper market numbers its orders
      -- from 250000001 on every run, and some brokers reuse ids from day to day.
      CREATE TABLE orders (
        id INTEGER PRIMARY KEY,
        order_id TEXT NOT NULL,
        session_id INTEGER REFERENCES sessions(id),
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        quantity INTEGER NOT NULL,
        price_type TEXT NOT NULL,
        price REAL,
        trigger_price REAL,
        request_json TEXT NOT NULL,
        placed_at INTEGER NOT NULL,
        adopted INTEGER NOT NULL,
        phase TEXT NOT NULL,
        filled INTEGER NOT NULL DEFAULT 0,
        avg_price REAL,
        updated_at INTEGER NOT NULL,
        UNIQUE (order_id, placed_at)
      );
      CREATE INDEX orders_broker_id ON orders(order_id, placed_at);
      CREATE TABLE order_events (
        id INTEGER PRIMARY KEY,
        session_id INTEGER REFERENCES sessions(id),
        order_ref INTEGER REFERENCES orders(id),
        order_id TEXT,
        role TEXT NOT NULL,
        at INTEGER NOT NULL,
        from_phase TEXT NOT NULL,
        to_phase TEXT NOT NULL,
        filled INTEGER NOT NULL,
        avg_price REAL,
        source TEXT NOT NULL,
        reason TEXT
      );
      CREATE INDEX order_events_order ON order_events(order_ref, at);
      CREATE TABLE fills (
        id INTEGER PRIMARY KEY,
        session_id INTEGER REFERENCES sessions(id),
        order_ref INTEGER REFERENCES orders(id),
        order_id TEXT,
        role TEXT NOT NULL,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,
        quantity INTEGER NOT NULL,
        price REAL NOT NULL,
        source TEXT NOT NULL,
        -- the order's filled quantity after this fill: a fill seen again after a restart is the same row
        filled_after INTEGER,
        UNIQUE (order_ref, filled_after)
      );
      CREATE TABLE round_trips (
        id INTEGER PRIMARY KEY,
        -- the entry order id and the open time (kept in the state file), or without an id the open time and size: one row per round trip across crashes
        trade_key TEXT NOT NULL UNIQUE,
        entry_order_id TEXT,
        session_id INTEGER REFERENCES sessions(id),
        ist_day TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        closed_at INTEGER NOT NULL,
        entry REAL NOT NULL,
        exit REAL NOT NULL,
        quantity INTEGER NOT NULL,
        reason TEXT NOT NULL,
        gross REAL NOT NULL,
        costs REAL NOT NULL,
        net REAL NOT NULL,
        hold_ms INTEGER NOT NULL
      );
      CREATE INDEX round_trips_day ON round_trips(ist_day, closed_at);
      CREATE TABLE notable_events (
        id INTEGER PRIMARY KEY,
        session_id INTEGER REFERENCES sessions(id),
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'round trips carry their symbol and exchange (one journal holds every instrument of a mode)',
    sql: `
      ALTER TABLE round_trips ADD COLUMN symbol TEXT NOT NULL DEFAULT '';
      ALTER TABLE round_trips ADD COLUMN exchange TEXT NOT NULL DEFAULT '';
      UPDATE round_trips SET
        symbol = COALESCE((SELECT symbol FROM sessions WHERE sessions.id = round_trips.session_id), ''),
        exchange = COALESCE((SELECT exchange FROM sessions WHERE sessions.id = round_trips.session_id), '');
      CREATE INDEX sessions_started ON sessions(started_at);
    `,
  },
  {
    version: 3,
    name: 'round trips carry their charges by kind (brokerage, STT, exchange, SEBI, stamp, IPFT, GST) and the slippage estimate',
    // Rows from before charges were counted: their costs were brokerage (+ the slippage
    // estimate, not told apart then), so brokerage = costs and every other kind 0; the kinds
    // and slippage add up to costs on every row, old or new.
    sql: `
      ALTER TABLE round_trips ADD COLUMN brokerage REAL NOT NULL DEFAULT 0;
      ALTER TABLE round_trips ADD COLUMN stt REAL NOT NULL DEFAULT 0;
      ALTER TABLE round_trips ADD COLUMN exchange_charge REAL NOT NULL DEFAULT 0;
      ALTER TABLE round_trips ADD COLUMN sebi_fee REAL NOT NULL DEFAULT 0;
      ALTER TABLE round_trips ADD COLUMN stamp_duty REAL NOT NULL DEFAULT 0;
      ALTER TABLE round_trips ADD COLUMN ipft REAL NOT NULL DEFAULT 0;
      ALTER TABLE round_trips ADD COLUMN gst REAL NOT NULL DEFAULT 0;
      ALTER TABLE round_trips ADD COLUMN slippage REAL NOT NULL DEFAULT 0;
      UPDATE round_trips SET brokerage = costs;
    `,
  },
  {
    version: 4,
    name: 'round trips carry their side (long or short; every row before sides existed was long)',
    sql: `
      ALTER TABLE round_trips ADD COLUMN side TEXT NOT NULL DEFAULT 'long';
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** A journal written by a newer random-scalp: refuse it rather than write rows it does not expect. */
export class JournalVersionError extends Error {
  override readonly name = 'JournalVersionError';
}

export function schemaVersion(db: Database.Database): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!exists) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/** Apply the steps this database has not had yet; returns the versions applied. */
export function migrate(db: Database.Database, now: number, upTo: number = SCHEMA_VERSION): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new JournalVersionError(`the journal has schema version ${current}, newer than this random-scalp knows (${SCHEMA_VERSION}): upgrade random-scalp`);
  }
  const applied: number[] = [];
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > upTo) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(step.version, step.name, now);
    })();
    applied.push(step.version);
  }
  return applied;
}
