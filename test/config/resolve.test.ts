import { describe, expect, it } from 'vitest';
import { resolveConfig, ConfigError, type RawSources } from '../../src/config/resolve.js';
import { tradedInstruments } from '../../src/config/instruments.js';

function sources(partial: Partial<RawSources> = {}): RawSources {
  return { store: {}, dotenv: {}, env: {}, flags: {}, ...partial };
}

function errorOf(partial: Partial<RawSources>): string {
  try {
    resolveConfig(sources(partial));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration sources', () => {
  it('later sources win: defaults < store < .env < env < flags', () => {
    const all = sources({ store: { LOTS: '2' }, dotenv: { LOTS: '3' }, env: { LOTS: '4' }, flags: { LOTS: '5' } });
    expect(resolveConfig(all).config.LOTS).toBe(5);
    expect(resolveConfig({ ...all, flags: {} }).config.LOTS).toBe(4);
    expect(resolveConfig({ ...all, flags: {}, env: {} }).config.LOTS).toBe(3);
    expect(resolveConfig({ ...all, flags: {}, env: {}, dotenv: {} }).config.LOTS).toBe(2);
    expect(resolveConfig(sources()).config.LOTS).toBe(2); // the paper default
    expect(resolveConfig(all).sourceOf.LOTS).toBe('flag');
  });

  it('keeps every original parameter name with its live default', () => {
    const { config } = resolveConfig(sources({ modeFlag: 'live', env: { OPENALGO_API_KEY: 'k'.repeat(20), SYMBOL: 'NIFTY' } }));
    expect(config.OPENALGO_API_HOST).toBe('http://127.0.0.1:5000');
    expect(config.OPENALGO_WS_URL).toBe('ws://127.0.0.1:8765');
    expect(config.EXCHANGE).toBe('NFO');
    expect(config.PRODUCT).toBe('MIS');
    expect(config.INTERVAL).toEqual({ kind: 'seconds', ms: 300_000 });
    expect(config.PROFIT_TARGET_RUPEES).toBe(2);
    expect(config.STOP_LOSS_RUPEES).toBe(1);
    expect(config.SESSION_WINDOWS).toEqual([{ start: 9 * 60 + 20, end: 15 * 60 + 15 }]);
    expect(config.SQUARE_OFF_TIME).toBe(15 * 60 + 15);
    expect(config.API_TIMEOUT_SECONDS).toBe(10);
    expect(config.MAX_ORDER_RETRIES).toBe(2);
    expect(config.ENABLE_MARKET_ON_TARGET).toBe(false);
    expect(config.OCO_POLL_SECONDS).toBe(1);
    expect(config.RECONCILE_SECONDS).toBe(30);
    expect(config.IGNORE_ENTRY_DELTA).toBe(true);
  });

  it('paper defaults let a newcomer see a cycle at any hour', () => {
    const { config, mode } = resolveConfig(sources());
    expect(mode).toBe('paper');
    expect(config.INTERVAL).toEqual({ kind: 'seconds', ms: 5_000 });
    expect(config.SESSION_WINDOWS).toEqual([{ start: 0, end: 23 * 60 + 59 }]);
    expect(config.TRADE_WEEKENDS).toBe(true);
  });

  it('chooses the broker: flags, TEST_MODE, then the presence of a key', () => {
    const key = { OPENALGO_API_KEY: 'abcdefghijklmnop', SYMBOL: 'NIFTY' };
    expect(resolveConfig(sources({ env: key })).mode).toBe('live');
    expect(resolveConfig(sources({ env: { ...key, TEST_MODE: 'true' } })).mode).toBe('paper');
    expect(resolveConfig(sources({ env: key, modeFlag: 'paper' })).mode).toBe('paper');
    expect(resolveConfig(sources()).mode).toBe('paper');
  });

  it('--live without key or symbol stops with a clear message', () => {
    const msg = errorOf({ modeFlag: 'live' });
    expect(msg).toMatch(/--live needs OPENALGO_API_KEY and SYMBOL/);
  });
});

describe('a wrong value names the field, the value, its source and what is allowed', () => {
  const cases: [string, Partial<RawSources>, RegExp][] = [
    ['number', { env: { PROFIT_TARGET_RUPEES: 'two' } }, /invalid PROFIT_TARGET_RUPEES = "two" \(from environment\): expected a number > 0/],
    ['number at zero', { flags: { STOP_LOSS_RUPEES: '0' } }, /invalid STOP_LOSS_RUPEES = "0" \(from command-line flag\): expected a number > 0/],
    ['integer', { dotenv: { LOTS: '1.5' } }, /invalid LOTS = "1.5" \(from .env file\): expected a whole number ≥ 1 and ≤ 1000/],
    ['integer below range', { env: { LOTS: '0' } }, /invalid LOTS = "0"/],
    ['boolean', { store: { LOG_TO_FILE: 'maybe' } }, /invalid LOG_TO_FILE = "maybe" \(from saved config .*\): expected true or false/],
    ['time', { env: { SQUARE_OFF_TIME: '25:00' } }, /invalid SQUARE_OFF_TIME = "25:00" \(from environment\): expected a time HH:MM/],
    ['windows', { env: { SESSION_WINDOWS: '15:00-09:00' } }, /invalid SESSION_WINDOWS = "15:00-09:00".*start before end/],
    ['interval', { env: { INTERVAL: '5x' } }, /invalid INTERVAL = "5x" \(from environment\): expected an interval like 30s, 5m, 1h/],
    ['enum', { env: { EXCHANGE: 'NYSE' } }, /invalid EXCHANGE = "NYSE" \(from environment\): expected one of NSE, NFO/],
    ['url', { env: { OPENALGO_API_HOST: 'localhost:5000' } }, /invalid OPENALGO_API_HOST = "localhost:5000" \(from environment\): expected a URL starting with http:\/\/ or https:\/\//],
    ['ws url', { env: { OPENALGO_WS_URL: 'http://x' } }, /invalid OPENALGO_WS_URL = "http:\/\/x".*ws:\/\//],
    ['date', { env: { HISTORY_START_DATE: '2025-02-30' } }, /invalid HISTORY_START_DATE = "2025-02-30".*YYYY-MM-DD/],
    ['empty symbol', { env: { SYMBOL: '  ' } }, /invalid SYMBOL = "  ".*non-empty/],
    ['TEST_MODE', { env: { TEST_MODE: 'sure' } }, /invalid TEST_MODE = "sure"/],
  ];
  for (const [name, partial, pattern] of cases) {
    it(name, () => {
      expect(errorOf(partial)).toMatch(pattern);
    });
  }

  it('never prints the API key in a message', () => {
    const msg = errorOf({ env: { OPENALGO_API_KEY: 'SUPERSECRETKEY123', SYMBOL: 'X', LOTS: 'x' } });
    expect(msg).not.toContain('SUPERSECRETKEY123');
  });
});

describe('SYMBOLS: several instruments', () => {
  it('entries take EXCHANGE and LOTS where they leave them out', () => {
    const { config } = resolveConfig(sources({ env: { SYMBOLS: 'nifty29dec2625000ce, NIFTY29DEC2625000PE@NFO:3,RELIANCE@NSE', LOTS: '2' } }));
    expect(tradedInstruments(config)).toEqual([
      { symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO', lots: 2, key: 'NIFTY29DEC2625000CE@NFO' },
      { symbol: 'NIFTY29DEC2625000PE', exchange: 'NFO', lots: 3, key: 'NIFTY29DEC2625000PE@NFO' },
      { symbol: 'RELIANCE', exchange: 'NSE', lots: 2, key: 'RELIANCE@NSE' },
    ]);
    // No paper default symbol is invented beside them.
    expect(config.SYMBOL).toBeUndefined();
  });

  it('one SYMBOL is one instrument, as before', () => {
    const { config } = resolveConfig(sources({ env: { SYMBOL: 'BANKNIFTY', EXCHANGE: 'nfo' } }));
    expect(tradedInstruments(config)).toEqual([{ symbol: 'BANKNIFTY', exchange: 'NFO', lots: 2, key: 'BANKNIFTY@NFO' }]);
  });

  it('a bad entry is named by its position and text, with the source and the form allowed', () => {
    expect(errorOf({ env: { SYMBOLS: 'A,B@XYZ' } })).toMatch(/^invalid SYMBOLS = "A,B@XYZ" \(from environment\): expected SYM\[@EXCHANGE\]\[:LOTS\].*entry 2 "B@XYZ": the exchange must be one of NSE, NFO/);
    expect(errorOf({ flags: { SYMBOLS: 'A:0' } })).toMatch(/entry 1 "A:0": LOTS must be a whole number ≥ 1 and ≤ 1000/);
    expect(errorOf({ env: { SYMBOLS: 'A,,B' } })).toMatch(/entry 2 "" is empty/);
    expect(errorOf({ env: { SYMBOLS: 'A,a' } })).toMatch(/entry 2 "a": A is listed twice/);
    expect(errorOf({ env: { SYMBOLS: 'A B' } })).toMatch(/entry 1 "A B": the symbol must be/);
  });

  it('the same instrument twice once EXCHANGE fills in is refused, naming both entries', () => {
    const { config } = resolveConfig(sources({ env: { SYMBOLS: 'A,A@NFO' } }));
    expect(tradedInstruments(config)).toEqual({ error: expect.stringMatching(/entries 1 and 2 both name A@NFO/) });
  });

  it('SYMBOL and SYMBOLS together are refused; --live takes SYMBOLS instead of SYMBOL', () => {
    expect(errorOf({ env: { SYMBOL: 'A' }, flags: { SYMBOLS: 'B,C' } })).toBe(
      'SYMBOL (from environment) and SYMBOLS (from command-line flag) are both set: keep one (SYMBOLS=A,B for several instruments, SYMBOL for one)',
    );
    const live = resolveConfig(sources({ modeFlag: 'live', env: { OPENALGO_API_KEY: 'k'.repeat(20), SYMBOLS: 'A,B' } }));
    expect(live.mode).toBe('live');
    expect(errorOf({ modeFlag: 'live', env: { OPENALGO_API_KEY: 'k'.repeat(20) } })).toMatch(/--live needs SYMBOL/);
  });
});
