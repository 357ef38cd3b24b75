import path from 'node:path';
import type { FeedMode, MarketFeed } from '../broker/feed.js';
import type { Broker } from '../broker/types.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { TradedInstrument } from '../config/instruments.js';
import { engineSettings } from '../config/settings.js';
import { Engine, type AccountLink } from '../engine/engine.js';
import { NO_LIMITS, type GuardLimits } from '../engine/guard.js';
import { ResumeRequestFile, resumeRequestPath } from '../engine/guard-resume.js';
import { JsonStateFile, MemoryStateFile, stateFileName, type StateFile } from '../engine/persistence.js';
import { parseEngineState, type EngineState } from '../engine/state.js';
import { journalPath } from '../journal/db.js';
import { startJournal, type Journal } from '../journal/journal.js';
import { SessionTally } from '../journal/session-summary.js';
import { settingsHash } from '../journal/settings-hash.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createAppStore, type AppStore } from '../store/store.js';
import type { Clock } from '../time/clock.js';
import { istParts } from '../time/ist.js';
import { setupAlerts, type AlertsSetup } from '../alerts/setup.js';
import { writeTerminalAlert } from '../alerts/channel-terminal.js';

// One instrument's part of a run: its store, log, state file, alerts, journal and engine — the
// whole of a run with one instrument, and one row of the desk with several.

export interface InstrumentRun {
  instrument: TradedInstrument;
  store: AppStore;
  log: Logger;
  engine: Engine;
  stateFile: StateFile<EngineState>;
  journal: Journal | null;
  alerts: AlertsSetup;
  tally: SessionTally;
}

export interface InstrumentWiring {
  resolved: ResolvedConfig;
  instrument: TradedInstrument;
  clock: Clock;
  broker: Broker;
  brokerLabel: string;
  feed?: MarketFeed;
  headless: boolean;
  stdout: NodeJS.WriteStream;
  secrets: string[];
  /** Several instruments: lines name the instrument, polls align, the account guards the money limits. */
  desk: { account: AccountLink | null } | null;
}

/** The guard limits one instrument's engine applies itself. */
export function instrumentGuardLimits(c: ResolvedConfig['config'], several: boolean): GuardLimits {
  const all = engineSettings(c).guard ?? NO_LIMITS;
  const perInstrument = c.MAX_TRADES_PER_INSTRUMENT;
  if (several) return { ...NO_LIMITS, maxTradesPerDay: perInstrument };
  // One instrument: it is the account, so the tighter of the two trade limits applies.
  const limits = [all.maxTradesPerDay, perInstrument].filter((n) => n > 0);
  return { ...all, maxTradesPerDay: limits.length > 0 ? Math.min(...limits) : 0 };
}

/** The limits the account guard applies to every instrument together (several instruments). */
export function accountGuardLimits(c: ResolvedConfig['config']): GuardLimits {
  return { ...(engineSettings(c).guard ?? NO_LIMITS), maxTradesPerDay: c.MAX_TRADES_PER_DAY };
}

export function wireInstrument(w: InstrumentWiring): InstrumentRun {
  const { resolved, instrument, clock } = w;
  const c = resolved.config;
  const { symbol, exchange, lots } = instrument;
  const several = w.desk !== null;
  const store = createAppStore();
  store.getState().configured({
    mode: resolved.mode,
    brokerLabel: w.brokerLabel,
    symbol,
    exchange,
    product: c.PRODUCT,
    lots,
    marketOnTarget: c.ENABLE_MARKET_ON_TARGET,
    barMs: c.INTERVAL.kind === 'daily' ? 86_400_000 : c.INTERVAL.ms,
  });
  const base = stateFileName(resolved.mode, exchange, symbol).replace(/\.state\.json$/, '');
  const log = createLogger({
    store,
    clock,
    secrets: w.secrets,
    ...(c.LOG_TO_FILE ? { filePath: path.join(c.STATE_DIR, 'logs', `${base}-${istParts(clock.now()).day}.log`) } : {}),
    ...(w.headless ? { stdout: w.stdout } : {}),
    ...(several ? { instrument: instrument.key } : {}),
  });
  const stateFile: StateFile<EngineState> = c.PERSIST_STATE
    ? new JsonStateFile(path.join(c.STATE_DIR, stateFileName(resolved.mode, exchange, symbol)), parseEngineState)
    : new MemoryStateFile();
  // Terminal alerts: through the store to the dashboard, or straight to a terminal when headless
  // on one; a headless stdout redirected to a file or a pipe never gets escape sequences.
  const alerts = setupAlerts({
    config: c,
    subject: { mode: resolved.mode, symbol, exchange },
    clock,
    log,
    secrets: w.secrets,
    env: process.env,
    terminal: !w.headless ? (a) => store.getState().terminalAlertRaised(a) : w.stdout.isTTY ? writeTerminalAlert(w.stdout) : null,
    criticalRingsAlready: !w.headless,
  });
  // The journal (history for `report` and the `t` overlay) hears the engine's events; the tally
  // counts this session's round trips for the summary printed at exit.
  const tally = new SessionTally();
  const journal = c.JOURNAL
    ? startJournal({
        file: journalPath(c.STATE_DIR, resolved.mode),
        session: { startedAt: clock.now(), mode: resolved.mode, exchange, symbol, settingsHash: settingsHash(c), pid: process.pid },
        recoveredTrades: stateFile.load()?.trades ?? [],
        log,
        onView: (view) => store.getState().journalRead(view),
        now: () => clock.now(),
      })
    : null;
  const settings = { ...engineSettings(c), symbol, exchange, lots, guard: instrumentGuardLimits(c, several) };
  const engine = new Engine({
    broker: w.broker,
    clock,
    store,
    log,
    settings,
    stateFile,
    marketOnTarget: c.ENABLE_MARKET_ON_TARGET,
    failClosedOnUnknownSymbol: resolved.mode === 'live',
    ...(w.feed ? { feed: w.feed, feedMode: c.FEED as FeedMode } : {}),
    safetyPollMs: Math.round(c.FEED_SAFETY_POLL_SECONDS * 1000),
    observers: [tally.observe, ...(journal ? [journal.observe] : []), alerts.dispatcher.observe],
    ...(c.PERSIST_STATE ? { resumeRequests: new ResumeRequestFile(resumeRequestPath(stateFile.path)) } : {}),
    ...(several ? { alignPolls: true } : {}),
    ...(w.desk?.account ? { account: w.desk.account } : {}),
  });
  return { instrument, store, log, engine, stateFile, journal, alerts, tally };
}
