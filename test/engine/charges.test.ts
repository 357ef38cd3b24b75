import { describe, expect, it } from 'vitest';
import type { OrderReport } from '../../src/broker/types.js';
import { computeCharges, parseBrokerage, sumCharges, type Brokerage } from '../../src/engine/charges.js';
import { applyReport, newOrder, type TrackedOrder } from '../../src/engine/order-machine.js';
import { roundTrip } from '../../src/engine/pnl.js';
import { initialEngineState } from '../../src/engine/state.js';

// Every expected figure below is worked by hand from the published rates (see the comments),
// not from the model: 0.15 % of 13,260 is 19.89, and so on.

const flat20: Brokerage = { kind: 'flat', rupees: 20 };
const buySell = (qty: number, buy: number, sell: number) => [
  { side: 'BUY' as const, quantity: qty, price: buy },
  { side: 'SELL' as const, quantity: qty, price: sell },
];

describe('statutory charges, worked examples', () => {
  it('options after 2026-04-01: buy 130 @ 100, sell 130 @ 102 at ₹20 an order', () => {
    // turnover 13,000 + 13,260 = 26,260
    // STT 0.15 % × 13,260 = 19.89; exchange 0.03503 % × 26,260 = 9.198878 → 9.20
    // SEBI 26,260 × 10 / 1e7 = 0.02626 → 0.03; stamp 0.003 % × 13,000 = 0.39
    // IPFT 26,260 × 50 / 1e7 = 0.1313 → 0.13; GST 18 % × (40 + 9.198878 + 0.02626) = 8.86052 → 8.86
    const c = computeCharges({ segment: 'option', day: '2026-11-02', orders: buySell(130, 100, 102), brokerage: flat20 });
    expect(c).toEqual({ brokerage: 40, stt: 19.89, exchange: 9.2, sebi: 0.03, stamp: 0.39, ipft: 0.13, gst: 8.86, total: 78.5 });
  });

  it('options before 2026-04-01 pay STT at 0.1 % of the premium', () => {
    // STT 0.1 % × 13,260 = 13.26; everything else as above: 78.50 − 19.89 + 13.26 = 71.87
    const c = computeCharges({ segment: 'option', day: '2026-03-31', orders: buySell(130, 100, 102), brokerage: flat20 });
    expect(c.stt).toBe(13.26);
    expect(c.total).toBe(71.87);
  });

  it('options before 2024-10-01 pay STT at 0.0625 %', () => {
    // 0.0625 % × 13,260 = 8.2875 → 8.29
    const c = computeCharges({ segment: 'option', day: '2024-09-30', orders: buySell(130, 100, 102), brokerage: flat20 });
    expect(c.stt).toBe(8.29);
  });

  it('futures after 2026-04-01: buy 65 @ 25,000, sell 65 @ 25,010', () => {
    // turnover 16,25,000 + 16,25,650 = 32,50,650
    // STT 0.05 % × 16,25,650 = 812.825 → 812.83 (half a paisa rounds up)
    // exchange 0.00173 % × 32,50,650 = 56.236245 → 56.24; SEBI 3.25065 → 3.25
    // stamp 0.002 % × 16,25,000 = 32.50; IPFT 10 / crore × 32,50,650 = 3.25065 → 3.25
    // GST 18 % × (40 + 56.236245 + 3.25065) = 17.907641 → 17.91
    const c = computeCharges({ segment: 'future', day: '2026-11-02', orders: buySell(65, 25_000, 25_010), brokerage: flat20 });
    expect(c).toEqual({ brokerage: 40, stt: 812.83, exchange: 56.24, sebi: 3.25, stamp: 32.5, ipft: 3.25, gst: 17.91, total: 965.98 });
  });

  it('futures before 2026-04-01 pay STT at 0.02 %', () => {
    // 0.02 % × 16,25,650 = 325.13; total 965.98 − 812.83 + 325.13 = 478.28
    const c = computeCharges({ segment: 'future', day: '2026-03-02', orders: buySell(65, 25_000, 25_010), brokerage: flat20 });
    expect(c.stt).toBe(325.13);
    expect(c.total).toBe(478.28);
  });

  it('equity intraday: buy 100 @ 1,400, sell 100 @ 1,410 (the same before and after 2026-04-01)', () => {
    // turnover 1,40,000 + 1,41,000 = 2,81,000
    // STT 0.025 % × 1,41,000 = 35.25; exchange 0.00297 % × 2,81,000 = 8.3457 → 8.35
    // SEBI 0.281 → 0.28; stamp 0.003 % × 1,40,000 = 4.20; IPFT 0.281 → 0.28
    // GST 18 % × (40 + 8.3457 + 0.281) = 8.752806 → 8.75; total 97.11
    const expected = { brokerage: 40, stt: 35.25, exchange: 8.35, sebi: 0.28, stamp: 4.2, ipft: 0.28, gst: 8.75, total: 97.11 };
    expect(computeCharges({ segment: 'equity', day: '2026-11-02', orders: buySell(100, 1400, 1410), brokerage: flat20 })).toEqual(expected);
    expect(computeCharges({ segment: 'equity', day: '2026-03-02', orders: buySell(100, 1400, 1410), brokerage: flat20 })).toEqual(expected);
  });
});

describe('brokerage as brokers price it', () => {
  it('a percent of each order, under its cap: 0.03 % of 14,000 and of 14,100', () => {
    // brokerage 4.20 + 4.23 = 8.43; STT 0.025 % × 14,100 = 3.525 → 3.53
    // exchange 0.00297 % × 28,100 = 0.83457 → 0.83; SEBI and IPFT 0.0281 → 0.03 each
    // stamp 0.003 % × 14,000 = 0.42; GST 18 % × (8.43 + 0.83457 + 0.0281) = 1.672681 → 1.67
    const b = parseBrokerage('0.03%:20');
    expect(b).toEqual({ kind: 'percent', perCrore: 3000, capRupees: 20 });
    const c = computeCharges({ segment: 'equity', day: '2026-11-02', orders: buySell(10, 1400, 1410), brokerage: b as Brokerage });
    expect(c).toEqual({ brokerage: 8.43, stt: 3.53, exchange: 0.83, sebi: 0.03, stamp: 0.42, ipft: 0.03, gst: 1.67, total: 14.94 });
  });

  it('a percent capped per order: 0.03 % of 1,40,000 is 42, charged 20', () => {
    const b = parseBrokerage('0.03%:20') as Brokerage;
    const c = computeCharges({ segment: 'equity', day: '2026-11-02', orders: buySell(100, 1400, 1410), brokerage: b });
    expect(c.brokerage).toBe(40);
  });

  it('zero brokerage still pays GST on the exchange charge and SEBI fee', () => {
    // GST 18 % × (9.198878 + 0.02626) = 1.66052 → 1.66; total 19.89 + 9.20 + 0.03 + 0.39 + 0.13 + 1.66 = 31.30
    const c = computeCharges({ segment: 'option', day: '2026-11-02', orders: buySell(130, 100, 102), brokerage: parseBrokerage('0') as Brokerage });
    expect(c.brokerage).toBe(0);
    expect(c.gst).toBe(1.66);
    expect(c.total).toBe(31.3);
  });

  it('each executed order pays once: three orders pay three brokerages', () => {
    const orders = [
      { side: 'BUY' as const, quantity: 130, price: 100 },
      { side: 'SELL' as const, quantity: 65, price: 102 },
      { side: 'SELL' as const, quantity: 65, price: 102 },
    ];
    const c = computeCharges({ segment: 'option', day: '2026-11-02', orders, brokerage: flat20 });
    expect(c.brokerage).toBe(60);
    expect(c.stt).toBe(19.89);
  });

  it('BROKERAGE forms: flat, percent with and without a cap; anything else is refused', () => {
    expect(parseBrokerage('20')).toEqual({ kind: 'flat', rupees: 20 });
    expect(parseBrokerage('11.8')).toEqual({ kind: 'flat', rupees: 11.8 });
    expect(parseBrokerage('0.05%')).toEqual({ kind: 'percent', perCrore: 5000, capRupees: null });
    expect(parseBrokerage('0.00173%:0.5')).toEqual({ kind: 'percent', perCrore: 173, capRupees: 0.5 });
    for (const bad of ['', '-1', 'abc', '20%:', '%', '0.03%:x', '1.234', '101%']) expect(parseBrokerage(bad)).toBeNull();
  });

  it('breakdowns add up line by line in paise', () => {
    const c = computeCharges({ segment: 'option', day: '2026-11-02', orders: buySell(130, 100, 102), brokerage: flat20 });
    const s = sumCharges([c, c, c]);
    expect(s.total).toBe(235.5);
    expect(s.sebi).toBe(0.09);
  });
});

describe('a round trip is charged on its executed orders', () => {
  const req = (action: 'BUY' | 'SELL', quantity: number, priceType: 'MARKET' | 'LIMIT') => ({ symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO', product: 'MIS', action, quantity, priceType });
  const report = (o: TrackedOrder, status: 'partially_filled' | 'complete', filled: number, avg: number): OrderReport => ({
    orderId: o.orderId ?? '', symbol: o.request.symbol, exchange: o.request.exchange, action: o.request.action, quantity: o.request.quantity,
    priceType: o.request.priceType, product: o.request.product, price: 0, triggerPrice: 0, status, filledQuantity: filled, averagePrice: avg, timestamp: null,
  });

  it('an entry filled in two parts (65 + 65) is one order: ₹40 brokerage for the round trip, as the worked example', () => {
    const at = Date.parse('2026-11-02T10:00:00+05:30');
    const state = initialEngineState('2026-11-02', false);
    const entry = newOrder('entry', req('BUY', 130, 'MARKET'), at);
    entry.orderId = '1';
    applyReport(entry, report(entry, 'partially_filled', 65, 100));
    applyReport(entry, report(entry, 'complete', 130, 100));
    const target = newOrder('target', req('SELL', 130, 'LIMIT'), at);
    target.orderId = '2';
    applyReport(target, report(target, 'partially_filled', 65, 102));
    applyReport(target, report(target, 'complete', 130, 102));
    const stop = newOrder('stop', req('SELL', 130, 'MARKET'), at); // never filled: pays nothing
    state.orders = [entry, target, stop];
    state.openedAt = at;
    const t = roundTrip(state, { brokerage: { kind: 'flat', rupees: 20 }, slippagePerTrade: 1.5 }, 'option', at + 60_000, 'target');
    expect(t?.charges).toEqual({ brokerage: 40, stt: 19.89, exchange: 9.2, sebi: 0.03, stamp: 0.39, ipft: 0.13, gst: 8.86, total: 78.5 });
    expect(t).toMatchObject({ gross: 260, costs: 80, net: 180 });
    expect(t?.orders).toEqual([
      { orderId: '1', side: 'BUY', quantity: 130, price: 100 },
      { orderId: '2', side: 'SELL', quantity: 130, price: 102 },
    ]);
  });
});
