import { describe, expect, it } from 'vitest';
import { isOurInstrument } from '../../src/broker/instrument-match.js';
import { scenario } from './harness.js';

// One answer to "is this row ours": symbol and exchange, case aside.

describe('our instrument', () => {
  it('same symbol and exchange in any case; another exchange is another instrument', () => {
    const ours = { symbol: 'NIFTY25000CE', exchange: 'NFO' };
    expect(isOurInstrument(ours, { symbol: 'nifty25000ce', exchange: 'nfo' })).toBe(true);
    expect(isOurInstrument(ours, { symbol: 'NIFTY25000CE', exchange: 'BSE' })).toBe(false);
    expect(isOurInstrument(ours, { symbol: 'NIFTY25000PE', exchange: 'NFO' })).toBe(false);
  });
});

describe('is this row ours', () => {
  it('an outside sale is priced from our instrument\'s trades only: the same symbol on another exchange is another instrument', async () => {
    let bse = false;
    const s = await scenario({
      wrap: (broker) => Object.assign(Object.create(broker) as typeof broker, {
        tradeBook: async () => {
          const rows = await broker.tradeBook();
          // The same symbol sold on BSE at ₹1 by someone: nothing to do with our NFO position.
          return bse ? [...rows, { orderId: 'BSE-1', symbol: 'NIFTY25000CE', exchange: 'BSE', action: 'SELL' as const, quantity: 150, price: 1, timestamp: s.clock.now() }] : rows;
        },
      }),
    });
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'protected', 120_000);
    s.engine.togglePause();
    bse = true;
    s.broker.closePositionExternally();
    await s.clock.advance(31_000);
    const trade = s.store.getState().tradesToday[0];
    expect(trade?.reason).toBe('external');
    expect(trade?.exit).toBeGreaterThan(90);
  });
});
