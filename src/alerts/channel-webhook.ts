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

type Http = typeof import('../broker/openalgo/http.js');

export function webhookChannel(url: string, subject: AlertSubject, timeoutMs = 5_000): AlertChannel {
  const host = new URL(url).host;
  // The HTTP client is loaded on the first alert, not at every start.
  let http: Promise<{ post: Http['httpPost']; agents: ReturnType<Http['createAgents']> }> | null = null;
  const client = (): NonNullable<typeof http> => (http ??= import('../broker/openalgo/http.js').then((m) => ({ post: m.httpPost, agents: m.createAgents() })));
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
      // The OpenAlgo client's own POST: no retry, no redirect, a whole-request timeout, and an
      // error that never carries the URL (a hook URL can hold a token).
      const { post, agents } = await client();
      const { status } = await post(url, { ...body }, { call: 'webhook', timeoutMs, agents });
      if (status < 200 || status >= 300) throw new Error(`HTTP ${status}`);
    },
  };
}
