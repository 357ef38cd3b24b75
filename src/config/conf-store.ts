import Conf from 'conf';

// The persisted settings (`random-scalp config set`): a JSON file in the user's config directory
// (XDG_CONFIG_HOME respected), owner-only (0600) because it may hold the API key.

export interface SettingsStore {
  all(): Record<string, string>;
  set(key: string, value: string): void;
  unset(key: string): void;
  readonly path: string;
}

export function openSettingsStore(cwd?: string): SettingsStore {
  const conf = new Conf<Record<string, string>>({
    projectName: 'random-scalp',
    projectSuffix: '',
    configFileMode: 0o600,
    ...(cwd ? { cwd } : {}),
  });
  return {
    all: () => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(conf.store)) if (typeof v === 'string') out[k] = v;
      return out;
    },
    set: (key, value) => conf.set(key, value),
    unset: (key) => conf.delete(key),
    get path() {
      return conf.path;
    },
  };
}
