import { describe, expect, it } from 'vitest';
import { configWarnings } from '../../src/cli/config-warnings.js';
import { ConfigError, resolveConfig, type RawSources } from '../../src/config/resolve.js';
import { costConfig } from '../../src/config/settings.js';

const sources = (env: Record<string, string> = {}, flags: RawSources['flags'] = {}): RawSources => ({ store: {}, dotenv: {}, env, flags, modeFlag: 'paper' });
const costs = (env: Record<string, string> = {}, flags: RawSources['flags'] = {}) => costConfig(resolveConfig(sources(env, flags)).config);

describe('BROKERAGE', () => {
  it('defaults to ₹20 per executed order', () => {
    expect(costs().brokerage).toEqual({ kind: 'flat', rupees: 20 });
  });

  it('takes ₹ per order, zero, or a percent of the order capped per order', () => {
    expect(costs({ BROKERAGE: '11.8' }).brokerage).toEqual({ kind: 'flat', rupees: 11.8 });
    expect(costs({ BROKERAGE: '0' }).brokerage).toEqual({ kind: 'flat', rupees: 0 });
    expect(costs({}, { BROKERAGE: '0.03%:20' }).brokerage).toEqual({ kind: 'percent', perCrore: 3000, capRupees: 20 });
  });

  it('a wrong value names the field, the value, its source and what is allowed', () => {
    expect(() => resolveConfig(sources({ BROKERAGE: '20 rupees' }))).toThrow(ConfigError);
    expect(() => resolveConfig(sources({ BROKERAGE: '20 rupees' }))).toThrow(
      'invalid BROKERAGE = "20 rupees" (from environment): expected ₹ per executed order (e.g. 20, 11.8 or 0), or a percent of each order’s turnover with an optional ₹ cap per order (e.g. 0.03%:20 or 0.05%)',
    );
  });

  it('BROKERAGE_PER_TRADE_RUPEES, the older flat form, wins when it is set — and says so when BROKERAGE is set too', () => {
    expect(costs({ BROKERAGE_PER_TRADE_RUPEES: '15' }).brokerage).toEqual({ kind: 'flat', rupees: 15 });
    expect(configWarnings(resolveConfig(sources({ BROKERAGE_PER_TRADE_RUPEES: '15' })))).toEqual([]);
    const both = resolveConfig(sources({ BROKERAGE_PER_TRADE_RUPEES: '15' }, { BROKERAGE: '0.03%:20' }));
    expect(costConfig(both.config).brokerage).toEqual({ kind: 'flat', rupees: 15 });
    expect(configWarnings(both)).toEqual([
      'BROKERAGE_PER_TRADE_RUPEES=15 (from environment) wins over BROKERAGE=0.03%:20 (from command-line flag): ₹15 per order (unset one of them)',
    ]);
  });
});
