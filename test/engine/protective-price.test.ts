import { describe, expect, it } from 'vitest';
import { tickGrid } from '../../src/broker/ticks.js';
import { parseBuffer } from '../../src/config/values.js';
import { bufferTicks, protectiveLimitTicks, slabPercent } from '../../src/engine/protective-price.js';

const grid = tickGrid(0.05);
const limit = (action: 'BUY' | 'SELL', price: number, spec: string): number => {
  const parsed = parseBuffer(spec);
  if (!parsed.ok) throw new Error(parsed.allowed);
  return grid.fromTicks(protectiveLimitTicks(action, grid.toTicks(price), parsed.value, grid));
};

describe('the protective buffer (STOP_LIMIT_BUFFER)', () => {
  it('auto follows the market-protection slab: 5 % under ₹10, 3 % to ₹100, 2 % to ₹500, 1 % above', () => {
    expect([9.95, 10, 100, 100.05, 500, 500.05].map(slabPercent)).toEqual([5, 3, 3, 2, 2, 1]);
    expect(limit('SELL', 99.05, 'auto')).toBe(96.05); // 3 % of 1981 ticks = 59.43 → 60 ticks
    expect(limit('SELL', 250, 'auto')).toBe(245); // 2 %
    expect(limit('SELL', 1000, 'auto')).toBe(990); // 1 %
    expect(limit('BUY', 100, 'auto')).toBe(103);
  });

  it('auto is never under two ticks (a one-tick limit is what a gap skips), and a SELL never under one tick', () => {
    expect(bufferTicks({ kind: 'auto' }, grid.toTicks(0.5), grid)).toBe(2); // 5 % of ₹0.50 is half a tick
    expect(limit('SELL', 0.1, 'auto')).toBe(0.05);
  });

  it('N% and Nticks', () => {
    expect(limit('SELL', 100, '1.5%')).toBe(98.5);
    expect(limit('SELL', 100, '4ticks')).toBe(99.8);
    expect(limit('BUY', 100, '1tick')).toBe(100.05);
  });

  it('every limit is on the tick grid, whatever the price', () => {
    for (let ticks = 1; ticks < 40_000; ticks += 37) {
      for (const spec of ['auto', '2.5%', '3ticks']) {
        const p = limit('SELL', grid.fromTicks(ticks), spec);
        expect(grid.isOnGrid(p)).toBe(true);
      }
    }
  });

  it('a bad value names what is allowed', () => {
    for (const bad of ['', '0%', '25%', '0ticks', '2.5ticks', 'wide', '3']) {
      const parsed = parseBuffer(bad);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.allowed).toContain('auto, a percent of the price like 3%');
    }
  });
});
