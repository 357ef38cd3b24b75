import { describe, expect, it } from 'vitest';
import { enterAndProtect, scenario } from './harness.js';

process.env.TZ = 'America/New_York';

describe('trader commands', () => {
  it('flatten cancels the legs, sells at market and pauses entries until resumed', async () => {
    const s = await scenario();
    await enterAndProtect(s);
    s.engine.flatten();
    await s.clock.advance(1_000);
    expect(s.orders().slice(3)).toEqual(['SELL 150 MARKET']);
    expect(s.broker.cancelRequests.map((c) => c.outcome)).toEqual(['cancelled', 'cancelled']);
    expect(s.broker.netQuantity()).toBe(0);
    expect(s.store.getState().tradesToday[0]?.reason).toBe('flatten');
    expect(s.store.getState().entriesHeld).toMatch(/paused by trader/);
    await s.clock.advance(3 * 60_000);
    expect(s.orders().filter((o) => o.startsWith('BUY'))).toHaveLength(1);
    s.engine.togglePause();
    await s.clock.advance(61_000);
    expect(s.orders().filter((o) => o.startsWith('BUY'))).toHaveLength(2);
  });

  it('flatten during a slow entry stops waiting, cancels the rest and sells what filled', async () => {
    const s = await scenario();
    s.broker.injectOnce('partialFill', { action: 'BUY', priceType: 'MARKET', fillQuantity: 75 });
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'entering', 120_000, 50);
    await s.clock.advance(100);
    s.engine.flatten();
    await s.clock.advance(2_000);
    expect(s.broker.netQuantity()).toBe(0);
    expect(s.orders()).toEqual(['BUY 150 MARKET', 'SELL 75 MARKET']);
    expect(s.store.getState().position.phase).toBe('flat');
  });

  it('market-on-target toggles live and shows in the store and the log', async () => {
    const s = await scenario();
    expect(s.store.getState().marketOnTarget).toBe(false);
    s.engine.toggleMarketOnTarget();
    expect(s.store.getState().marketOnTarget).toBe(true);
    expect(s.logs().at(-1)).toMatch(/market-on-target ON/);
  });

  it('a second quit while shutting down does not abandon the position: it says what is in flight', async () => {
    const s = await scenario();
    await enterAndProtect(s);
    s.broker.setFaults({ marketHangMs: 4_000 });
    s.engine.quit();
    await s.clock.advance(300);
    s.engine.quit();
    expect(s.logs().some((l) => /already shutting down .*held 150; in flight: .*exit/.test(l))).toBe(true);
    const code = await (async () => {
      let c: number | null = null;
      void s.engine.stopped.then((v) => { c = v; });
      await s.clock.advanceUntil(() => c !== null, 60_000);
      return c;
    })();
    expect(code).toBe(0);
    expect(s.broker.netQuantity()).toBe(0);
  });

  it('the store shows every escalation phase of the graceful exit', async () => {
    const s = await scenario();
    await enterAndProtect(s);
    const phases: string[] = [];
    s.store.subscribe((st, prev) => {
      if (st.shutdown.phase !== prev.shutdown.phase) phases.push(st.shutdown.phase);
    });
    void s.engine.shutdown();
    await s.clock.advance(5_000);
    expect(phases).toEqual(['stopping_entries', 'cancelling_legs', 'market_sell', 'confirming', 'flat']);
  });
});

describe('USE_HISTORY', () => {
  it('seeds the chart with past closes when the broker has history', async () => {
    const s = await scenario({
      settings: { history: { interval: '1m', startDate: '2026-11-24', endDate: '2026-11-24' } },
      wrap: (b) => Object.assign(Object.create(b) as typeof b, { history: async () => [99.5, 99.75, 100] }),
    });
    expect(s.store.getState().ltpHistory.slice(0, 3)).toEqual([99.5, 99.75, 100]);
    expect(s.logs().some((l) => l.includes('[HISTORY] 3 1m closes 2026-11-24…2026-11-24 loaded'))).toBe(true);
  });

  it('starts with an empty chart, and says so, when the broker has none', async () => {
    const s = await scenario({ settings: { history: { interval: '1m', startDate: null, endDate: null } } });
    expect(s.logs().some((l) => l.includes('[HISTORY] paper has no history'))).toBe(true);
  });
});
