import os from 'node:os';
import path from 'node:path';
import { CONFIG_KEYS, SCHEMA, type Config, type ConfigKey, type FieldSpec } from './schema.js';
import { parseValue } from './values.js';
import { defaultPaperSymbol } from '../time/expiry.js';

export type Source = 'default' | 'store' | '.env' | 'env' | 'flag';
export type Mode = 'paper' | 'live';

export interface RawSources {
  /** Persisted settings (conf store). */
  store: Partial<Record<string, string>>;
  /** Parsed .env file of the working directory. */
  dotenv: Partial<Record<string, string>>;
  /** process.env */
  env: Partial<Record<string, string>>;
  /** Command-line flags, by config key. */
  flags: Partial<Record<ConfigKey, string>>;
  /** --paper / --live, when given. */
  modeFlag?: Mode;
}

export interface ResolvedConfig {
  config: Config;
  mode: Mode;
  /** Why this broker was chosen, printed at start. */
  modeReason: string;
  sourceOf: Record<ConfigKey, Source>;
  /** The text each setting was given as (or its default), for `config show`. */
  rawOf: Partial<Record<ConfigKey, string>>;
}

/** A user mistake in configuration: one clear line, never a stack trace. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const spec = (key: ConfigKey): FieldSpec => SCHEMA[key];

export function describeSource(source: Source): string {
  switch (source) {
    case 'flag': return 'command-line flag';
    case 'env': return 'environment';
    case '.env': return '.env file';
    case 'store': return 'saved config (random-scalp config set)';
    case 'default': return 'default';
  }
}

export function showValue(key: ConfigKey, raw: string): string {
  return spec(key).kind === 'secret' ? maskSecret(raw) : JSON.stringify(raw);
}

export function maskSecret(secret: string): string {
  if (secret.length === 0) return '(empty)';
  if (secret.length <= 8) return '****';
  return `${secret.slice(0, 2)}****${secret.slice(-2)}`;
}

/** The message for a wrong value: field, value, where it came from, what is allowed. */
export function invalidValueMessage(key: ConfigKey, raw: string, source: Source, allowed: string): string {
  return `invalid ${key} = ${showValue(key, raw)} (from ${describeSource(source)}): expected ${allowed}`;
}

export function defaultStateDir(env: Partial<Record<string, string>>): string {
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'random-scalp');
}

function pick(sources: RawSources, key: ConfigKey): { raw: string; source: Source } | undefined {
  const layers: [Source, Partial<Record<string, string>>][] = [
    ['flag', sources.flags],
    ['env', sources.env],
    ['.env', sources.dotenv],
    ['store', sources.store],
  ];
  for (const [source, values] of layers) {
    const raw = values[key];
    if (raw !== undefined) return { raw, source };
  }
  return undefined;
}

function chooseMode(sources: RawSources): { mode: Mode; reason: string } {
  if (sources.modeFlag === 'paper') return { mode: 'paper', reason: '--paper' };
  if (sources.modeFlag === 'live') return { mode: 'live', reason: '--live' };
  const testMode = pick(sources, 'TEST_MODE');
  if (testMode) {
    const parsed = parseValue(spec('TEST_MODE'), testMode.raw);
    if (!parsed.ok) throw new ConfigError(invalidValueMessage('TEST_MODE', testMode.raw, testMode.source, parsed.allowed));
    if (parsed.value === true) return { mode: 'paper', reason: 'TEST_MODE=true' };
  }
  const key = pick(sources, 'OPENALGO_API_KEY');
  if (key && key.raw.trim() !== '') return { mode: 'live', reason: 'an API key is configured' };
  return { mode: 'paper', reason: 'no API key configured' };
}

/** Resolve every setting: defaults < store < .env < env < flags, validated, mode-aware defaults. */
export function resolveConfig(sources: RawSources, opts: { forStart?: boolean } = {}): ResolvedConfig {
  const { mode, reason } = chooseMode(sources);
  const values: Record<string, unknown> = {};
  const sourceOf = {} as Record<ConfigKey, Source>;
  const rawOf: Partial<Record<ConfigKey, string>> = {};
  for (const key of CONFIG_KEYS) {
    const field: FieldSpec = spec(key);
    const given = pick(sources, key);
    const fallback = mode === 'paper' ? (field.paper ?? field.live) : field.live;
    if (given === undefined && fallback === undefined) continue;
    const raw = given?.raw ?? (fallback as string);
    const source: Source = given?.source ?? 'default';
    const parsed = parseValue(field, raw);
    if (!parsed.ok) throw new ConfigError(invalidValueMessage(key, raw, source, parsed.allowed));
    values[key] = parsed.value;
    sourceOf[key] = source;
    rawOf[key] = raw;
  }
  if (values.SYMBOL !== undefined && values.SYMBOLS !== undefined) {
    throw new ConfigError(
      `SYMBOL (from ${describeSource(sourceOf.SYMBOL)}) and SYMBOLS (from ${describeSource(sourceOf.SYMBOLS)}) are both set: keep one (SYMBOLS=A,B for several instruments, SYMBOL for one)`,
    );
  }
  if (mode === 'paper' && values.SYMBOL === undefined && values.SYMBOLS === undefined) {
    // The paper instrument follows the calendar so it never looks expired.
    values.SYMBOL = defaultPaperSymbol(Date.now());
    sourceOf.SYMBOL = 'default';
    rawOf.SYMBOL = values.SYMBOL as string;
  }
  if (values.STATE_DIR === undefined) {
    values.STATE_DIR = defaultStateDir(sources.env);
    sourceOf.STATE_DIR = 'default';
    rawOf.STATE_DIR = values.STATE_DIR as string;
  }
  const config = values as Config;
  // `config show` lists an incomplete setup too; only a start needs it complete.
  if (opts.forStart !== false) checkCombination(config, mode);
  return { config, mode, modeReason: reason, sourceOf, rawOf };
}

function checkCombination(config: Config, mode: Mode): void {
  if (mode === 'live') {
    const missing = (['OPENALGO_API_KEY', 'SYMBOL'] as const).filter((k) => !config[k] && !(k === 'SYMBOL' && config.SYMBOLS));
    if (missing.length > 0) {
      throw new ConfigError(
        `--live needs ${missing.join(' and ')}: set ${missing.map((k) => `${k} (env, .env, \`random-scalp config set ${k} …\` or ${flagHint(k)})`).join(' and ')}`,
      );
    }
  }
  if (config.USE_HISTORY && config.HISTORY_START_DATE && config.HISTORY_END_DATE && config.HISTORY_START_DATE > config.HISTORY_END_DATE) {
    throw new ConfigError(
      `invalid HISTORY_START_DATE = "${config.HISTORY_START_DATE}": expected a date on or before HISTORY_END_DATE (${config.HISTORY_END_DATE})`,
    );
  }
}

function flagHint(key: ConfigKey): string {
  return key === 'OPENALGO_API_KEY' ? 'the environment only' : `--${key.toLowerCase().replace(/_/g, '-')}`;
}

/** Validate one value for `config set` before it is saved. */
export function validateForStore(key: string, raw: string): string | null {
  if (!(CONFIG_KEYS as string[]).includes(key)) {
    return `unknown setting ${JSON.stringify(key)}: expected one of ${CONFIG_KEYS.join(', ')}`;
  }
  const k = key as ConfigKey;
  const parsed = parseValue(spec(k), raw);
  return parsed.ok ? null : invalidValueMessage(k, raw, 'store', parsed.allowed);
}
