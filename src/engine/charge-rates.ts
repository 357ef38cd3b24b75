import type { Segment } from '../broker/segment.js';

// The statutory charges an Indian exchange trade pays, as a dated table. Every rate is in
// rupees per crore (₹1,00,00,000) of turnover, so each one is a whole number and the
// arithmetic stays in integers: 0.15 % = ₹15,000 per crore, 0.03503 % = ₹3,503 per crore.
//
// A rate that changes keeps its old row with an end date: a report or a backtest of an older day
// must use that day's rates. Dates are IST trade dates, inclusive on both ends. A date before a
// component's first row takes that first row (the table does not go further back; see README,
// "Statutory charges").
//
// The NSE rates are used for every exchange (BSE and the commodity and currency segments
// charge differently; not modelled).

/** One rate and when it applied. */
export interface DatedRate {
  /** First IST trade date it applies to (YYYY-MM-DD); absent = from the start of the table. */
  from?: string;
  /** Last IST trade date it applies to (inclusive); absent = still in force. */
  to?: string;
  /** Rupees per crore of the turnover it is charged on. */
  perCrore: number;
}

export type RateTable = Readonly<Record<Segment, readonly DatedRate[]>>;

/**
 * STT (securities transaction tax), on the SELL side only: options on the premium, futures and
 * equity intraday on the sell value.
 */
export const STT: RateTable = {
  option: [
    // Finance Act 2023 (0.05 % → 0.0625 % from 2023-04-01); the table starts here.
    { to: '2024-09-30', perCrore: 6_250 },
    // Union Budget 23 Jul 2024, Finance (No. 2) Act 2024: 0.1 % of premium from 1 Oct 2024.
    { from: '2024-10-01', to: '2026-03-31', perCrore: 10_000 },
    // Union Budget 1 Feb 2026, Finance Bill 2026: 0.15 % of premium from 1 Apr 2026.
    { from: '2026-04-01', perCrore: 15_000 },
  ],
  future: [
    // Finance (No. 2) Act 2024: 0.02 % from 1 Oct 2024 (the table does not go further back).
    { to: '2026-03-31', perCrore: 2_000 },
    // Union Budget 1 Feb 2026, Finance Bill 2026: 0.05 % from 1 Apr 2026.
    { from: '2026-04-01', perCrore: 5_000 },
  ],
  // Equity intraday (MIS): 0.025 % of the sell value (unchanged since 2013; delivery is not modelled).
  equity: [{ perCrore: 2_500 }],
};

/**
 * Exchange transaction charge on the turnover of both sides. NSE's revision effective
 * 1 Oct 2024 (the flat rates that replaced the slabs): options 0.03503 % of premium, futures
 * 0.00173 %, equity 0.00297 %.
 */
export const EXCHANGE: RateTable = {
  option: [{ from: '2024-10-01', perCrore: 3_503 }],
  future: [{ from: '2024-10-01', perCrore: 173 }],
  equity: [{ from: '2024-10-01', perCrore: 297 }],
};

/**
 * IPFT (NSE's Investor Protection Fund Trust charge) on the turnover of both sides: ₹50 per
 * crore of options premium, ₹10 per crore on futures and equity (NSE circulars; Zerodha's
 * support article on IPFT). Kept as its own line, without GST (see charges.ts).
 */
export const IPFT: RateTable = {
  option: [{ perCrore: 50 }],
  future: [{ perCrore: 10 }],
  equity: [{ perCrore: 10 }],
};

/** SEBI turnover fee, both sides: ₹10 per crore (SEBI circular, in force since 1 Jun 2021). */
export const SEBI: RateTable = {
  option: [{ perCrore: 10 }],
  future: [{ perCrore: 10 }],
  equity: [{ perCrore: 10 }],
};

/**
 * Stamp duty, on the BUY side only (Indian Stamp Act amendment, uniform rates from 1 Jul 2020):
 * options 0.003 % of premium, futures 0.002 %, equity intraday 0.003 %.
 */
export const STAMP: RateTable = {
  option: [{ perCrore: 300 }],
  future: [{ perCrore: 200 }],
  equity: [{ perCrore: 300 }],
};

/** GST: 18 % on brokerage + exchange transaction charge + SEBI fee (IGST/CGST+SGST, since 1 Jul 2017). */
export const GST_PERCENT = 18;

/** The rate in force on `day` (YYYY-MM-DD, IST): the row whose range holds it, else the first row. */
export function rateOn(rows: readonly DatedRate[], day: string): number {
  for (const row of rows) {
    if ((row.from === undefined || day >= row.from) && (row.to === undefined || day <= row.to)) return row.perCrore;
  }
  const first = rows[0];
  if (!first) throw new Error('empty rate table');
  return first.perCrore;
}
