import { OpenAlgoFeed } from '../broker/openalgo/feed-client.js';
import type { FeedHealth, FeedMode } from '../broker/feed.js';
import { systemClock } from '../time/clock.js';
import type { DoctorRow } from './doctor-row.js';

// doctor's feed row: the bot's own feed client, started once against OPENALGO_WS_URL, watched
// until it is live with order updates subscribed, or until its first failure (no reconnect is
// waited for). With FEED=auto trading falls back to polling, so a dead feed is a warning; with
// FEED=push it is a failure.

export async function feedRow(opts: {
  url: string;
  apiKey: string;
  symbol: string;
  exchange: string;
  feedMode: FeedMode;
  timeoutMs: number;
}): Promise<DoctorRow> {
  if (opts.feedMode === 'poll') return { check: 'feed', status: 'ok', figure: 'FEED=poll: the WebSocket feed is not used' };
  const feed = new OpenAlgoFeed({ url: opts.url, apiKey: opts.apiKey, clock: systemClock, handshakeTimeoutMs: opts.timeoutMs });
  const started = performance.now();
  const notes: string[] = [];
  const outcome = await new Promise<{ health: FeedHealth | null; ms: number; timedOut: boolean }>((resolve) => {
    let last: FeedHealth | null = null;
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => resolve({ health: last, ms: performance.now() - started, timedOut: true }), opts.timeoutMs + 500);
    const done = (health: FeedHealth): void => {
      clearTimeout(timer);
      clearTimeout(grace);
      resolve({ health, ms: performance.now() - started, timedOut: false });
    };
    feed.start(
      {
        tick: () => {},
        orderUpdate: () => {},
        resync: () => {},
        note: (_level, text) => notes.push(text),
        health: (h) => {
          last = h;
          if (h.state === 'down' || (h.state === 'live' && h.orders && h.ticks)) done(h);
          // Order updates acknowledged first: give the tick subscription a moment to follow.
          else if (h.state === 'live' && h.orders) grace ??= setTimeout(() => done(last ?? h), 1_000);
        },
      },
      [{ symbol: opts.symbol, exchange: opts.exchange }],
    );
  });
  await feed.stop();
  const h = outcome.health;
  const fallback = opts.feedMode === 'auto' ? 'trading falls back to polling (FEED=auto); ' : '';
  const bad = (figure: string, advice: string): DoctorRow => ({ check: 'feed', status: opts.feedMode === 'push' ? 'fail' : 'warn', figure, advice: `${fallback}${advice}` });
  if (h && h.state === 'live') {
    const figure = `${opts.url} live in ${Math.round(outcome.ms)} ms: authenticated, order updates subscribed${h.ticks ? ', ticks subscribed' : ''}`;
    if (h.reason) return bad(`${figure}; ${h.reason}`, "log in to your broker in OpenAlgo's web UI so market data flows");
    if (!h.ticks) return bad(`${figure}; ticks for ${opts.symbol} not subscribed`, 'check SYMBOL and EXCHANGE; prices are polled meanwhile');
    return { check: 'feed', status: 'ok', figure };
  }
  const why = h?.reason ?? (outcome.timedOut ? `no answer within ${opts.timeoutMs} ms (last state ${h?.state ?? 'none'})` : 'unknown');
  return bad(`${opts.url}: ${why}`, `start OpenAlgo's WebSocket server (port 8765 by default), or set OPENALGO_WS_URL to where it listens`);
}
