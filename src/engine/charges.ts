import type { Segment } from '../broker/segment.js';
import type { ChargeBreakdown } from '../store/types.js';
import { EXCHANGE, GST_PERCENT, IPFT, SEBI, STAMP, STT, rateOn } from './charge-rates.js';

// What a round trip pays besides the price: brokerage as the broker prices it and the statutory
// charges (rates and dates in charge-rates.ts), each rounded to paise once, as a contract note
// shows them. A pure function of the executed orders: no I/O, computed when a trade closes (and
// for the guard's open-position estimate).
//
// Choices (documented in the README, "Statutory charges"):
// - Turnover is each order's filled quantity × its average fill price, in paise.
// - GST is 18 % of the exact (unrounded) brokerage + exchange charge + SEBI fee, rounded once.
// - IPFT is its own line and carries no GST (the worked example in the NSE notes; brokers differ).
// - Half a paisa rounds up.

/** How the broker prices each executed order (BROKERAGE). */
export type Brokerage =
  | { kind: 'flat'; rupees: number }
  /** A percent of the order's turnover (in ₹ per crore, 0.03 % = 3,000), capped per order when `capRupees` is set. */
  | { kind: 'percent'; perCrore: number; capRupees: number | null };

/** One executed order: all its fills together (a partially filled order is one order). */
export interface ExecutedOrder {
  side: 'BUY' | 'SELL';
  quantity: number;
  /** Average fill price, ₹. */
  price: number;
}

export interface ChargeInput {
  segment: Segment;
  /** IST trade date, YYYY-MM-DD: picks the rates. */
  day: string;
  orders: readonly ExecutedOrder[];
  brokerage: Brokerage;
}

const CRORE = 10_000_000;

/** n / d rounded half up, exactly, for n ≥ 0 and d > 0 whole numbers. */
function roundDiv(n: number, d: number): number {
  if (Number.isSafeInteger(n) && Number.isSafeInteger(2 * n)) {
    const r = n % d;
    const q = (n - r) / d;
    return 2 * r >= d ? q + 1 : q;
  }
  const N = BigInt(n);
  const D = BigInt(d);
  return Number((2n * N + D) / (2n * D));
}

/** Rupees to paise, once. */
export function toPaise(rupees: number): number {
  return Math.round(rupees * 100);
}

function turnoverPaise(o: ExecutedOrder): number {
  return Math.round(o.quantity * o.price * 100);
}

/** Brokerage of one order, paise. */
function brokerageOf(b: Brokerage, turnover: number): number {
  if (b.kind === 'flat') return toPaise(b.rupees);
  const pct = roundDiv(turnover * b.perCrore, CRORE);
  return b.capRupees === null ? pct : Math.min(pct, toPaise(b.capRupees));
}

/** The contract note's lines for these orders, in rupees (each a whole number of paise). */
export function computeCharges(input: ChargeInput): ChargeBreakdown {
  const { segment, day } = input;
  let buy = 0;
  let sell = 0;
  let brokerage = 0;
  for (const o of input.orders) {
    if (o.quantity <= 0) continue;
    const t = turnoverPaise(o);
    if (o.side === 'BUY') buy += t;
    else sell += t;
    brokerage += brokerageOf(input.brokerage, t);
  }
  const both = buy + sell;
  const exchangeRate = rateOn(EXCHANGE[segment], day);
  const sebiRate = rateOn(SEBI[segment], day);
  const paise = {
    brokerage,
    stt: roundDiv(sell * rateOn(STT[segment], day), CRORE),
    exchange: roundDiv(both * exchangeRate, CRORE),
    sebi: roundDiv(both * sebiRate, CRORE),
    stamp: roundDiv(buy * rateOn(STAMP[segment], day), CRORE),
    ipft: roundDiv(both * rateOn(IPFT[segment], day), CRORE),
    // 18 % of (brokerage + exchange + SEBI), on the exact base: one rounding.
    gst: roundDiv(GST_PERCENT * (brokerage * CRORE + both * (exchangeRate + sebiRate)), 100 * CRORE),
  };
  const total = paise.brokerage + paise.stt + paise.exchange + paise.sebi + paise.stamp + paise.ipft + paise.gst;
  return {
    brokerage: paise.brokerage / 100,
    stt: paise.stt / 100,
    exchange: paise.exchange / 100,
    sebi: paise.sebi / 100,
    stamp: paise.stamp / 100,
    ipft: paise.ipft / 100,
    gst: paise.gst / 100,
    total: total / 100,
  };
}

/** The breakdown's lines in contract-note order, with their labels. */
export const CHARGE_LINES: readonly { key: Exclude<keyof ChargeBreakdown, 'total'>; label: string }[] = [
  { key: 'brokerage', label: 'brokerage' },
  { key: 'stt', label: 'STT' },
  { key: 'exchange', label: 'exchange transaction charge' },
  { key: 'sebi', label: 'SEBI turnover fee' },
  { key: 'stamp', label: 'stamp duty' },
  { key: 'ipft', label: 'IPFT' },
  { key: 'gst', label: 'GST' },
];

export const ZERO_CHARGES: ChargeBreakdown = { brokerage: 0, stt: 0, exchange: 0, sebi: 0, stamp: 0, ipft: 0, gst: 0, total: 0 };

/** Add breakdowns line by line, in paise (report totals). */
export function sumCharges(list: readonly ChargeBreakdown[]): ChargeBreakdown {
  const out = { ...ZERO_CHARGES };
  for (const key of [...CHARGE_LINES.map((l) => l.key), 'total'] as const) {
    out[key] = list.reduce((a, c) => a + toPaise(c[key]), 0) / 100;
  }
  return out;
}

export const BROKERAGE_ALLOWED =
  '₹ per executed order (e.g. 20, 11.8 or 0), or a percent of each order’s turnover with an optional ₹ cap per order (e.g. 0.03%:20 or 0.05%)';

/** BROKERAGE's text: `20`, `0`, `0.03%:20`, `0.05%`. Null when it is none of these. */
export function parseBrokerage(raw: string): Brokerage | null {
  const s = raw.trim();
  const flat = /^(\d+(?:\.\d{1,2})?)$/.exec(s);
  if (flat) return { kind: 'flat', rupees: Number(flat[1]) };
  const pct = /^(\d+)(?:\.(\d{1,5}))?%(?::(\d+(?:\.\d{1,2})?))?$/.exec(s);
  if (!pct) return null;
  // Percent to ₹ per crore without floats: 0.03 % → 3,000 (five decimals of a percent at most).
  const perCrore = Number(pct[1]) * 100_000 + Number((pct[2] ?? '').padEnd(5, '0'));
  if (perCrore > 100 * 100_000) return null;
  return { kind: 'percent', perCrore, capRupees: pct[3] === undefined ? null : Number(pct[3]) };
}

/** How a brokerage reads back, for logs and the `charges` command. */
export function brokerageText(b: Brokerage): string {
  if (b.kind === 'flat') return `₹${b.rupees.toFixed(2)} per order`;
  const percent = `${b.perCrore / 100_000}%`;
  return b.capRupees === null ? `${percent} of each order's turnover` : `${percent} of each order's turnover, at most ₹${b.capRupees.toFixed(2)}`;
}
