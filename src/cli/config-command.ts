import { CONFIG_KEYS, SCHEMA } from '../config/schema.js';
import { openSettingsStore } from '../config/conf-store.js';
import { readDotenv } from '../config/dotenv-file.js';
import { describeSource, maskSecret, resolveConfig, validateForStore, ConfigError, type RawSources } from '../config/resolve.js';
import { EXIT } from './exit-codes.js';

// `random-scalp config show | set KEY VALUE | unset KEY | path`: the persisted settings.

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export function configShow(io: Io, sources: RawSources): number {
  let resolved;
  try {
    resolved = resolveConfig(sources, { forStart: false });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`random-scalp: ${err.message}`);
      return EXIT.CONFIG;
    }
    throw err;
  }
  io.out(`mode: ${resolved.mode} (${resolved.modeReason})`);
  try {
    resolveConfig(sources);
  } catch (err) {
    if (err instanceof ConfigError) io.out(`note: a start would stop here: ${err.message}`);
  }
  const width = Math.max(...CONFIG_KEYS.map((k) => k.length));
  for (const key of CONFIG_KEYS) {
    const raw = resolved.rawOf[key];
    const source = resolved.sourceOf[key];
    const shown = raw === undefined ? '(not set)' : SCHEMA[key].kind === 'secret' ? maskSecret(raw) : raw === '' ? '""' : raw;
    io.out(`${key.padEnd(width)}  ${shown.padEnd(24)}  ${source ? describeSource(source) : ''}`.trimEnd());
  }
  return EXIT.OK;
}

export function configCommand(args: string[], io: Io, sources: RawSources, confCwd?: string): number {
  const [action, key, value, ...rest] = args;
  const store = openSettingsStore(confCwd);
  switch (action) {
    case undefined:
    case 'show':
      return configShow(io, { ...sources, store: store.all() });
    case 'path':
      io.out(store.path);
      return EXIT.OK;
    case 'set': {
      if (!key || value === undefined || rest.length > 0) {
        io.err('random-scalp: usage: random-scalp config set KEY VALUE');
        return EXIT.CONFIG;
      }
      const problem = validateForStore(key, value);
      if (problem) {
        io.err(`random-scalp: ${problem}`);
        return EXIT.CONFIG;
      }
      store.set(key, value);
      io.out(`${key} saved${SCHEMA[key as keyof typeof SCHEMA].kind === 'secret' ? ` (${maskSecret(value)})` : ` = ${value}`} in ${store.path}`);
      return EXIT.OK;
    }
    case 'unset': {
      if (!key || value !== undefined) {
        io.err('random-scalp: usage: random-scalp config unset KEY');
        return EXIT.CONFIG;
      }
      if (!(CONFIG_KEYS as string[]).includes(key)) {
        io.err(`random-scalp: unknown setting ${JSON.stringify(key)}: expected one of ${CONFIG_KEYS.join(', ')}`);
        return EXIT.CONFIG;
      }
      store.unset(key);
      io.out(`${key} removed from ${store.path}`);
      return EXIT.OK;
    }
    default:
      io.err(`random-scalp: unknown config action ${JSON.stringify(action)}: expected show, set, unset or path`);
      return EXIT.CONFIG;
  }
}

export function readSources(cwd: string, env: NodeJS.ProcessEnv, confCwd?: string): Omit<RawSources, 'flags'> {
  return { store: openSettingsStore(confCwd).all(), dotenv: readDotenv(cwd), env };
}
