import { createAgents, httpPost } from '../broker/openalgo/http.js';
import { isBrokerError } from '../broker/errors.js';
import type { BrokerError } from '../broker/errors.js';
import { redactSecrets } from '../log/logger.js';

// One raw OpenAlgo call for doctor: the HTTP status, the body, the server's Date header and the
// round trip, with nothing classified away (doctor tells a refused key from a down host from a
// proxy's 502). No got error escapes: they carry the request body, and with it the key.

export interface ProbeReply {
  status: number;
  text: string;
  /** The server's HTTP Date header (1 s resolution), as epoch ms, or null. */
  serverDate: number | null;
  /** Local time when the request went out and when the answer came back. */
  sentAt: number;
  receivedAt: number;
  rttMs: number;
}

export async function probe(host: string, call: string, body: Record<string, unknown>, timeoutMs: number): Promise<ProbeReply | BrokerError> {
  const agents = createAgents();
  const sentAt = Date.now();
  const started = performance.now();
  try {
    const res = await httpPost(`${host}/api/v1/${call}`, body, { call, timeoutMs, agents });
    const rttMs = performance.now() - started;
    const date = res.date ? Date.parse(res.date) : NaN;
    return { status: res.status, text: res.text, serverDate: Number.isFinite(date) ? date : null, sentAt, receivedAt: Date.now(), rttMs };
  } catch (err) {
    if (isBrokerError(err)) return err;
    throw err;
  } finally {
    agents.http.destroy();
    agents.https.destroy();
  }
}

/** The server's own words from an error body, shortened and without the key. */
export function serverWords(text: string, secrets: string[]): string {
  let message: unknown;
  try {
    message = (JSON.parse(text) as { message?: unknown }).message;
  } catch {
    message = /<title>([^<]*)<\/title>/i.exec(text)?.[1] ?? text.trim().slice(0, 60);
  }
  const words = typeof message === 'string' ? message : JSON.stringify(message ?? '');
  return redactSecrets(words.length > 120 ? `${words.slice(0, 119)}…` : words, secrets);
}
