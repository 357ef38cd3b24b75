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
