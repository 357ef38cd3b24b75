import fs from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';

// The persisted settings (`random-scalp config set`): a JSON file in the user's config directory
// (XDG_CONFIG_HOME respected; the same file, and format, the `conf` package kept before), owner-only
// (0600) because it may hold the API key. Read with one small file read at start-up: the `conf`
// package brought a JSON-schema validator and semver into every start for a flat string map.

export interface SettingsStore {
  all(): Record<string, string>;
  set(key: string, value: string): void;
  unset(key: string): void;
  readonly path: string;
}

/** The settings file cannot be used as it is: the message names the file and what to do. */
export class SettingsFileError extends Error {}

export function openSettingsStore(cwd?: string): SettingsStore {
  const file = path.join(cwd ?? envPaths('random-scalp', { suffix: '' }).config, 'config.json');
  const read = (): Record<string, unknown> => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new SettingsFileError(`settings file ${file} cannot be read (${(err as Error).message})`);
    }
    if (text.trim() === '') return {};
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new SettingsFileError(`settings file ${file} is not valid JSON (${(err as Error).message}): fix it, or remove it and set the values again with random-scalp config set`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new SettingsFileError(`settings file ${file} must hold one JSON object of settings, not ${Array.isArray(data) ? 'an array' : typeof data}`);
    }
    return data as Record<string, unknown>;
  };
  const write = (data: Record<string, unknown>): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written whole beside it, then renamed over it: a crash never leaves half a file.
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(data, undefined, '\t'), { mode: 0o600 });
    fs.renameSync(temp, file);
  };
  return {
    all: () => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(read())) if (typeof v === 'string') out[k] = v;
      return out;
    },
    set: (key, value) => write({ ...read(), [key]: value }),
    unset: (key) => {
      const data = read();
      if (!(key in data)) return;
      delete data[key];
      write(data);
    },
    path: file,
  };
}
