import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../time/clock.js';
import { formatIstTime } from '../time/ist.js';
import { isClosedPipe } from './closed-pipe.js';
import type { AppStore } from '../store/store.js';
import type { LogLevel } from '../store/types.js';

// One line per event: level, tag, text. Into the store's bounded ring always; into a file with
// LOG_TO_FILE; onto stdout in headless mode. Every line passes the redactor first.

export interface Logger {
  log(level: LogLevel, tag: string, text: string): void;
  info(tag: string, text: string): void;
  warn(tag: string, text: string): void;
  error(tag: string, text: string): void;
  critical(tag: string, text: string): void;
  debug(tag: string, text: string): void;
  close(): Promise<void>;
}

export interface LoggerOptions {
  store: AppStore;
  clock: Clock;
  /** Values that must never be written anywhere (the API key). */
  secrets: string[];
  filePath?: string;
  /** Headless: also write each line here. */
  stdout?: NodeJS.WritableStream;
  /** Lines at or above this level reach stdout and the file (DEBUG stays in the ring). */
  minLevel?: LogLevel;
  /** Several instruments in one process: every stdout and file line names its instrument. */
  instrument?: string;
}

const ORDER: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, CRITICAL: 4 };

export function redactSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

export function formatLine(at: number, level: LogLevel, tag: string, text: string, instrument?: string): string {
  return `${formatIstTime(at)} ${level.padEnd(8)} ${instrument ? `${instrument} ` : ''}[${tag}] ${text}`;
}

export function createLogger(opts: LoggerOptions): Logger {
  let file: fs.WriteStream | null = null;
  if (opts.filePath) {
    fs.mkdirSync(path.dirname(opts.filePath), { recursive: true, mode: 0o700 });
    file = fs.createWriteStream(opts.filePath, { flags: 'a', mode: 0o600 });
    file.on('error', () => { file = null; });
  }
  const min = ORDER[opts.minLevel ?? 'INFO'];
  // Headless output piped into a reader that left (`| head`): the lines go to the file only and
  // trading goes on; Ctrl-C or SIGTERM still stops it gracefully.
  let stdout = opts.stdout ?? null;
  // Test sinks may be a bare { write }: only a real stream has error events.
  if (typeof stdout?.on === 'function') stdout.on('error', (err: unknown) => {
    if (!stdout) return;
    stdout = null;
    const why = isClosedPipe(err) ? 'stdout was closed' : `stdout failed (${err instanceof Error ? err.message : String(err)})`;
    log('WARN', 'LOG', `${why}: log lines go to the log file only from now on; trading continues`);
  });
  function log(level: LogLevel, tag: string, raw: string): void {
    const text = redactSecrets(raw, opts.secrets);
    const at = opts.clock.now();
    opts.store.getState().logged({ at, level, tag, text });
    if (level === 'CRITICAL') opts.store.getState().criticalRaised();
    if (ORDER[level] < min) return;
    const line = formatLine(at, level, tag, text, opts.instrument);
    file?.write(`${line}\n`);
    if (stdout && (stdout as { writable?: boolean }).writable !== false) stdout.write(`${line}\n`);
  }
  return {
    log,
    info: (tag, text) => log('INFO', tag, text),
    warn: (tag, text) => log('WARN', tag, text),
    error: (tag, text) => log('ERROR', tag, text),
    critical: (tag, text) => log('CRITICAL', tag, text),
    debug: (tag, text) => log('DEBUG', tag, text),
    close: () =>
      new Promise<void>((resolve) => {
        if (!file) return resolve();
        file.end(() => resolve());
      }),
  };
}
