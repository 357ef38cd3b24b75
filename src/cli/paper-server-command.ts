import { paperServerMain } from '../broker/paper/server.js';
import type { Io } from './config-command.js';
import { EXIT } from './exit-codes.js';

/** The key paper-server accepts when OPENALGO_API_KEY is not set (documented in the README). */
export const PAPER_SERVER_DEFAULT_KEY = 'paper-key';

export async function runPaperServer(
  o: { port: string; wsPort: string; host: string; seed: string; faults?: string; symbol?: string; exchange: string },
  env: NodeJS.ProcessEnv,
  io: Io,
): Promise<number> {
  const port = Number(o.port);
  const seed = Number(o.seed);
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
