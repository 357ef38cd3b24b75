import { describe, expect, it } from 'vitest';
import { CorrectedClock } from '../../src/time/server-clock.js';
import { formatIstTime } from '../../src/time/ist.js';
import { enterAndProtect, ist, scenario } from './harness.js';

process.env.TZ = 'America/New_York';

const has = (lines: string[], text: string): boolean => lines.some((l) => l.includes(text));
const TWO_MINUTES = 120_000;

describe('exchange time: idempotency does not trust the machine clock', () => {
  it('machine clock two minutes ahead of the broker stamps, the entry times out: exactly one entry at the broker', async () => {
    const s = await scenario({ brokerClockOffsetMs: -TWO_MINUTES });
    s.broker.injectOnce('acceptThenTimeout', { action: 'BUY', priceType: 'MARKET' });
    await enterAndProtect(s);
    expect(s.orders().filter((o) => o.startsWith('BUY'))).toEqual(['BUY 150 MARKET']);
    expect(s.broker.netQuantity()).toBe(150);
    expect(has(s.logs(), 'did reach the broker: adopted, not re-sent')).toBe(true);
    // The broker really did stamp it two minutes before the machine's clock.
    const stamped = (await s.broker.orderBook()).find((r) => r.action === 'BUY');
    expect(stamped?.timestamp).toBeLessThan(s.clock.now() - TWO_MINUTES + 60_000);
  });

  it('the same after a timed-out stop leg: one stop, never two', async () => {
    const s = await scenario({ brokerClockOffsetMs: -TWO_MINUTES });
    s.broker.injectOnce('acceptThenTimeout', { action: 'SELL', priceType: 'SL' });
    await enterAndProtect(s);
    expect(s.orders()).toEqual(['BUY 150 MARKET', 'SELL 150 LIMIT @102.05', 'SELL 150 SL @96.05 trg 99.05']);
    expect(s.store.getState().legs.stop?.orderId).not.toBeNull();
  });

  it('an order that never arrived is still re-sent once the lookups show it absent (the snapshot adopts nothing old)', async () => {
    const s = await scenario({ brokerClockOffsetMs: -TWO_MINUTES });
    s.broker.injectOnce('timeoutNotPlaced', { action: 'BUY', priceType: 'MARKET' });
    await enterAndProtect(s);
    expect(s.orders().filter((o) => o.startsWith('BUY'))).toEqual(['BUY 150 MARKET', 'BUY 150 MARKET']);
    expect(s.broker.netQuantity()).toBe(150);
  });

  it('an outside order of the same shape already in the book is not adopted as ours', async () => {
    const s = await scenario({ brokerClockOffsetMs: TWO_MINUTES });
    // The trader placed a BUY 150 LIMIT by hand a moment ago (a broker may turn our MARKET into a
    // LIMIT, so it has our shape). The broker stamps it "in the future" of the machine's clock,
    // so a window around the local clock alone would take it for ours.
    await s.broker.placeOrder({ symbol: 'NIFTY25000CE', exchange: 'NFO', action: 'BUY', quantity: 150, priceType: 'LIMIT', price: 90, product: 'MIS' });
    const outside = s.broker.placedOrders[0]?.orderId;
    s.broker.injectOnce('acceptThenTimeout', { action: 'BUY', priceType: 'MARKET' });
    await s.clock.advanceUntil(() => s.broker.placedOrders.length >= 2 && has(s.logs(), 'adopted, not re-sent'), 120_000);
    const adopted = s.engine.state.orders.find((o) => o.role === 'entry')?.orderId;
    expect(adopted).not.toBe(outside);
    expect(adopted).toBe(s.broker.placedOrders[1]?.orderId);
  });
});

describe('exchange time: the schedule runs on the server-corrected clock', () => {
  it('with the machine two minutes slow, the 09:20 entry goes out at the exchange 09:20 (machine 09:18)', async () => {
    let corrected: CorrectedClock | null = null;
    const s = await scenario({
      start: '2026-11-24T09:16:00',
      brokerClockOffsetMs: TWO_MINUTES,
      engineClock: (fake) => {
        corrected = new CorrectedClock(fake);
        corrected.apply(TWO_MINUTES);
        return corrected;
      },
    });
    await s.clock.advanceUntil(() => s.broker.placedOrders.length > 0, 10 * 60_000);
    const entry = s.broker.placedOrders[0];
    // Broker stamps run on exchange time; the machine's clock read 09:18.
    expect(formatIstTime(entry?.at ?? 0)).toBe('09:20:00');
    expect(formatIstTime(s.clock.now())).toMatch(/^09:18:0/);
    expect(s.logs().some((l) => l.includes('bar close 2026-11-24 09:20:00 IST: long entry queued'))).toBe(true);
    expect(corrected).not.toBeNull();
  });

  it('square-off comes at the exchange 15:15 even when the machine clock is behind', async () => {
    const s = await scenario({
      start: '2026-11-24T15:10:00',
      brokerClockOffsetMs: 90_000,
      engineClock: (fake) => {
        const c = new CorrectedClock(fake);
        c.apply(90_000);
        return c;
      },
    });
    await s.clock.advanceUntil(() => has(s.logs(), 'square-off time'), 10 * 60_000, 1_000);
    expect(s.clock.now()).toBeLessThan(ist('2026-11-24T15:15:00'));
    expect(s.clock.now()).toBeGreaterThanOrEqual(ist('2026-11-24T15:13:30'));
  });
});
