// OpenAlgo's WebSocket feed: ticks (LTP) for our symbols and every order update of the account.
// A feed that expects to be dropped: it proves it is alive with its own pings, reconnects with
// jittered exponential backoff forever, and after every (re)connect subscribes again and asks
// the engine to re-read the books over REST, because the server replays nothing.
// Every timer runs on the injected clock.

import WebSocket from 'ws';
import type { Clock } from '../../time/clock.js';
import type { FeedHealth, FeedListener, FeedState, FeedSymbol, MarketFeed } from '../feed.js';
import { parseFeedFrame } from './feed-frames.js';
import { redact } from './redact.js';

export interface OpenAlgoFeedOptions {
  url: string;
  apiKey: string;
  clock: Clock;
  /** Our own ping every this often; a pong missing for pongTimeoutMs means a dead socket. */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Connect plus authenticate plus subscribe must finish within this. */
  handshakeTimeoutMs?: number;
  /** Reconnect backoff: first delay and cap (jittered, doubling). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Jitter source in [0, 1); tests pin it. */
  random?: () => number;
  /** Each pong's server time with our send and receive times (the server clock's estimator takes it). */
  onServerTime?: (sample: { sentAt: number; receivedAt: number; serverAt: number }) => void;
}

const BROKER_LOGGED_OUT = 'broker session not logged in on the server (BROKER_ERROR): log in to the broker in OpenAlgo';

export class OpenAlgoFeed implements MarketFeed {
  readonly label: string;
  private readonly opts: Required<Omit<OpenAlgoFeedOptions, 'random' | 'onServerTime'>> & Pick<OpenAlgoFeedOptions, 'onServerTime'> & { random: () => number };
  private listener: FeedListener | null = null;
  private symbols: readonly FeedSymbol[] = [];
  private socket: WebSocket | null = null;
  private readonly stopping = new AbortController();
  private attempt = 0;
  private health: FeedHealth;
  private pingSeq = 0;
  private pending: { id: number; sentAt: number } | null = null;
  private orders = false;
  private ticks = false;
  private rttMs: number | null = null;
  private loop: Promise<void> = Promise.resolve();
  /** Malformed frames are logged once per connection, then counted. */
  private malformed = 0;

  constructor(opts: OpenAlgoFeedOptions) {
    this.opts = {
      pingIntervalMs: 5_000,
      pongTimeoutMs: 5_000,
      handshakeTimeoutMs: 15_000,
      backoffMinMs: 500,
      backoffMaxMs: 10_000,
      random: Math.random,
      ...opts,
    };
    this.label = `feed ${opts.url}`;
    this.health = { state: 'off', reason: null, orders: false, ticks: false, rttMs: null, since: opts.clock.now() };
  }

  start(listener: FeedListener, symbols: readonly FeedSymbol[]): void {
    this.listener = listener;
    this.symbols = symbols;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.socket?.terminate();
    await this.loop;
    this.setState('off', null);
    this.listener = null;
  }

  /** The current health (for tests and `doctor`). */
  get status(): FeedHealth {
    return this.health;
  }

  // ---- connection loop ----------------------------------------------------------------------

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const reason = await this.connectOnce();
      if (this.stopping.signal.aborted) return;
      this.setState('down', reason);
      const delay = this.backoff();
      this.note('warn', `${reason}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
      try {
        await this.opts.clock.sleep(delay, this.stopping.signal);
      } catch {
        return;
      }
    }
  }

  private backoff(): number {
    const base = Math.min(this.opts.backoffMaxMs, this.opts.backoffMinMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 20);
    // Full jitter on the upper half: many bots restarting together do not reconnect in step.
    return Math.round(base / 2 + (this.opts.random() * base) / 2);
  }

  /** One connection, from dial to close. Resolves with why it ended. */
  private connectOnce(): Promise<string> {
    return new Promise<string>((resolve) => {
      this.orders = false;
      this.ticks = false;
      this.pending = null;
      this.malformed = 0;
      this.setState('connecting', null);
      let ended = false;
      let socket: WebSocket;
      const timers = new AbortController();
      const end = (why: string): void => {
        if (ended) return;
        ended = true;
        timers.abort();
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.terminate();
        if (this.socket === socket) this.socket = null;
        resolve(why);
      };
      try {
        socket = new WebSocket(this.opts.url, { handshakeTimeout: this.opts.handshakeTimeoutMs, perMessageDeflate: false });
      } catch (err) {
        resolve(`cannot open ${this.opts.url}: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      this.socket = socket;
      const onAbort = (): void => end('stopped');
      this.stopping.signal.addEventListener('abort', onAbort, { once: true });
      timers.signal.addEventListener('abort', () => this.stopping.signal.removeEventListener('abort', onAbort), { once: true });

      // The whole handshake (open, auth, both subscriptions) has a deadline.
      void this.opts.clock.sleep(this.opts.handshakeTimeoutMs, timers.signal).then(
        () => {
          if (this.health.state !== 'live') end(`no complete handshake within ${this.opts.handshakeTimeoutMs / 1000} s (${this.health.state})`);
        },
        () => {},
      );

      socket.on('open', () => {
        this.setState('authenticating', null);
        this.send({ action: 'authenticate', api_key: this.opts.apiKey });
        void this.pingLoop(timers.signal, end);
      });
      socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
        if (isBinary) return this.noteMalformed('binary frame');
        this.onFrame(rawText(data), end);
      });
      socket.on('close', (code: number, reason: Buffer) => end(`closed by the server (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
      socket.on('error', (err: Error) => end(`connection failed: ${redact(err.message, [this.opts.apiKey])}`));
    });
  }

  private async pingLoop(signal: AbortSignal, end: (why: string) => void): Promise<void> {
    const { clock, pingIntervalMs, pongTimeoutMs } = this.opts;
    while (!signal.aborted) {
      if (this.pending && clock.now() - this.pending.sentAt >= pongTimeoutMs) {
        end(`no pong for ${Math.round((clock.now() - this.pending.sentAt) / 1000)} s: the connection is dead`);
        return;
      }
      if (!this.pending) {
        this.pending = { id: ++this.pingSeq, sentAt: clock.now() };
        this.send({ action: 'ping', timestamp: this.pending.sentAt, _pingId: this.pending.id });
      }
      try {
        await clock.sleep(this.pending ? Math.min(pingIntervalMs, pongTimeoutMs) : pingIntervalMs, signal);
      } catch {
        return;
      }
    }
  }

  // ---- frames ---------------------------------------------------------------------------------

  private onFrame(text: string, end: (why: string) => void): void {
    const frame = parseFeedFrame(text);
    const listener = this.listener;
    if (!listener) return;
    switch (frame.kind) {
      case 'auth':
        if (!frame.ok) {
          end(`authentication refused: ${frame.message || 'no reason given'} (check OPENALGO_API_KEY)`);
          return;
        }
        this.note('info', `authenticated (broker ${frame.broker || '?'}): subscribing`);
        this.send({ action: 'subscribe_orders', request_id: 'orders' });
        if (this.symbols.length > 0) {
          this.send({ action: 'subscribe', symbols: this.symbols.map((s) => ({ symbol: s.symbol, exchange: s.exchange })), mode: 1, request_id: 'ticks' });
        }
        return;
      case 'error':
        return this.onError(frame.code, frame.message, end);
      case 'subscribe_orders':
        if (!frame.ok) {
          this.note('warn', `order updates refused: ${frame.message} (this server may be older than OpenAlgo 2.0.1.6): polling stays at full rate`);
          return;
        }
        this.orders = true;
        this.goLive();
        return;
      case 'subscribe':
        if (frame.failed.length > 0) this.note('warn', `no ticks for ${frame.failed.join(', ')} (${frame.status}): prices are polled`);
        this.ticks = frame.failed.length === 0 && frame.status === 'success';
        this.goLive();
        return;
      case 'tick':
        listener.tick(frame.symbol, frame.exchange, frame.ltp, frame.at ?? this.opts.clock.now());
        return;
      case 'order':
        listener.orderUpdate(frame.report);
        return;
      case 'pong': {
        if (!this.pending || (frame.pingId !== null && frame.pingId !== this.pending.id)) return;
        const receivedAt = this.opts.clock.now();
        this.rttMs = receivedAt - this.pending.sentAt;
        if (frame.serverAt !== null) {
          const sample = { sentAt: this.pending.sentAt, receivedAt, serverAt: frame.serverAt };
          listener.serverTime?.(sample);
          this.opts.onServerTime?.(sample);
        }
        this.pending = null;
        if (this.health.state === 'live' && this.health.rttMs !== this.rttMs) this.setState('live', this.health.reason);
        return;
      }
      case 'malformed':
        return this.noteMalformed(frame.why);
      case 'other':
        return;
    }
  }

  private onError(code: string, message: string, end: (why: string) => void): void {
    switch (code) {
      case 'AUTHENTICATION_ERROR':
      case 'NOT_AUTHENTICATED':
        end(`authentication refused: ${message || code} (check OPENALGO_API_KEY)`);
        return;
      case 'BROKER_ERROR':
      case 'BROKER_INIT_ERROR':
      case 'BROKER_CONNECTION_ERROR':
        // The socket stays and order updates still work; market data does not.
        this.note('warn', `${BROKER_LOGGED_OUT} — ${code}: ${message}`);
        this.ticks = false;
        if (this.health.state === 'live') this.setState('live', BROKER_LOGGED_OUT);
        else this.setState(this.health.state, BROKER_LOGGED_OUT);
        return;
      default:
        this.note('warn', `server error ${code || '(no code)'}: ${message}`);
    }
  }

  private goLive(): void {
    if (!this.orders) return;
    const wasLive = this.health.state === 'live';
    this.attempt = 0;
    this.setState('live', this.health.reason === BROKER_LOGGED_OUT ? BROKER_LOGGED_OUT : null);
    if (!wasLive) this.listener?.resync();
  }

  private noteMalformed(why: string): void {
    this.malformed++;
    if (this.malformed === 1) this.note('warn', `malformed frame ignored: ${why}`);
    else if (this.malformed % 100 === 0) this.note('warn', `${this.malformed} malformed frames ignored on this connection`);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private send(message: Record<string, unknown>): void {
    const socket = this.socket;
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  private setState(state: FeedState, reason: string | null): void {
    const next: FeedHealth = { state, reason, orders: this.orders && state === 'live', ticks: this.ticks && state === 'live', rttMs: state === 'live' ? this.rttMs : null, since: this.opts.clock.now() };
    const h = this.health;
    if (h.state === next.state && h.reason === next.reason && h.orders === next.orders && h.ticks === next.ticks && h.rttMs === next.rttMs) return;
    if (h.state === next.state) next.since = h.since;
    this.health = next;
    this.listener?.health(next);
  }

  private note(level: 'info' | 'warn' | 'error', text: string): void {
    this.listener?.note(level, redact(text, [this.opts.apiKey]));
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
