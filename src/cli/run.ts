import type { MarketFeed } from '../broker/feed.js';
import type { OpenAlgoClient } from '../broker/openalgo/index.js';
import { PaperFeed } from '../broker/paper/paper-feed.js';
import { createDefaultPaperSetup } from '../broker/paper/setup.js';
import { PaperCalendar, parsePaperHolidays } from '../broker/paper/calendar.js';
import type { Broker } from '../broker/types.js';
import { ConfigError, resolveConfig, type RawSources, type ResolvedConfig } from '../config/resolve.js';
import { tradedInstruments, type TradedInstrument } from '../config/instruments.js';
import { systemClock, type Clock } from '../time/clock.js';
import { CorrectedClock, ServerClock } from '../time/server-clock.js';
import { startClockSync, type ClockSync } from '../engine/clock-sync.js';
import { StartupError } from '../engine/start-up.js';
import { heldQuantity, positionSide } from '../engine/state.js';
import { sessionSummaryLines } from '../journal/session-summary.js';
import type { Io } from './config-command.js';
import { isClosedPipe } from '../log/closed-pipe.js';
import { EXIT } from './exit-codes.js';
import { configWarnings } from './config-warnings.js';
import { assembleDesk } from '../desk/assemble.js';
import type { AccountGuard } from '../desk/account-guard.js';
import { watchFatal, type FatalSource } from './fatal.js';
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
  /** Where errors nothing caught are heard (default: the process). */
  fatalSource?: FatalSource;
}

interface BuiltBroker {
  broker: Broker;
  detail: string;
  /** The push feed, unless FEED=poll (or none exists for this broker). */
  feed?: MarketFeed;
  /** Why there is no feed, for the log. */
  noFeed?: string;
}

async function buildBroker(resolved: ResolvedConfig, instruments: readonly TradedInstrument[], clock: Clock, liveData: boolean, serverClock: ServerClock | null): Promise<BuiltBroker> {
  const c = resolved.config;
  // The HTTP client (got and its kin) is loaded only when OpenAlgo is talked to: the built-in
  // paper market starts without it.
  const openalgo = resolved.mode === 'live' || liveData ? await import('../broker/openalgo/index.js') : null;
  const timeoutMs = Math.round(c.API_TIMEOUT_SECONDS * 1000);
  const client = (api: NonNullable<typeof openalgo>): OpenAlgoClient =>
    new api.OpenAlgoClient({
      host: c.OPENALGO_API_HOST,
      apiKey: c.OPENALGO_API_KEY ?? '',
      strategy: c.STRATEGY_NAME,
      timeoutMs,
      ordersPerSecond: c.ORDER_RATE_PER_SECOND,
      othersPerSecond: c.OTHER_RATE_PER_SECOND,
      // Several instruments' entries and legs fall on one instant: spread the placements evenly.
      evenOrders: instruments.length > 1,
      ...(serverClock ? { onServerTime: (sample) => serverClock.addSample(sample), now: () => clock.now() } : {}),
    });
  const pollOnly = c.FEED === 'poll';
  if (resolved.mode === 'live' && openalgo) {
    const broker = client(openalgo);
    if (pollOnly) return { broker, detail: `OpenAlgo at ${c.OPENALGO_API_HOST}`, noFeed: 'FEED=poll' };
    const feed = new openalgo.OpenAlgoFeed({
      url: c.OPENALGO_WS_URL,
      apiKey: c.OPENALGO_API_KEY ?? '',
      clock,
      // The pong's server_timestamp is a millisecond stamp: the sharpest sample of the server's clock.
      ...(serverClock ? { onServerTime: (t) => serverClock.addSample({ sentAt: t.sentAt, receivedAt: t.receivedAt, serverTime: t.serverAt, resolutionMs: 1, source: 'ws pong' }) } : {}),
    });
    return { broker, feed, detail: `OpenAlgo at ${c.OPENALGO_API_HOST}, feed ${c.OPENALGO_WS_URL}` };
  }
  const seed = c.PAPER_SEED === 0 ? Math.floor(Math.random() * 2 ** 31) : c.PAPER_SEED;
  const quoteSource = liveData && openalgo ? new openalgo.QuoteOnlySource(client(openalgo)) : undefined;
  const setup = createDefaultPaperSetup({
    clock,
    seed,
    symbols: instruments.map(({ symbol, exchange }) => ({ symbol, exchange })),
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
  const traded = tradedInstruments(c);
  if ('error' in traded) {
    io.err(`random-scalp: ${traded.error}`);
    return EXIT.CONFIG;
  }
  if (traded.length === 0) {
    io.err('random-scalp: no instrument to trade: set SYMBOL (one) or SYMBOLS (several)');
    return EXIT.CONFIG;
  }
  const several = traded.length > 1;
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

  // One instance per book (per instrument): before anything is built, logged or sent.
  const locks: InstanceLock[] = [];
  const releaseLocks = (): void => {
    for (const l of locks) l.release();
  };
  const tookOver: string[] = [];
  for (const t of traded) {
    try {
      const taken = acquireInstanceLock({
        dir: c.STATE_DIR,
        name: lockFileName(resolved.mode, t.exchange, t.symbol),
        book: `${resolved.mode} ${t.symbol}@${t.exchange}`,
      });
      if (!taken.ok) {
        releaseLocks();
        io.err(`random-scalp: ${taken.message}`);
        return EXIT.CONFIG;
      }
      locks.push(taken.lock);
      if (taken.tookOverFrom) tookOver.push(`took over the lock of a run that is gone (${describeHolder(taken.tookOverFrom)})`);
    } catch (err) {
      releaseLocks();
      io.err(`random-scalp: cannot take the instance lock in STATE_DIR ${c.STATE_DIR}: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.CONFIG;
    }
  }

  let built: BuiltBroker;
  try {
    built = await buildBroker(resolved, traded, machineClock, opts.liveData, serverClock);
  } catch (err) {
    releaseLocks();
    io.err(`random-scalp: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.CONFIG;
  }
  const desk = assembleDesk({
    resolved,
    traded,
    clock,
    broker: built.broker,
    ...(built.feed ? { feed: built.feed } : {}),
    headless,
    stdout,
    secrets,
  });
  const { runs, account, commands: deskCommands } = desk;

  const banner = `${resolved.mode.toUpperCase()} broker (${resolved.modeReason}): ${built.detail}`;
  if (!headless) io.out(`random-scalp: ${banner}`);
  for (const { log, alerts, instrument } of runs) {
    log.info('START', several ? `${banner}; ${runs.length} instruments: ${runs.map((r) => r.instrument.key).join(', ')} (this log: ${instrument.key})` : banner);
    for (const t of tookOver) log.warn('LOCK', t);
    if (noDashboard !== null && noDashboard !== 'requested') log.info('START', `headless: ${noDashboard}`);
    for (const w of configWarnings(resolved)) log.warn('CONFIG', w);
    log.info('ALERT', alerts.summary);
    for (const w of alerts.warnings) log.warn('ALERT', w);
    if (built.noFeed) log.info('FEED', `no push feed (${built.noFeed}): order updates and prices are polled`);
  }

  let exitCode: number = EXIT.CONFIG;
  const summary = (): void => {
    const stateDirFlag = resolved.sourceOf.STATE_DIR === 'flag' ? c.STATE_DIR : undefined;
    for (const r of runs) {
      const lines = sessionSummaryLines({ tally: r.tally, held: heldQuantity(r.engine.state), side: positionSide(r.engine.state), mode: resolved.mode, journal: r.journal !== null, ...(stateDirFlag !== undefined ? { stateDirFlag } : {}) });
      // The report line is the same for every instrument: once is enough.
      const shown = several && r !== runs[0] ? lines.slice(0, 1) : lines;
      for (const line of shown) io.out(several ? line.replace(/^random-scalp: /, `random-scalp: ${r.instrument.key}: `) : line);
    }
  };

  const clockSync: ClockSync | null = serverClock ? startClockSync({ server: serverClock, clock: corrected, log: runs[0]!.log, store: runs[0]!.store }) : null;
  // One stop request can arrive twice a few ms apart (a supervisor signalling the process and
  // its group; the settings library used before re-raised each signal too). The repeat is not a
  // second request (which would log what is still in flight), so one within half a second counts once.
  let lastSignal = { name: '', at: -Infinity };
  const onSignal = (name: NodeJS.Signals): void => {
    const at = Date.now();
    const repeat = name === lastSignal.name && at - lastSignal.at < 500;
    lastSignal = { name, at };
    if (!repeat) deskCommands.quit();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const fatal = watchFatal(
    opts.fatalSource ?? process,
    (text) => {
      for (const r of runs) {
        r.log.critical('FATAL', `unexpected error: ${text}; stopping as on q (flat, then exit code ${EXIT.INTERNAL})`);
        r.store.getState().bannerChanged(`FATAL: unexpected error (${text}): stopping, flat then exit`);
      }
      deskCommands.quit();
    },
    (text) => {
      for (const r of runs) r.log.error('FATAL', `another unexpected error while stopping: ${text}`);
    },
  );
  const first = runs[0]!;
  const onDisplayError = (panel: string, err: Error): void => first.log.error('DISPLAY', `${panel}: ${err.message} (trading continues)`);
  const dashboard = headless
    ? null
    : several
      ? startDashboard({ desk: desk.store, deskCommands, stdout, stdin, onDisplayError })
      : startDashboard({ store: first.store, commands: first.engine, stdout, stdin, onDisplayError });
  // The dashboard's terminal went away (an SSH session dropped outside tmux, the window closed):
  // nobody sees the screen or can press a key any more, so stop as on q — flat, then exit —
  // rather than trade on unseen (or draw into a dead terminal for ever). Headless runs keep
  // SIGHUP's meaning to their supervisor (nohup ignores it; systemd does not send it).
  let hungUp = false;
  const onHangup = (why: string): void => {
    if (hungUp) return;
    hungUp = true;
    for (const r of runs) r.log.warn('STOP', `${why}: the terminal is gone; stopping as on q (flat, then exit)`);
    dashboard?.unmount();
    deskCommands.quit();
  };
  const onSighup = (): void => onHangup('SIGHUP');
  const onOutputError = (err: unknown): void => {
    if (isClosedPipe(err)) onHangup('the dashboard\'s output closed');
  };
  if (dashboard) {
    process.on('SIGHUP', onSighup);
    stdout.on('error', onOutputError);
  }
  // `random-scalp guard resume` for the account: looked for once a second.
  const resumeWatch = new AbortController();
  if (account) void watchAccountResume(account, clock, resumeWatch.signal);
  try {
    const started = await Promise.allSettled(runs.map((r) => r.engine.start()));
    const failed = started.findIndex((s) => s.status === 'rejected');
    if (failed >= 0) {
      const reason = (started[failed] as PromiseRejectedResult).reason as unknown;
      if (!(reason instanceof StartupError)) throw reason;
      const run = runs[failed]!;
      const message = several ? `${run.instrument.key}: ${reason.message}` : reason.message;
      run.store.getState().bannerChanged(reason.message);
      run.log.error('START', reason.message);
      // The others may already trade: they stop the safe way (flat, then exit) before we go.
      for (const [i, r] of runs.entries()) {
        if (started[i]?.status !== 'fulfilled') continue;
        r.log.warn('STOP', `${run.instrument.key} could not start (${reason.message}): stopping every instrument`);
        r.engine.quit();
      }
      await Promise.all(runs.filter((_, i) => started[i]?.status === 'fulfilled').map((r) => r.engine.stopped));
      dashboard?.unmount();
      io.err(`random-scalp: ${message}`);
      exitCode = reason.exitCode;
      return reason.exitCode;
    }
    const codes = await Promise.all(runs.map((r) => r.engine.stopped));
    // Any instrument still holding is exit code 3 for the whole run; otherwise the first failure.
    const code = codes.includes(EXIT.STILL_HOLDING) ? EXIT.STILL_HOLDING : fatal.error !== null ? EXIT.INTERNAL : (codes.find((k) => k !== EXIT.OK) ?? EXIT.OK);
    exitCode = code;
    dashboard?.unmount();
    for (const [i, r] of runs.entries()) {
      r.log.info('STOP', codes[i] === EXIT.OK ? `stopped flat${fatal.error !== null ? ` after an unexpected error (exit code ${EXIT.INTERNAL})` : ''}` : 'stopped while STILL HOLDING a position (exit code 3)');
      r.journal?.close(codes[i] ?? code, clock.now());
    }
    summary();
    return code;
  } finally {
    resumeWatch.abort();
    fatal.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSighup);
    stdout.off('error', onOutputError);
    clockSync?.stop();
    dashboard?.unmount();
    for (const r of runs) {
      r.journal?.close(exitCode, clock.now());
      await r.alerts.close();
      await r.log.close();
    }
    await built.broker.close?.();
    releaseLocks();
  }
}

async function watchAccountResume(account: AccountGuard, clock: Clock, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      await clock.sleep(1000, signal);
    } catch {
      return;
    }
    account.takeResume();
  }
}
