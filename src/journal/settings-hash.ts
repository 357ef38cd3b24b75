import { createHash } from 'node:crypto';
import { CONFIG_KEYS, SCHEMA, type Config } from '../config/schema.js';

/**
 * A short fingerprint of the settings a session traded with, so the report can tell sessions
 * with different settings apart. Secrets (the API key) are left out before hashing: the hash of
 * a key would let anyone with the journal test a guess.
 */
export function settingsHash(config: Config): string {
  const shown: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (SCHEMA[key].kind !== 'secret') shown[key] = config[key];
  return createHash('sha256').update(JSON.stringify(shown)).digest('hex').slice(0, 16);
}
