import { paperServerMain } from '../broker/paper/server.js';
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
  symbol?: string;
  exchange: string;
  /** Default: PAPER_HOLIDAYS from the environment. */
  holidays?: string;
  clockOffset?: string;
}

export async function runPaperServer(o: PaperServerFlags, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
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
  const apiKey = env.OPENALGO_API_KEY || PAPER_SERVER_DEFAULT_KEY;
  let server: { url: string; close(): Promise<void> };
  try {
    server = await paperServerMain({
      port,
      wsPort,
      seed,
      apiKey,
      host: o.host,
      exchange: o.exchange,
      ...(o.faults ? { faults: o.faults } : {}),
      ...(o.symbol ? { symbol: o.symbol } : {}),
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
