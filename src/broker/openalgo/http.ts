// One HTTP POST with got, and nothing more: no retries (the client decides), no thrown HTTP
// statuses (the client classifies them), and no got error ever escapes — got errors carry
// the request options and body, and with them the API key.

import http from 'node:http';
import https from 'node:https';
import got, { RequestError, TimeoutError } from 'got';
import { BrokerError } from '../errors.js';

export interface HttpReply {
  status: number;
  text: string;
  /** The server's `Date` header, when it sent one: its clock, to the second. */
  date?: string;
}

/** Errors that happen before any byte could reach the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface HttpPostOptions {
  /** API call name, for error messages. */
  call: string;
  /** Whole-request limit in ms. */
  timeoutMs: number;
  agents: { http: http.Agent; https: https.Agent };
}

/**
 * Agents without keep-alive: a pooled socket the server already closed fails the next request
 * with ECONNRESET, which for an order call would look like an unknown outcome. A fresh
 * connection per call to a local server costs little.
 */
export function createAgents(): { http: http.Agent; https: https.Agent } {
  return { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };
}

export async function httpPost(url: string, body: Record<string, unknown>, opts: HttpPostOptions): Promise<HttpReply> {
  try {
    const res = await got.post(url, {
      json: body,
      responseType: 'text',
      throwHttpErrors: false,
      followRedirect: false,
      // Never re-send at this layer: an order call sent twice may be two orders.
      retry: { limit: 0 },
      timeout: { request: opts.timeoutMs },
      agent: opts.agents,
    });
    const date = res.headers.date;
    return { status: res.statusCode, text: res.body, ...(date !== undefined ? { date } : {}) };
  } catch (err) {
    throw transportError(err, opts.call, opts.timeoutMs);
  }
}

/** A fresh BrokerError for a transport failure; never carries the got error or its options. */
export function transportError(err: unknown, call: string, timeoutMs: number): BrokerError {
  if (!(err instanceof RequestError)) {
    return new BrokerError('timeout', `${call}: request failed unexpectedly (outcome unknown)`);
  }
  const code = err.code;
  if (NOT_SENT_CODES.has(code)) return new BrokerError('not_sent', `${call}: could not reach the server (${code})`);
  // Without a TCP connection nothing could have been sent, whatever the error.
  const connected = err.timings?.connect !== undefined;
  if (err instanceof TimeoutError || code === 'ETIMEDOUT') {
    return connected
      ? new BrokerError('timeout', `${call}: no response within ${timeoutMs} ms (outcome unknown)`)
      : new BrokerError('not_sent', `${call}: could not connect within ${timeoutMs} ms`);
  }
  if (!connected) return new BrokerError('not_sent', `${call}: request failed before connecting (${code})`);
  // ECONNRESET, EPIPE, a broken response stream...: the server may have acted on it.
  return new BrokerError('timeout', `${call}: connection failed mid-request (${code}; outcome unknown)`);
}
