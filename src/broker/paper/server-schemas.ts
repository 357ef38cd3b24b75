// Request schemas of the paper-server, strict like OpenAlgo's marshmallow schemas: an unknown
// field is a 400, numbers may come as numeric strings, and error messages use marshmallow's words.

import { z } from 'zod';
import { EXCHANGES } from '../types.js';

const MISSING = 'Missing data for required field.';

const str = () => z.string({ error: (iss) => (iss.input === undefined ? MISSING : 'Not a valid string.') });

/** marshmallow's Float: a number or a numeric string, never a boolean. */
const float = () =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
    z.number({ error: (iss) => (iss.input === undefined ? MISSING : 'Not a valid number.') }),
  );

const int = () => float().refine((v) => Number.isInteger(v), 'Not a valid integer.');

const oneOf = <T extends string>(values: readonly T[]) =>
  str().refine((v) => (values as readonly string[]).includes(v), `Must be one of: ${values.join(', ')}.`);

const apikey = () => str().refine((v) => v.length >= 1 && v.length <= 256, 'Length must be between 1 and 256.');
const exchange = () => oneOf(EXCHANGES);
const action = () => oneOf(['BUY', 'SELL', 'buy', 'sell'] as const);
const priceType = () => oneOf(['MARKET', 'LIMIT', 'SL', 'SL-M'] as const);
const product = () => oneOf(['MIS', 'NRML', 'CNC'] as const);
const positive = (message: string) => float().refine((v) => v > 0, message);
const nonNegative = (message: string) => float().refine((v) => v >= 0, message);

export const placeOrderSchema = z.strictObject({
  apikey: apikey(),
  strategy: str(),
  exchange: exchange(),
  symbol: str(),
  action: action(),
  quantity: positive('Quantity must be a positive number.'),
  pricetype: priceType().optional(),
  product: product().optional(),
  price: nonNegative('Price must be a non-negative number.').optional(),
  trigger_price: nonNegative('Trigger price must be a non-negative number.').optional(),
  disclosed_quantity: int().refine((v) => v >= 0, 'Disclosed quantity must be a non-negative integer.').optional(),
  underlying_ltp: float().nullable().optional(),
});

/** placesmartorder: placeorder's fields plus the position the account should end up with. */
export const placeSmartOrderSchema = placeOrderSchema.extend({ position_size: int() });

export const modifyOrderSchema = z.strictObject({
  apikey: apikey(),
  strategy: str(),
  exchange: exchange(),
  symbol: str(),
  orderid: str(),
  action: action(),
  product: product(),
  pricetype: priceType(),
  price: nonNegative('Price must be a non-negative number.'),
  quantity: positive('Quantity must be a positive number.'),
  disclosed_quantity: int().refine((v) => v >= 0, 'Disclosed quantity must be a non-negative integer.'),
  trigger_price: nonNegative('Trigger price must be a non-negative number.'),
});

export const orderIdSchema = z.strictObject({ apikey: str(), strategy: str(), orderid: str() });
export const keyOnlySchema = z.strictObject({ apikey: str() });
export const strategySchema = z.strictObject({ apikey: apikey(), strategy: str() });
export const openPositionSchema = z.strictObject({
  apikey: str(),
  strategy: str(),
  symbol: str(),
  exchange: str(),
  product: product(),
});
export const quotesSchema = z.strictObject({ apikey: apikey(), symbol: str(), exchange: exchange() });
/** multiquotes: a non-empty list of {symbol, exchange}. */
export const multiQuotesSchema = z.strictObject({
  apikey: apikey(),
  symbols: z.array(z.strictObject({ symbol: str(), exchange: exchange() })).min(1, 'At least one symbol is required.'),
});
export const searchSchema = z.strictObject({ apikey: apikey(), query: str(), exchange: exchange().optional() });

/** market/holidays: the year is optional (default: this year) and 2020–2050. */
export const holidaysSchema = z.strictObject({
  apikey: str(),
  year: int().refine((v) => v >= 2020 && v <= 2050, 'Year must be between 2020 and 2050.').optional(),
});
/** market/timings: one YYYY-MM-DD day. */
export const timingsSchema = z.strictObject({
  apikey: str(),
  date: str().refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && Number.isFinite(Date.parse(`${v}T00:00:00Z`)), 'Not a valid date. Use YYYY-MM-DD.'),
});

/** Field → messages, as marshmallow's ValidationError.messages. */
export type FieldErrors = Record<string, string[]>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  const add = (field: string, message: string): void => {
    (out[field] ??= []).push(message);
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) add(key, 'Unknown field.');
    else add(String(issue.path[0] ?? '_schema'), issue.message);
  }
  return out;
}

/** Python's str() of the messages dict: the form OpenAlgo's order endpoints put in `message`. */
export function pythonRepr(errors: FieldErrors): string {
  const s = (text: string): string =>
    text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const items = Object.entries(errors).map(([k, v]) => `${s(k)}: [${v.map(s).join(', ')}]`);
  return `{${items.join(', ')}}`;
}

export const historySchema = z.strictObject({
  apikey: apikey(),
  symbol: str(),
  exchange: exchange(),
  interval: str(),
  start_date: str().refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v), 'Not a valid date.'),
  end_date: str().refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v), 'Not a valid date.'),
});
