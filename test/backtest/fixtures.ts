import type { Bar } from '../../src/backtest/bars.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { Config, ConfigKey } from '../../src/config/schema.js';
import type { Instrument } from '../../src/broker/types.js';

/** Epoch ms of an IST wall time. */
export const ist = (iso: string): number => Date.parse(`${iso}+05:30`);

export const OPTION: Instrument = { symbol: 'NIFTY29DEC2625000CE', exchange: 'NFO', lotSize: 65, tickSize: 0.05, freezeQty: null };

/**
 * A short trading day for fast tests: entries 09:20–09:35, square-off 09:35, 1-minute strategy
 * bars, 2 lots, ₹20 a leg; target +2, stop −1 (the README's defaults).
 */
export function shortDayConfig(over: Partial<Record<ConfigKey, string>> = {}): Config {
  return resolveConfig(
    {
      store: {}, dotenv: {}, env: {},
      flags: {
        SYMBOL: OPTION.symbol, LOTS: '2', INTERVAL: '1m', SESSION_WINDOWS: '09:20-09:35', SQUARE_OFF_TIME: '09:35',
        BROKERAGE_PER_TRADE_RUPEES: '20', STATE_DIR: '/nonexistent', ...over,
      },
      modeFlag: 'live',
    },
    { forStart: false },
  ).config;
}

/** 1-minute bars from 09:15 on `day`, one per shape (o, h, l, c). */
export function bars(day: string, shapes: readonly [number, number, number, number][], start = '09:15'): Bar[] {
  const t0 = ist(`${day}T${start}:00`);
  return shapes.map(([o, h, l, c], i) => ({ t: t0 + i * 60_000, o, h, l, c, v: 1000 }));
}

export function repeat<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}
