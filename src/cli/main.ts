import { Command, CommanderError, Option } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_KEYS, SCHEMA, flagName, type ConfigKey } from '../config/schema.js';
import { configCommand, readSources, type Io } from './config-command.js';
import { SettingsFileError } from '../config/conf-store.js';
import { watchForClosedPipe } from '../log/closed-pipe.js';
import { guardCommand } from './guard-command.js';
import { terminalPrompt } from './prompt.js';
import { EXIT } from './exit-codes.js';
import { runTrader } from './run.js';
import type { PaperServerFlags } from './paper-server-command.js';
import type { ReportFlags } from './report-command.js';
import type { ChargesFlags } from './charges-command.js';
import { EXCHANGES } from '../config/exchanges.js';
import type { RawSources } from '../config/resolve.js';
import type { BacktestFlags } from './backtest-command.js';

/** The package version, from the nearest package.json up the tree (sources and dist/ differ in depth). */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
    dir = path.dirname(dir);
  }
  return '0.0.0';
}
const version = packageVersion();

/** Flags generated from the schema; the API key is env/.env/store only (a flag shows in `ps`). */
const FLAG_KEYS = CONFIG_KEYS.filter((k) => SCHEMA[k].kind !== 'secret' && k !== 'TEST_MODE');

function defaultText(key: ConfigKey): string {
  const spec = SCHEMA[key];
  const live = 'live' in spec ? spec.live : undefined;
  const paper = 'paper' in spec ? spec.paper : undefined;
  if (live === undefined && paper === undefined) return '';
  if (paper !== undefined && paper !== live) return ` (default ${live ?? 'none'}; paper ${paper})`;
  return live === '' ? '' : ` (default ${live})`;
}

let stdoutClosed: (() => boolean) | null = null;
let stderrClosed: (() => boolean) | null = null;

/** Lines to the process's stdout and stderr, which a closed pipe silences instead of crashing. */
function processIo(): Io {
  stdoutClosed ??= watchForClosedPipe(process.stdout);
  stderrClosed ??= watchForClosedPipe(process.stderr);
  const outClosed = stdoutClosed;
  const errClosed = stderrClosed;
  return {
    out: (l) => {
      if (!outClosed() && process.stdout.writable) process.stdout.write(`${l}\n`);
    },
    err: (l) => {
      if (!errClosed() && process.stderr.writable) process.stderr.write(`${l}\n`);
    },
  };
}


export interface MainOptions {
  io?: Io;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the conf store lives (tests); default: the user's config dir. */
  confCwd?: string;
  /** `guard resume`: asks on the terminal (tests inject one; null = no terminal). */
  prompt?: ((question: string) => Promise<string>) | null;
  /** `guard resume`: how long to wait for a running bot to take the request (default 5 s). */
  guardWaitMs?: number;
}

/** The settings given as flags, by config key (commander camel-cases the flag names). */
function flagValuesOf(flags: Record<string, string | boolean | undefined>): Partial<Record<ConfigKey, string>> {
  const values: Partial<Record<ConfigKey, string>> = {};
  for (const key of FLAG_KEYS) {
    const camel = key.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = flags[camel];
    if (typeof v === 'string') values[key] = v;
  }
  return values;
}

export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  const io: Io = opts.io ?? processIo();
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  let result: Promise<number> = Promise.resolve(EXIT.OK);

  const program = new Command('random-scalp')
    .description('Intraday scalping on OpenAlgo, live in the terminal. Paper market by default.')
    .version(version, '-V, --version')
    .exitOverride()
    // Options after a command name are that command's (report --paper, --state-dir; paper-server --symbol).
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .option('--paper', 'trade the built-in paper market (also TEST_MODE=true)')
    .option('--live', 'trade through OpenAlgo (needs OPENALGO_API_KEY and SYMBOL)')
    .option('--headless', 'no dashboard: one log line per event on stdout (automatic when not a terminal)')
    .option('--live-data', 'with --paper: paper orders on real OpenAlgo quotes (quotes only reach the server)');
  for (const key of FLAG_KEYS) {
    const spec = SCHEMA[key];
    program.addOption(new Option(`${flagName(key)} <value>`, `${spec.help} [${key}]${defaultText(key)}`));
  }
  program.addHelpText(
    'after',
    '\nSettings come from, later wins: defaults < saved config < .env < environment < flags.\n' +
      'OPENALGO_API_KEY is read from the environment, .env or saved config only.\n' +
      'Exit codes: 0 done and flat; 1 usage or configuration error; 2 cannot reach or authenticate\n' +
      'with the broker; 3 stopped while still holding a position; 4 stopped flat after an unexpected\n' +
      'internal error.',
  );
  program.action((flags: Record<string, string | boolean>) => {
    if (flags.paper && flags.live) {
      io.err('random-scalp: --paper and --live exclude each other: choose one');
      result = Promise.resolve(EXIT.CONFIG);
      return;
    }
    const flagValues = flagValuesOf(flags);
    const modeFlag = flags.paper ? 'paper' : flags.live ? 'live' : undefined;
    result = runTrader({
      io,
      sources: { ...readSources(cwd, env, opts.confCwd), flags: flagValues, ...(modeFlag ? { modeFlag } : {}) },
      headless: Boolean(flags.headless),
      liveData: Boolean(flags.liveData),
    });
  });

  const doctor = program
    .command('doctor')
    .description('check that everything is ready to trade: one row per check, ok/warn/fail with what to do; exit 1 when any fails')
    .option('--json', 'one JSON document for scripts')
    .option('--paper', 'check the paper setup')
    .option('--live', 'check the live setup (OpenAlgo)');
  for (const key of FLAG_KEYS) doctor.addOption(new Option(`${flagName(key)} <value>`, `${SCHEMA[key].help} [${key}]`));
  doctor.action((_own: Record<string, string | boolean>, command: Command) => {
    // The root program declares the same flags: commander files them there, wherever they stand.
    const flags = command.optsWithGlobals<Record<string, string | boolean>>();
    if (flags.paper && flags.live) {
      io.err('random-scalp: --paper and --live exclude each other: choose one');
      result = Promise.resolve(EXIT.CONFIG);
      return;
    }
    const modeFlag = flags.paper ? 'paper' : flags.live ? 'live' : undefined;
    const sources: RawSources = { ...readSources(cwd, env, opts.confCwd), flags: flagValuesOf(flags), ...(modeFlag ? { modeFlag } : {}) };
    result = import('./doctor-command.js').then((m) => m.doctorCommand(sources, io, { json: Boolean(flags.json) }));
  });

  program
    .command('config')
    .description('show or change the saved settings: config show | set KEY VALUE | unset KEY | path')
    .argument('[args...]', 'show | set KEY VALUE | unset KEY | path')
    .action((args: string[]) => {
      result = Promise.resolve(configCommand(args, io, { ...readSources(cwd, env, opts.confCwd), flags: {} }, opts.confCwd));
    });

  const guard = program
    .command('guard')
    .description('the session guard: guard status (the day against the limits) | guard resume (type RESUME; --confirm RESUME without a terminal)')
    .argument('[action]', 'status | resume')
    .option('--confirm <word>', 'resume without a terminal: the word RESUME');
  guard.action((action: string | undefined) => {
    // --paper/--live and every setting flag (--state-dir, --symbol, …) are the program's own.
    const flags = guard.optsWithGlobals<Record<string, string | boolean | undefined>>();
    if (flags.paper && flags.live) {
      io.err('random-scalp: --paper and --live exclude each other: choose one');
      result = Promise.resolve(EXIT.CONFIG);
      return;
    }
    const modeFlag = flags.paper ? 'paper' : flags.live ? 'live' : undefined;
    result = guardCommand(action, {
      io,
      sources: { ...readSources(cwd, env, opts.confCwd), flags: flagValuesOf(flags), ...(modeFlag ? { modeFlag } : {}) },
      prompt: opts.prompt !== undefined ? opts.prompt : terminalPrompt(),
      ...(typeof flags.confirm === 'string' ? { confirm: flags.confirm } : {}),
      waitMs: opts.guardWaitMs ?? 5_000,
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
  });

  program
    .command('report')
    .description('the trade journal per IST day and in total: win rate, P&L, profit factor, drawdown, exit reasons, equity curve')
    .option('--today', 'today (IST) only')
    .option('--date <YYYY-MM-DD>', 'one IST day')
    .option('--from <YYYY-MM-DD>', 'first IST day (inclusive)')
    .option('--to <YYYY-MM-DD>', 'last IST day (inclusive)')
    .option('--paper', 'the paper journal (default unless the configuration selects live)')
    .option('--live', 'the live journal')
    .option('--csv <file>', 'also write one row per round trip to this CSV file')
    .option('--json', 'print the figures as JSON instead of the tables')
    .option('--html <file>', 'also write a self-contained HTML report to this file')
    .option('--state-dir <dir>', 'where the journal lives [STATE_DIR]')
    .option('--backtest <run>', 'a kept backtest run (random-scalp backtest --list) instead of the paper or live journal')
    .action((o: ReportFlags & { backtest?: string }) => {
      const sourcesNow = { ...readSources(cwd, env, opts.confCwd), flags: {} };
      const reportEnv = { now: Date.now(), columns: process.stdout.columns ?? 100 };
      const run = o.backtest;
      result = run !== undefined
        ? import('./backtest-command.js').then((m) => m.reportBacktest(run, o, io, sourcesNow, reportEnv))
        : import('./report-command.js').then((m) => m.reportCommand(o, io, sourcesNow, reportEnv));
    });

  // backtest: its own --symbol/--exchange/--interval (the data's bars)/--state-dir; the strategy's
  // bar is --strategy-interval (INTERVAL); every other setting is a flag as for the trader.
  const OWN = new Set<ConfigKey>(['SYMBOL', 'EXCHANGE', 'INTERVAL', 'STATE_DIR']);
  const backtest = program
    .command('backtest')
    .description('replay history (OpenAlgo history, cached, or a CSV) through the real engine on a virtual clock; one run, or a sweep of settings ranked by net')
    .option('--symbol <symbol>', 'the instrument [SYMBOL]')
    .option('--exchange <exchange>', 'its exchange [EXCHANGE] (default NFO)')
    .option('--from <YYYY-MM-DD>', 'first IST day (inclusive)')
    .option('--to <YYYY-MM-DD>', 'last IST day (inclusive)')
    .option('--interval <interval>', "the data's bar length, OpenAlgo's history interval (default 1m)")
    .option('--strategy-interval <interval>', "the strategy's bar [INTERVAL]: the data's or coarser, never finer")
    .option('--data <file.csv>', 'bars from a CSV file (timestamp,open,high,low,close[,volume]) instead of OpenAlgo; no API key needed')
    .option('--lot-size <n>', "lot size (default: the broker's instrument record, else the built-in index table)")
    .option('--tick <t>', "tick size (default: the broker's instrument record, else the exchange's)")
    .option('--path <mode>', 'worst (adverse extreme first for an open position; default) or ohlc (O-H-L-C up bars, O-L-H-C down bars)')
    .option('--json', 'print the figures as JSON')
    .option('--csv <file>', 'also write one row per round trip (a sweep: per combination) to this CSV file')
    .option('--html <file>', 'also write an HTML report (a sweep of two keys: a heatmap)')
    .option('--sweep <KEY=a:b:step|KEY=v1,v2>', 'sweep a setting (repeat for several): every combination, ranked by net', (v: string, prev: string[] = []) => [...prev, v])
    .option('--top <n>', 'a sweep shows the best N (default 10)')
    .option('--holdout <pct>', 'a sweep ranks on all but the last pct of the days and shows the best on those too, e.g. 25%')
    .option('--workers <n>', 'sweep worker threads (default: one per core; 0: none)')
    .option('--list', 'list the kept backtest runs')
    .option('--state-dir <dir>', 'where the journal and the bar cache live [STATE_DIR]');
  for (const key of FLAG_KEYS) if (!OWN.has(key)) backtest.addOption(new Option(`${flagName(key)} <value>`, `${SCHEMA[key].help} [${key}]`));
  backtest.action((_own: Record<string, unknown>, command: Command) => {
    const flags = command.opts<Record<string, string | boolean | string[] | undefined>>();
    const settingFlags = flagValuesOf(flags as Record<string, string | boolean | undefined>);
    for (const key of OWN) delete settingFlags[key];
    if (typeof flags.strategyInterval === 'string') settingFlags.INTERVAL = flags.strategyInterval;
    const sources = { ...readSources(cwd, env, opts.confCwd), flags: settingFlags };
    const runEnv = { now: Date.now(), columns: process.stdout.columns ?? 100, tty: Boolean(process.stderr.isTTY) };
    result = import('./backtest-command.js').then((m) => m.backtestCommand(flags as BacktestFlags, io, sources, runEnv));
  });

  program
    .command('charges')
    .description("what one round trip pays as a contract note lists it: brokerage, STT, exchange charge, SEBI fee, stamp duty, IPFT, GST; no broker session")
    .option('--symbol <symbol>', 'trading symbol in OpenAlgo format: the segment (option, future, equity) comes from it')
    .option('--exchange <exchange>', `exchange of the symbol, one of ${EXCHANGES.join(', ')} (default NFO for …CE/…PE/…FUT, else NSE)`)
    .option('--qty <n>', 'quantity in units (lots × lot size)')
    .option('--buy <price>', 'buy price, ₹')
    .option('--sell <price>', 'sell price, ₹')
    .option('--date <YYYY-MM-DD>', 'IST trade date: picks the rates (default today)')
    .option('--brokerage <spec>', 'brokerage per order: 20, 0, 0.03%:20 (default: the configured BROKERAGE)')
    .option('--json', 'each component and total in rupees, as JSON')
    .action((o: ChargesFlags) => {
      const sources = { ...readSources(cwd, env, opts.confCwd), flags: {} };
      result = import('./charges-command.js').then((m) => m.chargesCommand(o, io, sources, Date.now()));
    });

  program
    .command('paper-server')
    .description("serve the paper market over HTTP with OpenAlgo paths and shapes, and its WebSocket feed with OpenAlgo's protocol")
    .option('--port <port>', 'port to listen on', '5000')
    .option('--ws-port <port>', 'port of the WebSocket feed (ticks, order updates), or off', '8765')
    .option('--host <host>', 'address to bind (loopback by default)', '127.0.0.1')
    .option('--seed <seed>', 'market seed (same seed, same prices)', '7')
    .option('--faults <spec>', 'fault switches, e.g. partialFill=0.3,slmRefused (see README)')
    .option('--symbol <symbol>', 'instrument to serve [SYMBOL] (default: this month\'s NIFTY 25000 call)')
    .option('--symbols <list>', 'several instruments to serve, one market each: SYM[@EXCHANGE][:LOTS],… [SYMBOLS]')
    .option('--exchange <exchange>', 'exchange of a symbol named without one [EXCHANGE] (default NFO)')
    .option('--holidays <spec>', 'extra holidays / special sessions over the built-in sample: YYYY-MM-DD[:name] or YYYY-MM-DD@HH:MM-HH:MM[:name], comma-separated [PAPER_HOLIDAYS]')
    .option('--clock-offset <seconds>', "run the server's clock this many seconds ahead (negative: behind) of the machine's", '0')
    .action((o: PaperServerFlags) => {
      const sources = readSources(cwd, env, opts.confCwd);
      result = import('./paper-server-command.js').then((m) => m.runPaperServer(o, env, io, sources));
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.CONFIG;
    }
    if (err instanceof SettingsFileError) return settingsFileProblem(err);
    throw err;
  }
  return result.catch((err: unknown) => {
    if (err instanceof SettingsFileError) return settingsFileProblem(err);
    throw err;
  });

  function settingsFileProblem(err: SettingsFileError): number {
    io.err(`random-scalp: ${err.message}`);
    return EXIT.CONFIG;
  }
}
