import { segmentOf, type Segment } from '../broker/segment.js';
import { UsageError } from './usage.js';
import { EXCHANGES } from '../config/exchanges.js';
import { ConfigError, resolveConfig, type RawSources } from '../config/resolve.js';
import { costConfig } from '../config/settings.js';
import { EXCHANGE, IPFT, SEBI, STAMP, STT, rateOn, type RateTable } from '../engine/charge-rates.js';
import { BROKERAGE_ALLOWED, brokerageText, CHARGE_LINES, computeCharges, parseBrokerage, toPaise, type Brokerage } from '../engine/charges.js';
import type { ChargeBreakdown } from '../store/types.js';
import { istParts } from '../time/ist.js';
import type { Io } from './config-command.js';
import { EXIT } from './exit-codes.js';

// `random-scalp charges --symbol S [--exchange E] --qty N --buy P --sell P [--date D] [--json]
// [--brokerage SPEC]`: what one round trip (one buy order, one sell order) pays, as a contract
// note lists it, from the same model every P&L figure uses. No broker session: the segment
// comes from the symbol, the rates from the trade date.

export interface ChargesFlags {
  symbol?: string;
  exchange?: string;
  qty?: string;
  buy?: string;
  sell?: string;
  date?: string;
  json?: boolean;
  brokerage?: string;
}


const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9&_-]*$/;

function required(flag: string, value: string | undefined, allowed: string): string {
  if (value === undefined) throw new UsageError(`missing ${flag}: expected ${allowed}`);
  return value;
}

function bad(flag: string, value: string, allowed: string): UsageError {
  return new UsageError(`invalid ${flag} ${JSON.stringify(value)}: expected ${allowed}`);
}

function price(flag: string, raw: string | undefined): number {
  const allowed = 'a price in rupees > 0, e.g. 102.50';
  const value = required(flag, raw, allowed);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(Number(value) > 0)) throw bad(flag, value, allowed);
  return Number(value);
}

function calendarDate(value: string): string {
  const s = value.trim();
  const parsed = Date.parse(`${s}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== s) {
    throw bad('--date', value, 'a calendar date YYYY-MM-DD (the IST trade date)');
  }
  return s;
}

export interface ChargesQuote {
  symbol: string;
  exchange: string;
  segment: Segment;
  date: string;
  quantity: number;
  buy: number;
  sell: number;
  brokerage: Brokerage;
  turnover: { buy: number; sell: number };
  charges: ChargeBreakdown;
  gross: number;
  net: number;
}

/** The flags checked and the breakdown worked; throws UsageError naming the first bad flag. */
function quote(flags: ChargesFlags, configured: () => Brokerage, today: string): ChargesQuote {
  const rawSymbol = required('--symbol', flags.symbol, 'a trading symbol in OpenAlgo format, e.g. NIFTY29DEC2625000CE');
  const symbol = rawSymbol.trim().toUpperCase();
  if (!SYMBOL_PATTERN.test(symbol)) throw bad('--symbol', rawSymbol, 'a trading symbol of letters, digits, &, _ or -, e.g. NIFTY29DEC2625000CE');
  let exchange: string;
  if (flags.exchange !== undefined) {
    const found = EXCHANGES.find((e) => e === flags.exchange?.trim().toUpperCase());
    if (!found) throw bad('--exchange', flags.exchange, `one of ${EXCHANGES.join(', ')}`);
    exchange = found;
  } else {
    // Without one: NFO for a symbol shaped like a derivative (…CE, …PE, …FUT), NSE otherwise.
    exchange = /\d(CE|PE)$|FUT$/.test(symbol) ? 'NFO' : 'NSE';
  }
  const qtyAllowed = 'a whole number of units ≥ 1 (lots × lot size, e.g. 130)';
  const qtyRaw = required('--qty', flags.qty, qtyAllowed);
  if (!/^\d+$/.test(qtyRaw.trim()) || Number(qtyRaw) < 1 || !Number.isSafeInteger(Number(qtyRaw))) throw bad('--qty', qtyRaw, qtyAllowed);
  const quantity = Number(qtyRaw);
  const buy = price('--buy', flags.buy);
  const sell = price('--sell', flags.sell);
  const date = flags.date !== undefined ? calendarDate(flags.date) : today;
  let brokerage: Brokerage;
  if (flags.brokerage !== undefined) {
    const parsed = parseBrokerage(flags.brokerage);
    if (!parsed) throw bad('--brokerage', flags.brokerage, BROKERAGE_ALLOWED);
    brokerage = parsed;
  } else {
    brokerage = configured();
  }
  const segment = segmentOf(symbol, exchange);
  const orders = [
    { side: 'BUY' as const, quantity, price: buy },
    { side: 'SELL' as const, quantity, price: sell },
  ];
  const charges = computeCharges({ segment, day: date, orders, brokerage });
  const turnover = { buy: toPaise(quantity * buy) / 100, sell: toPaise(quantity * sell) / 100 };
  const gross = (toPaise(quantity * sell) - toPaise(quantity * buy)) / 100;
  return { symbol, exchange, segment, date, quantity, buy, sell, brokerage, turnover, charges, gross, net: (toPaise(gross) - toPaise(charges.total)) / 100 };
}

const inr = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const rupees = (x: number): string => `${x < 0 ? '−' : ''}₹${inr.format(Math.abs(x))}`;
const pct = (table: RateTable, q: ChargesQuote): string => `${rateOn(table[q.segment], q.date) / 100_000}%`;
const perCrore = (table: RateTable, q: ChargesQuote): string => `₹${rateOn(table[q.segment], q.date)} per crore`;

/** What each line was worked on, for the text form. */
function basis(key: (typeof CHARGE_LINES)[number]['key'], q: ChargesQuote): string {
  const both = rupees(q.turnover.buy + q.turnover.sell);
  switch (key) {
    case 'brokerage': return `${brokerageText(q.brokerage)}, 2 orders`;
    case 'stt': return `${pct(STT, q)} of the sell turnover ${rupees(q.turnover.sell)}`;
    case 'exchange': return `${pct(EXCHANGE, q)} of the turnover ${both}`;
    case 'sebi': return `${perCrore(SEBI, q)} of ${both}`;
    case 'stamp': return `${pct(STAMP, q)} of the buy turnover ${rupees(q.turnover.buy)}`;
    case 'ipft': return `${perCrore(IPFT, q)} of ${both} (no GST)`;
    case 'gst': return '18% of brokerage + exchange charge + SEBI fee';
  }
}

export function chargesText(q: ChargesQuote): string[] {
  const label = (text: string): string => text.padEnd(29);
  const amount = (x: number): string => rupees(x).padStart(12);
  return [
    `${q.symbol} on ${q.exchange} (${q.segment}), trade date ${q.date} (IST): the rates of that date`,
    `buy  ${q.quantity} @ ${rupees(q.buy)}  turnover ${rupees(q.turnover.buy)}`,
    `sell ${q.quantity} @ ${rupees(q.sell)}  turnover ${rupees(q.turnover.sell)}`,
    '',
    ...CHARGE_LINES.map((l) => `${label(l.label)}${amount(q.charges[l.key])}   ${basis(l.key, q)}`),
    `${label('total charges')}${amount(q.charges.total)}`,
    '',
    `${label('gross')}${amount(q.gross)}`,
    `${label('net (gross − charges)')}${amount(q.net)}`,
  ];
}

export function chargesJson(q: ChargesQuote): unknown {
  return {
    instrument: { symbol: q.symbol, exchange: q.exchange, segment: q.segment },
    date: q.date,
    quantity: q.quantity,
    buy: q.buy,
    sell: q.sell,
    turnover: q.turnover,
    ...q.charges,
    gross: q.gross,
    net: q.net,
  };
}

export function chargesCommand(flags: ChargesFlags, io: Io, sources: RawSources, now: number): number {
  try {
    const configured = (): Brokerage => {
      try {
        return costConfig(resolveConfig(sources, { forStart: false }).config).brokerage;
      } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(`${err.message} (or pass --brokerage)`);
        throw err;
      }
    };
    const q = quote(flags, configured, istParts(now).day);
    if (flags.json) io.out(JSON.stringify(chargesJson(q), null, 2));
    else for (const line of chargesText(q)) io.out(line);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`random-scalp charges: ${err.message}`);
      return EXIT.CONFIG;
    }
    throw err;
  }
}
