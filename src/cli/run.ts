import path from 'node:path';
import type { FeedMode, MarketFeed } from '../broker/feed.js';
import { OpenAlgoClient, OpenAlgoFeed, QuoteOnlySource } from '../broker/openalgo/index.js';
import { PaperFeed } from '../broker/paper/paper-feed.js';
import { createDefaultPaperSetup, DEFAULT_PAPER_SYMBOL } from '../broker/paper/index.js';
import { PaperCalendar, parsePaperHolidays } from '../broker/paper/calendar.js';
import type { Broker } from '../broker/types.js';
import { ConfigError, resolveConfig, type RawSources, type ResolvedConfig } from '../config/resolve.js';
import { engineSettings } from '../config/settings.js';
import { systemClock, type Clock } from '../time/clock.js';
import { CorrectedClock, ServerClock } from '../time/server-clock.js';
import { startClockSync, type ClockSync } from '../engine/clock-sync.js';
import { Engine, StartupError } from '../engine/engine.js';
import { ResumeRequestFile, resumeRequestPath } from '../engine/guard-resume.js';
import { JsonStateFile, MemoryStateFile, stateFileName, type StateFile } from '../engine/persistence.js';
import { istParts } from '../time/schedule.js';
import { heldQuantity, parseEngineState, type EngineState } from '../engine/state.js';
import { journalPath } from '../journal/db.js';
import { startJournal } from '../journal/journal.js';
import { SessionTally, sessionSummaryLines } from '../journal/session-summary.js';
import { settingsHash } from '../journal/settings-hash.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createAppStore, type AppStore } from '../store/store.js';
import type { Io } from './config-command.js';
import { isClosedPipe } from '../log/closed-pipe.js';
import { EXIT } from './exit-codes.js';
import { configWarnings } from './config-warnings.js';
import { setupAlerts } from '../alerts/setup.js';
import { writeTerminalAlert } from '../alerts/channel-terminal.js';
import { acquireInstanceLock, describeHolder, lockFileName, type InstanceLock } from './instance-lock.js';
import { startDashboard, whyNoDashboard } from '../../screens/app/render.js';

export interface RunOptions {
  io: Io;
  sources: RawSources;
  headless: boolean;
  liveData: boolean;
  clock?: Clock;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

interface BuiltBroker {
  broker: Broker;
  detail: string;
  /** The push feed, unless FEED=poll (or none exists for this broker). */
  feed?: MarketFeed;
  /** Why there is no feed, for the log. */
  noFeed?: string;
}

function buildBroker(resolved: ResolvedConfig, clock: Clock, liveData: boolean, serverClock: ServerClock | null): BuiltBroker {
  const c = resolved.config;
  const timeoutMs = Math.round(c.API_TIMEOUT_SECONDS * 1000);
  const client = (): OpenAlgoClient =>
    new OpenAlgoClient({
      host: c.OPENALGO_API_HOST,
      apiKey: c.OPENALGO_API_KEY ?? '',
      strategy: c.STRATEGY_NAME,
      timeoutMs,
      ordersPerSecond: c.ORDER_RATE_PER_SECOND,
      othersPerSecond: c.OTHER_RATE_PER_SECOND,
      ...(serverClock ? { onServerTime: (sample) => serverClock.addSample(sample), now: () => clock.now() } : {}),
    });
  const pollOnly = c.FEED === 'poll';
  if (resolved.mode === 'live') {
    const broker = client();
    if (pollOnly) return { broker, detail: `OpenAlgo at ${c.OPENALGO_API_HOST}`, noFeed: 'FEED=poll' };
    const feed = new OpenAlgoFeed({
      url: c.OPENALGO_WS_URL,
      apiKey: c.OPENALGO_API_KEY ?? '',
      clock,
      // The pong's server_timestamp is a millisecond stamp: the sharpest sample of the server's clock.
      ...(serverClock ? { onServerTime: (t) => serverClock.addSample({ sentAt: t.sentAt, receivedAt: t.receivedAt, serverTime: t.serverAt, resolutionMs: 1, source: 'ws pong' }) } : {}),
    });
    return { broker, feed, detail: `OpenAlgo at ${c.OPENALGO_API_HOST}, feed ${c.OPENALGO_WS_URL}` };
  }
  const seed = c.PAPER_SEED === 0 ? Math.floor(Math.random() * 2 ** 31) : c.PAPER_SEED;
  const quoteSource = liveData ? new QuoteOnlySource(client()) : undefined;
  const setup = createDefaultPaperSetup({
    clock,
    seed,
    symbol: c.SYMBOL ?? DEFAULT_PAPER_SYMBOL,
    exchange: c.EXCHANGE,
    faults: c.PAPER_FAULTS,
    calendar: new PaperCalendar(parsePaperHolidays(c.PAPER_HOLIDAYS)),
    clientTimeoutMs: timeoutMs,
    ...(quoteSource ? { quoteSource } : {}),
  });
  const holidays = c.PAPER_HOLIDAYS ? `, holidays ${c.PAPER_HOLIDAYS}` : '';
  const detail = `paper market, seed ${seed}${liveData ? `, live quotes from ${c.OPENALGO_API_HOST}` : ''}${c.PAPER_FAULTS ? `, faults ${c.PAPER_FAULTS}` : ''}${holidays}`;
  // Paper on live data moves only when a quote is fetched: its prices come by polling.
  if (pollOnly || liveData) return { broker: setup.broker, detail, noFeed: pollOnly ? 'FEED=poll' : '--live-data prices come from quote polls' };
  return { broker: setup.broker, detail: `${detail}, push feed`, feed: new PaperFeed({ clock, broker: setup.broker, seed }) };
}

export async function runTrader(opts: RunOptions): Promise<number> {
  const { io } = opts;
  let resolved: ResolvedConfig;
  try {
    resolved = resolveConfig(opts.sources);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`random-scalp: ${err.message}`);
      return EXIT.CONFIG;
    }
    throw err;
  }
  if (opts.liveData && resolved.mode !== 'paper') {
    io.err('random-scalp: --live-data only goes with the paper broker (--paper): it takes quotes from OpenAlgo and never sends it an order');
    return EXIT.CONFIG;
  }
  if (opts.liveData && !resolved.config.OPENALGO_API_KEY) {
    io.err('random-scalp: --live-data needs OPENALGO_API_KEY for the quote calls');
    return EXIT.CONFIG;
  }
  const c = resolved.config;
  const machineClock = opts.clock ?? systemClock;
  // Live: the schedule runs on the server's time, measured from its replies. Paper: the paper
  // market is on this machine's clock, so there is nothing to correct.
  const serverClock = resolved.mode === 'live' ? new ServerClock() : null;
  const corrected = new CorrectedClock(machineClock);
  const clock: Clock = serverClock ? corrected : machineClock;
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  // Raw-mode keys need a terminal on both ends; without one the same engine runs headless.
  const noDashboard = opts.headless ? 'requested' : whyNoDashboard(stdin, stdout);
  const headless = noDashboard !== null;
  const secrets = [c.OPENALGO_API_KEY ?? ''].filter((s) => s.length > 0);
  const symbol = c.SYMBOL ?? DEFAULT_PAPER_SYMBOL;

  // One instance per book: before anything is built, logged or sent.
  let lock: InstanceLock;
  let tookOver: string | null = null;
  try {
    const taken = acquireInstanceLock({
      dir: c.STATE_DIR,
      name: lockFileName(resolved.mode, c.EXCHANGE, symbol),
      book: `${resolved.mode} ${symbol}@${c.EXCHANGE}`,
    });
    if (!taken.ok) {
      io.err(`random-scalp: ${taken.message}`);
      return EXIT.CONFIG;
    }
    lock = taken.lock;
    if (taken.tookOverFrom) tookOver = `took over the lock of a run that is gone (${describeHolder(taken.tookOverFrom)})`;
  } catch (err) {
    io.err(`random-scalp: cannot take the instance lock in STATE_DIR ${c.STATE_DIR}: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.CONFIG;
  }

  let built: BuiltBroker;
  try {
    built = buildBroker(resolved, machineClock, opts.liveData, serverClock);
  } catch (err) {
    lock.release();
    io.err(`random-scalp: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.CONFIG;
  }
  const store: AppStore = createAppStore();
  store.getState().configured({
    mode: resolved.mode,
    brokerLabel: built.broker.label,
    symbol,
    exchange: c.EXCHANGE,
    product: c.PRODUCT,
    lots: c.LOTS,
    marketOnTarget: c.ENABLE_MARKET_ON_TARGET,
    barMs: c.INTERVAL.kind === 'daily' ? 86_400_000 : c.INTERVAL.ms,
  });
  const base = stateFileName(resolved.mode, c.EXCHANGE, symbol).replace(/\.state\.json$/, '');
  const log: Logger = createLogger({
    store,
    clock,
    secrets,
    ...(c.LOG_TO_FILE ? { filePath: path.join(c.STATE_DIR, 'logs', `${base}-${istParts(clock.now()).day}.log`) } : {}),
    ...(headless ? { stdout } : {}),
  });
  const stateFile: StateFile<EngineState> = c.PERSIST_STATE
    ? new JsonStateFile(path.join(c.STATE_DIR, stateFileName(resolved.mode, c.EXCHANGE, symbol)), parseEngineState)
    : new MemoryStateFile();
  const banner = `${resolved.mode.toUpperCase()} broker (${resolved.modeReason}): ${built.detail}`;
  if (!headless) io.out(`random-scalp: ${banner}`);
  log.info('START', banner);
  if (tookOver) log.warn('LOCK', tookOver);
  if (noDashboard !== null && noDashboard !== 'requested') log.info('START', `headless: ${noDashboard}`);
  for (const w of configWarnings(resolved)) log.warn('CONFIG', w);
  // Terminal alerts: through the store to the dashboard, or straight to a terminal when headless
  // on one; a headless stdout redirected to a file or a pipe never gets escape sequences.
  const alerts = setupAlerts({
    config: c,
    subject: { mode: resolved.mode, symbol, exchange: c.EXCHANGE },
    clock,
    log,
    secrets,
    env: process.env,
    terminal: !headless ? (a) => store.getState().terminalAlertRaised(a) : stdout.isTTY ? writeTerminalAlert(stdout) : null,
    criticalRingsAlready: !headless,
  });
  log.info('ALERT', alerts.summary);
  for (const w of alerts.warnings) log.warn('ALERT', w);
  if (built.noFeed) log.info('FEED', `no push feed (${built.noFeed}): order updates and prices are polled`);

  // The journal (history for `report` and the `t` overlay) hears the engine's events; the tally
  // counts this session's round trips for the summary printed at exit.
  const tally = new SessionTally();
  const journal = c.JOURNAL
    ? startJournal({
        file: journalPath(c.STATE_DIR, resolved.mode),
        session: { startedAt: clock.now(), mode: resolved.mode, exchange: c.EXCHANGE, symbol, settingsHash: settingsHash(c), pid: process.pid },
        recoveredTrades: stateFile.load()?.trades ?? [],
        log,
        onView: (view) => store.getState().journalRead(view),
        now: () => clock.now(),
      })
    : null;
  let exitCode: number = EXIT.CONFIG;
  const summary = (): void => {
    const stateDirFlag = resolved.sourceOf.STATE_DIR === 'flag' ? c.STATE_DIR : undefined;
    const lines = sessionSummaryLines({ tally, held: heldQuantity(engine.state), mode: resolved.mode, journal: journal !== null, ...(stateDirFlag !== undefined ? { stateDirFlag } : {}) });
    for (const line of lines) io.out(line);
  };

  const engine = new Engine({
    broker: built.broker,
    clock,
    store,
    log,
    settings: engineSettings(c),
    stateFile,
    marketOnTarget: c.ENABLE_MARKET_ON_TARGET,
    failClosedOnUnknownSymbol: resolved.mode === 'live',
    ...(built.feed ? { feed: built.feed, feedMode: c.FEED as FeedMode } : {}),
    safetyPollMs: Math.round(c.FEED_SAFETY_POLL_SECONDS * 1000),
    observers: [tally.observe, ...(journal ? [journal.observe] : []), alerts.dispatcher.observe],
    ...(c.PERSIST_STATE ? { resumeRequests: new ResumeRequestFile(resumeRequestPath(stateFile.path)) } : {}),
  });

  const clockSync: ClockSync | null = serverClock ? startClockSync({ server: serverClock, clock: corrected, log, store }) : null;
  const onSignal = (): void => engine.quit();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const dashboard = headless
    ? null
    : startDashboard({ store, commands: engine, stdout, stdin, onDisplayError: (panel, err) => log.error('DISPLAY', `${panel}: ${err.message} (trading continues)`) });
  // The dashboard's terminal went away (an SSH session dropped outside tmux, the window closed):
  // nobody sees the screen or can press a key any more, so stop as on q — flat, then exit —
  // rather than trade on unseen (or draw into a dead terminal for ever). Headless runs keep
  // SIGHUP's meaning to their supervisor (nohup ignores it; systemd does not send it).
  let hungUp = false;
  const onHangup = (why: string): void => {
    if (hungUp) return;
    hungUp = true;
    log.warn('STOP', `${why}: the terminal is gone; stopping as on q (flat, then exit)`);
    dashboard?.unmount();
    engine.quit();
  };
  const onSighup = (): void => onHangup('SIGHUP');
  const onOutputError = (err: unknown): void => {
    if (isClosedPipe(err)) onHangup('the dashboard\'s output closed');
  };
  if (dashboard) {
    process.on('SIGHUP', onSighup);
    stdout.on('error', onOutputError);
  }
  try {
    try {
      await engine.start();
    } catch (err) {
      if (err instanceof StartupError) {
        store.getState().bannerChanged(err.message);
        log.error('START', err.message);
        dashboard?.unmount();
        io.err(`random-scalp: ${err.message}`);
        exitCode = err.exitCode;
        return err.exitCode;
      }
      throw err;
    }
    const code = await engine.stopped;
    exitCode = code;
    dashboard?.unmount();
    log.info('STOP', code === EXIT.OK ? 'stopped flat' : 'stopped while STILL HOLDING a position (exit code 3)');
    journal?.close(code, clock.now());
    summary();
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSighup);
    stdout.off('error', onOutputError);
    clockSync?.stop();
    dashboard?.unmount();
    journal?.close(exitCode, clock.now());
    await alerts.close();
    await log.close();
    await built.broker.close?.();
    lock.release();
  }
}
