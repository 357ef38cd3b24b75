import http from 'node:http';
import https from 'node:https';
import got, { RequestError } from 'got';
import type { Alert, AlertSubject } from './alert.js';
import type { AlertChannel } from './dispatcher.js';

// A generic webhook: one JSON POST per alert (Slack/Discord bridges, ntfy, n8n, a home server).
// The URL can hold a token (Slack-style hooks), so only its host is ever shown.

export interface WebhookBody {
  source: 'random-scalp';
  class: Alert['cls'];
  level: 'on' | 'silent';
  silent: boolean;
  title: string;
  text: string;
  /** ISO 8601, UTC. */
  at: string;
  mode: AlertSubject['mode'];
  symbol: string;
  exchange: string;
}

export function webhookChannel(url: string, subject: AlertSubject, timeoutMs = 5_000): AlertChannel {
  const host = new URL(url).host;
  const agent = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };
  return {
    name: `webhook ${host}`,
    takesSilent: true,
    async send(alert, level) {
      const body: WebhookBody = {
        source: 'random-scalp',
        class: alert.cls,
        level,
        silent: level === 'silent',
        title: alert.title,
        text: alert.text,
        at: new Date(alert.at).toISOString(),
        mode: subject.mode,
        symbol: subject.symbol,
        exchange: subject.exchange,
      };
      let status: number;
      try {
        const res = await got.post(url, {
          json: body,
          responseType: 'text',
          throwHttpErrors: false,
          followRedirect: false,
          retry: { limit: 0 },
          timeout: { request: timeoutMs },
          agent,
        });
        status = res.statusCode;
      } catch (err) {
        // got's errors carry the request options (and the URL): keep only the code.
        throw new Error(err instanceof RequestError ? `${err.code}` : 'request failed');
      }
      if (status < 200 || status >= 300) throw new Error(`HTTP ${status}`);
    },
  };
}
