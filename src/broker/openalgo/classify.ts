// Turns an HTTP reply into the parsed JSON of a success, or a typed BrokerError.
// Classification keys off the HTTP status first: bodies are not dependable (a proxy's HTML
// page, a 429 with any body at all).

import { AUTH_MESSAGE, BrokerError } from '../errors.js';
import type { HttpReply } from './http.js';
import { redact } from './redact.js';

export interface ReplyContext {
  /** API call name, e.g. "placeorder", for messages. */
  call: string;
  /** place/modify/cancel: a 5xx with an error body is the broker's rejection passed through. */
  orderCall: boolean;
  /** Strings to mask in any server-provided text. */
  secrets: readonly string[];
}

const MAX_MESSAGE = 300;

/** Returns the JSON body of a successful reply; throws BrokerError for everything else. */
export function readReply(reply: HttpReply, ctx: ReplyContext): unknown {
  const { status } = reply;
  if (status === 403) return fail('auth', AUTH_MESSAGE, status);
  if (status === 429) return fail('rate_limited', `${ctx.call}: rate limited by the server (HTTP 429)`, status);

  const json = parseJson(reply.text);
  const message = serverMessage(json, ctx.secrets);

  if (status === 404) return fail('not_found', `${ctx.call}: ${message ?? 'not found'}`, status);
  if (status >= 400 && status < 500) return fail('rejected', message ?? `${ctx.call}: HTTP ${status}`, status);
  if (status >= 500) {
    if (ctx.orderCall && isErrorEnvelope(json) && message !== undefined) return fail('rejected', message, status);
    return fail('server', `${ctx.call}: HTTP ${status}${message !== undefined ? `: ${message}` : describeBody(reply.text, json)}`, status);
  }
  if (status < 200 || status >= 300) return fail('server', `${ctx.call}: unexpected HTTP ${status}`, status);

  if (json === undefined) {
    return fail('server', `unexpected response from ${ctx.call}: ${reply.text.trim() === '' ? 'empty body' : 'not JSON'}`, status);
  }
  if (isErrorEnvelope(json)) return fail('rejected', message ?? `${ctx.call}: error without a message`, status);
  return json;
}

function fail(kind: BrokerError['kind'], message: string, status: number): never {
  throw new BrokerError(kind, message, status);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeBody(text: string, json: unknown): string {
  if (text.trim() === '') return ' (empty body)';
  return json === undefined ? ' (not JSON)' : '';
}

function isErrorEnvelope(json: unknown): boolean {
  return isRecord(json) && typeof json.status === 'string' && json.status.toLowerCase() === 'error';
}

/** The body's `message`, flattened to one line, secrets masked, length capped. */
export function serverMessage(json: unknown, secrets: readonly string[]): string | undefined {
  if (!isRecord(json)) return undefined;
  const flat = flattenMessage(json.message);
  if (flat === undefined || flat.trim() === '') return undefined;
  const safe = redact(flat, secrets).trim();
  return safe.length > MAX_MESSAGE ? `${safe.slice(0, MAX_MESSAGE - 1)}…` : safe;
}

/**
 * A message may be a string, a field map ({quantity: ["Must be > 0"]}), or a string holding a
 * field map (Python's repr of a dict). Field maps become "field: msg; field: msg".
 */
export function flattenMessage(message: unknown): string | undefined {
  if (message === undefined || message === null) return undefined;
  if (typeof message === 'string') {
    const map = parseMapString(message);
    return map !== undefined ? flattenMap(map) : message;
  }
  if (isRecord(message)) return flattenMap(message);
  if (Array.isArray(message)) return message.map(flattenValue).join(', ');
  return String(message);
}

function flattenMap(map: Record<string, unknown>): string {
  return Object.entries(map)
    .map(([field, value]) => `${field}: ${flattenValue(value)}`)
    .join('; ');
}

function flattenValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(flattenValue).join(', ');
  if (isRecord(value)) return `{${flattenMap(value)}}`;
  return String(value);
}

function parseMapString(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  // JSON first, then Python's repr ({'quantity': ['Not a valid integer.']}).
  for (const candidate of [trimmed, trimmed.replace(/'/g, '"')]) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (isRecord(parsed)) return parsed;
    } catch {
      // try the next spelling
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
