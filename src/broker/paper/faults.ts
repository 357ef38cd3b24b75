// The paper broker's misbehaviours: what a cranky real broker does, switchable by a rate (drawn
// from the seeded PRNG) or scripted once (PaperBroker.injectOnce). One table below is the single
// source for defaults, parsing and help text.

import type { PriceType } from '../types.js';

export interface FaultConfig {
  /** Probability that a MARKET/LIMIT order's first fill takes only part (whole lots, ≥ 1, < quantity). */
  partialFill: number;
  /** After a partial fill the rest keeps matching (default false: a partial stays partial until cancelled). */
  partialRestFills: boolean;
  /** Probability per placeOrder: the order is placed, but the call times out. */
  acceptThenTimeout: number;
  /** Probability per placeOrder: the call times out and the order is NOT placed. */
  timeoutNotPlaced: number;
  /** A new order is "not found" (status, order book, trade book) for this long after placement. */
  notFoundAfterPlaceMs: number;
  /** SL-M orders are refused at placement. */
  slmRefused: boolean;
  /** Probability per placeOrder: accepted (orderId returned), then shows status rejected. */
  rejectAfterAccept: number;
  /** Limit rejectAfterAccept to one price type (null: any). */
  rejectAfterAcceptPriceType: PriceType | null;
  /** Probability per call that a burst of 5xx server errors starts. */
  serverError: number;
  /** Calls in one serverError burst (the first included). */
  serverErrorBurst: number;
  /** Probability per call of a 429 rate-limited error. */
  rateLimited: number;
  /** Every call takes this long (on the broker's clock). */
  latencyMs: number;
  /** Probability per price step, while a position is open, that it is closed from outside. */
  externalClose: number;
  /** MARKET orders rest "open" this long before they fill. */
  marketHangMs: number;
  /** A gap over a resting limit leaves it unfilled until the price trades back at/through it. */
  gapLeavesLimitUnfilled: boolean;
  /** Probability per triggered stop-limit (SL) that the price gaps straight past its limit: it triggers and rests unfilled. */
  stopGap: number;
  /** MARKET orders are refused at placement (as some brokers do on options): a LIMIT is needed. */
  marketRefused: boolean;
  /** Push feed: probability per price step that the connection drops (reconnects after feedDownMs). */
  feedDrop: number;
  /** Push feed: how long a dropped connection stays down. */
  feedDownMs: number;
  /** Push feed: order updates stop arriving while the socket stays up and ticks and pongs go on. */
  feedSilentOrders: boolean;
  /** Push feed: probability that one order update is lost. */
  feedLoseUpdate: number;
  /** Push feed: probability that one order update is sent twice. */
  feedDuplicate: number;
  /** Push feed: each order update is late by up to this (random, so updates can arrive reordered). */
  feedDelayMs: number;
}

export type FaultName = keyof FaultConfig;

export const DEFAULT_FAULTS: Readonly<FaultConfig> = Object.freeze({
  partialFill: 0,
  partialRestFills: false,
  acceptThenTimeout: 0,
  timeoutNotPlaced: 0,
  notFoundAfterPlaceMs: 0,
  slmRefused: false,
  rejectAfterAccept: 0,
  rejectAfterAcceptPriceType: null,
  serverError: 0,
  serverErrorBurst: 3,
  rateLimited: 0,
  latencyMs: 0,
  externalClose: 0,
  marketHangMs: 0,
  gapLeavesLimitUnfilled: false,
  stopGap: 0,
  marketRefused: false,
  feedDrop: 0,
  feedDownMs: 5000,
  feedSilentOrders: false,
  feedLoseUpdate: 0,
  feedDuplicate: 0,
  feedDelayMs: 0,
});

type ValueKind = 'rate' | 'flag' | 'ms' | 'count' | 'priceType';

const FAULTS: Record<FaultName, { kind: ValueKind; help: string }> = {
  partialFill: { kind: 'rate', help: 'a MARKET/LIMIT fill takes only some whole lots; the rest stays working' },
  partialRestFills: { kind: 'flag', help: 'after a partial fill the rest fills later too (default: stays partial until cancelled)' },
  acceptThenTimeout: { kind: 'rate', help: 'placeorder times out but the order WAS placed' },
  timeoutNotPlaced: { kind: 'rate', help: 'placeorder times out and the order was NOT placed' },
  notFoundAfterPlaceMs: { kind: 'ms', help: 'a new order is "not found" for this many ms after placement' },
  slmRefused: { kind: 'flag', help: 'SL-M orders are rejected at placement (use SL instead)' },
  rejectAfterAccept: { kind: 'rate', help: 'an order is accepted, then shows status rejected' },
  rejectAfterAcceptPriceType: { kind: 'priceType', help: 'only orders of this price type are rejected after accept (MARKET, LIMIT, SL, SL-M)' },
  serverError: { kind: 'rate', help: 'a burst of 500 server errors starts (serverErrorBurst calls long)' },
  serverErrorBurst: { kind: 'count', help: 'calls in one serverError burst (default 3)' },
  rateLimited: { kind: 'rate', help: 'a call is answered 429 rate limited' },
  latencyMs: { kind: 'ms', help: 'every call takes this many ms' },
  externalClose: { kind: 'rate', help: 'per price step, an open position is closed from the broker terminal' },
  marketHangMs: { kind: 'ms', help: 'MARKET orders rest open this many ms, then fill' },
  gapLeavesLimitUnfilled: { kind: 'flag', help: 'a price gap over a resting limit leaves it unfilled until price trades back to it' },
  stopGap: { kind: 'rate', help: "a triggered stop-limit (SL): the price gaps straight past its limit, so it triggers and rests unfilled" },
  marketRefused: { kind: 'flag', help: 'MARKET orders are refused at placement, as some brokers do on options (send a LIMIT)' },
  feedDrop: { kind: 'rate', help: 'per price step, the push feed connection drops (and reconnects after feedDownMs)' },
  feedDownMs: { kind: 'ms', help: 'how long a dropped push feed stays down (default 5000)' },
  feedSilentOrders: { kind: 'flag', help: 'the push feed stays up (ticks, pongs) but delivers no order updates' },
  feedLoseUpdate: { kind: 'rate', help: 'a pushed order update is lost' },
  feedDuplicate: { kind: 'rate', help: 'a pushed order update is sent twice' },
  feedDelayMs: { kind: 'ms', help: 'pushed order updates are late by up to this many ms (so they can arrive reordered)' },
};

export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

const VALUE_HINT: Record<ValueKind, string> = {
  rate: 'probability 0..1; bare name = 1',
  flag: 'true/false; bare name = true',
  ms: 'milliseconds',
  count: 'whole number ≥ 1',
  priceType: 'MARKET|LIMIT|SL|SL-M',
};

/** One line per fault, for --help and the README. */
export const FAULT_HELP: string = FAULT_NAMES.map(
  (name) => `  ${name.padEnd(27)}${FAULTS[name].help} [${VALUE_HINT[FAULTS[name].kind]}]`,
).join('\n');

/** Complete config: defaults overlaid with `partial`. */
export function resolveFaults(partial: Partial<FaultConfig> = {}): FaultConfig {
  const out: FaultConfig = { ...DEFAULT_FAULTS };
  for (const name of FAULT_NAMES) {
    const value = partial[name];
    if (value !== undefined) Object.assign(out, { [name]: value });
  }
  return out;
}

/**
 * Parse a CLI fault spec: "partialFill=0.3,acceptThenTimeout=0.05,slmRefused,notFoundAfterPlaceMs=1500".
 * Throws an Error naming the bad item and listing the allowed names.
 */
export function parseFaults(spec: string): Partial<FaultConfig> {
  const out: Partial<FaultConfig> = {};
  for (const rawItem of spec.split(',')) {
    const item = rawItem.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    const raw = eq < 0 ? null : item.slice(eq + 1).trim();
    if (!(name in FAULTS)) {
      throw new Error(`unknown fault "${name}" in "${item}"; allowed: ${FAULT_NAMES.join(', ')}`);
    }
    const key = name as FaultName;
    Object.assign(out, { [key]: parseValue(key, FAULTS[key].kind, raw, item) });
  }
  return out;
}

function parseValue(name: FaultName, kind: ValueKind, raw: string | null, item: string): number | boolean | string {
  const bad = (want: string): Error => new Error(`fault "${item}": ${name} needs ${want}`);
  switch (kind) {
    case 'rate': {
      if (raw === null) return 1;
      const p = Number(raw);
      if (raw === '' || !Number.isFinite(p) || p < 0 || p > 1) throw bad('a probability between 0 and 1, e.g. ' + name + '=0.1');
      return p;
    }
    case 'flag': {
      if (raw === null) return true;
      const word = raw.toLowerCase();
      if (['true', '1', 'on', 'yes'].includes(word)) return true;
      if (['false', '0', 'off', 'no'].includes(word)) return false;
      throw bad('true or false');
    }
    case 'ms': {
      const ms = raw === null ? Number.NaN : Number(raw);
      if (raw === '' || !Number.isInteger(ms) || ms < 0) throw bad(`a duration in milliseconds, e.g. ${name}=1500`);
      return ms;
    }
    case 'count': {
      const n = raw === null ? Number.NaN : Number(raw);
      if (raw === '' || !Number.isInteger(n) || n < 1) throw bad(`a whole number ≥ 1, e.g. ${name}=3`);
      return n;
    }
    case 'priceType': {
      const pt = (raw ?? '').toUpperCase();
      if (pt !== 'MARKET' && pt !== 'LIMIT' && pt !== 'SL' && pt !== 'SL-M') throw bad('one of MARKET, LIMIT, SL, SL-M');
      return pt;
    }
  }
}

/** "partialFill=0.15, slmRefused" — the non-default settings, for the paper-server banner. */
export function describeFaults(config: FaultConfig): string {
  const parts: string[] = [];
  for (const name of FAULT_NAMES) {
    const value = config[name];
    if (value === DEFAULT_FAULTS[name]) continue;
    parts.push(value === true ? name : `${name}=${String(value)}`);
  }
  return parts.length ? parts.join(', ') : 'none';
}
