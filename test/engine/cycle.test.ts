import { describe, expect, it } from 'vitest';
import { enterAndProtect, scenario } from './harness.js';

process.env.TZ = 'America/New_York';

describe('a full trading cycle on the paper broker', () => {
  it('enters at the bar open after a close in session, protects with both legs, exits at target', async () => {
    const s = await scenario();
    await enterAndProtect(s);
    expect(s.orders()).toEqual(['BUY 150 MARKET', 'SELL 150 LIMIT @102.05', 'SELL 150 SL @96.05 trg 99.05']);
    const st = s.store.getState();
    expect(st.position).toMatchObject({ phase: 'protected', held: 150, entryFilled: 150, requested: 150 });
    expect(st.legs.target).toMatchObject({ type: 'LIMIT', price: 102.05, quantity: 150 });
    expect(st.legs.stop).toMatchObject({ type: 'SL', trigger: 99.05, price: 96.05, quantity: 150 });
    expect(s.logs().some((l) => l.includes('STATE=LONG qty=150 entry=100.05 tp=102.05 sl=99.05'))).toBe(true);

    s.market.setPrice(102.1);
    await s.clock.advance(1_200);
    expect(s.broker.cancelRequests.map((c) => c.outcome)).toEqual(['cancelled']);
    const after = s.store.getState();
    expect(after.position.phase).toBe('flat');
    expect(after.pnl.trades).toBe(1);
    // (102.05 − 100.05) × 150 = 300 gross, less the charges of the two orders (options,
    // 2026-11-24; turnover 15,007.50 + 15,307.50 = 30,315): brokerage 2 × ₹20 = 40.00,
    // STT 0.15 % × 15,307.50 = 22.96, exchange 0.03503 % × 30,315 = 10.62, SEBI 0.03,
    // stamp 0.003 % × 15,007.50 = 0.45, IPFT 0.15, GST 18 % × 50.6497 = 9.12: ₹83.33.
    expect(after.tradesToday[0]).toMatchObject({ reason: 'target', gross: 300, costs: 83.33, net: 216.67, quantity: 150 });
    expect(after.tradesToday[0]?.charges).toEqual({ brokerage: 40, stt: 22.96, exchange: 10.62, sebi: 0.03, stamp: 0.45, ipft: 0.15, gst: 9.12, total: 83.33 });
    expect(after.pnl.realised).toBe(216.67);
    expect(s.logs().some((l) => l.includes('closed 150 100.05 → 102.05 (target) gross ₹300.00 charges ₹83.33 net ₹216.67; day ₹216.67'))).toBe(true);
    expect(s.broker.netQuantity()).toBe(0);
  });

  it('does not enter before the session window', async () => {
    const s = await scenario({ start: '2026-11-24T09:00:00' });
    await s.clock.advance(15 * 60_000);
    expect(s.orders()).toEqual([]);
    expect(s.store.getState().session).toBe('before_session');
  });

  it('enters only on every Nth bar close', async () => {
    const s = await scenario({ settings: { tradeEveryNBars: 3 } });
    await s.clock.advance(60_000 + 500);
    expect(s.orders()).toEqual([]);
    await s.clock.advance(2 * 60_000);
    expect(s.orders()[0]).toBe('BUY 150 MARKET');
  });

  it('skips a signal while already in a position (one position at a time)', async () => {
    const s = await scenario();
    await enterAndProtect(s);
    await s.clock.advance(3 * 60_000);
    expect(s.orders().filter((o) => o.startsWith('BUY'))).toHaveLength(1);
    expect(s.logs().some((l) => l.includes('entry skipped (already long protected)'))).toBe(true);
  });
});
