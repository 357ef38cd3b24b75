import { paperServerMain } from '../broker/paper/server.js';
import { tradedInstruments } from '../config/instruments.js';
import { ConfigError, resolveConfig, type RawSources } from '../config/resolve.js';
import type { ConfigKey } from '../config/schema.js';
import type { Io } from './config-command.js';
import { EXIT } from './exit-codes.js';

/** The key paper-server accepts when OPENALGO_API_KEY is not set (documented in the README). */
export const PAPER_SERVER_DEFAULT_KEY = 'paper-key';

export interface PaperServerFlags {
  port: string;
  /** The WebSocket feed's port, or 'off'. */
  wsPort: string;
  host: string;
  seed: string;
  faults?: string;
  /** Flags over the config's settings of the same names (SYMBOL, SYMBOLS, EXCHANGE). */
  symbol?: string;
  symbols?: string;
  exchange?: string;
  /** Default: PAPER_HOLIDAYS from the environment. */
  holidays?: string;
  clockOffset?: string;
}

/** The settings that say what paper-server serves; the others (strategy, broker) are not its business. */
const INSTRUMENT_KEYS: readonly ConfigKey[] = ['SYMBOL', 'SYMBOLS', 'EXCHANGE', 'LOTS'];

type Served = { symbols: { symbol: string; exchange: string }[] } | { exchange: string } | { error: string };

/**
 * The instruments to serve, from the flags over the config (SYMBOLS or SYMBOL, as the trader
 * reads them), so a paper-server started beside a bot with the same settings serves what it
 * trades. Neither set: the default paper symbol on the server's clock, on EXCHANGE.
 */
export function servedInstruments(o: PaperServerFlags, sources: Omit<RawSources, 'flags' | 'modeFlag'>): Served {
  const only = (values: Partial<Record<string, string>>): Partial<Record<string, string>> =>
    Object.fromEntries(INSTRUMENT_KEYS.flatMap((k) => (values[k] !== undefined ? [[k, values[k]]] : [])));
  const flags: Partial<Record<ConfigKey, string>> = {
    ...(o.symbol !== undefined ? { SYMBOL: o.symbol } : {}),
    ...(o.symbols !== undefined ? { SYMBOLS: o.symbols } : {}),
    ...(o.exchange !== undefined ? { EXCHANGE: o.exchange } : {}),
  };
  try {
    const resolved = resolveConfig({ store: only(sources.store), dotenv: only(sources.dotenv), env: only(sources.env), flags, modeFlag: 'paper' });
    if (resolved.config.SYMBOLS === undefined && resolved.sourceOf.SYMBOL === 'default') return { exchange: resolved.config.EXCHANGE };
    const traded = tradedInstruments(resolved.config);
    if ('error' in traded) return traded;
    return { symbols: traded.map(({ symbol, exchange }) => ({ symbol, exchange })) };
  } catch (err) {
    if (err instanceof ConfigError) return { error: err.message };
    throw err;
  }
}

export async function runPaperServer(
  o: PaperServerFlags,
  env: NodeJS.ProcessEnv,
  io: Io,
  sources: Omit<RawSources, 'flags' | 'modeFlag'> = { store: {}, dotenv: {}, env },
): Promise<number> {
  const port = Number(o.port);
  const seed = Number(o.seed);
  const clockOffset = Number(o.clockOffset ?? '0');
  if (!Number.isFinite(clockOffset) || Math.abs(clockOffset) > 86_400) {
    io.err(`random-scalp: invalid --clock-offset ${JSON.stringify(o.clockOffset)}: expected seconds from -86400 to 86400 (decimals allowed)`);
    return EXIT.CONFIG;
  }
  const holidays = o.holidays ?? env.PAPER_HOLIDAYS;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`random-scalp: invalid --port ${JSON.stringify(o.port)}: expected a whole number from 0 to 65535`);
    return EXIT.CONFIG;
  }
  const wsPort = o.wsPort === 'off' ? null : Number(o.wsPort);
  if (wsPort !== null && (!Number.isInteger(wsPort) || wsPort < 0 || wsPort > 65535)) {
    io.err(`random-scalp: invalid --ws-port ${JSON.stringify(o.wsPort)}: expected a whole number from 0 to 65535, or off`);
    return EXIT.CONFIG;
  }
  if (!Number.isInteger(seed) || seed < 0) {
    io.err(`random-scalp: invalid --seed ${JSON.stringify(o.seed)}: expected a whole number ≥ 0`);
    return EXIT.CONFIG;
  }
  const served = servedInstruments(o, sources);
  if ('error' in served) {
    io.err(`random-scalp: ${served.error}`);
    return EXIT.CONFIG;
  }
  const apiKey = env.OPENALGO_API_KEY || PAPER_SERVER_DEFAULT_KEY;
  let server: { url: string; close(): Promise<void> };
  try {
    server = await paperServerMain({
      port,
      wsPort,
      seed,
      apiKey,
      host: o.host,
      ...served,
      ...(o.faults ? { faults: o.faults } : {}),
      ...(holidays ? { holidays } : {}),
      ...(clockOffset !== 0 ? { clockOffsetMs: Math.round(clockOffset * 1000) } : {}),
    });
  } catch (err) {
    io.err(`random-scalp: paper-server: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.CONFIG;
  }
  io.out(`API key: ${env.OPENALGO_API_KEY ? 'OPENALGO_API_KEY from the environment' : `"${PAPER_SERVER_DEFAULT_KEY}" (set OPENALGO_API_KEY to choose one)`}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT.OK;
}
