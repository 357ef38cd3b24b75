import type { Clock } from '../time/clock.js';
import type { EngineEvent, EngineObserver } from '../engine/events.js';
import { RateLimiter } from '../broker/openalgo/rate-limiter.js';
import { redactSecrets } from '../log/logger.js';
import { alertFor, type Alert, type AlertSubject } from './alert.js';
import { FeedWatch } from './feed-watch.js';
import type { AlertLevel, AlertLevels } from './levels.js';

// Alerts never touch trading: the engine's observer call only files the alert in a bounded
// queue per channel and returns; each channel drains its own queue (so a slow webhook never
// delays Telegram), at most `perMinute` a minute, one send at a time. The same alert twice within
// `dedupeMs` goes out once. A channel that fails is logged once, and once more when it works
// again, never per alert.

export interface AlertChannel {
  /** For the log: "telegram (OpenAlgo user al)", "webhook hooks.example.com". */
  readonly name: string;
  /** Silent alerts go to this channel too (the remote ones); the terminal only rings for `on`. */
  readonly takesSilent: boolean;
  /** Deliver one alert; reject with an Error whose message is a short reason without secrets. */
  send(alert: Alert, level: Exclude<AlertLevel, 'off'>): Promise<void>;
}

export interface AlertLog {
  info(tag: string, text: string): void;
  warn(tag: string, text: string): void;
}

export interface DispatcherOptions {
  clock: Clock;
  levels: AlertLevels;
  channels: AlertChannel[];
  subject: AlertSubject;
  log: AlertLog;
  /** Never in any alert (the API key). */
  secrets: string[];
  feedDownMs: number;
  /** Same class and text within this window: sent once. Default 5 minutes. */
  dedupeMs?: number;
  /** Per channel. Default 30 (OpenAlgo's Telegram route allows 30 a minute). */
  perMinute?: number;
  /** Per channel; the oldest is dropped beyond it. Default 50. */
  queueMax?: number;
}

interface Item {
  alert: Alert;
  level: Exclude<AlertLevel, 'off'>;
}

class ChannelQueue {
  private readonly items: Item[] = [];
  private draining: Promise<void> | null = null;
  private dropped = 0;
  private failing = false;
  private lostWhileFailing = 0;
  readonly limiter: RateLimiter;
  delivered = 0;

  constructor(
    private readonly channel: AlertChannel,
    private readonly opts: { clock: Clock; perMinute: number; queueMax: number; log: AlertLog },
  ) {
    this.limiter = new RateLimiter({
      limit: opts.perMinute,
      windowMs: 60_000,
      now: () => opts.clock.now(),
      sleep: (ms) => opts.clock.sleep(ms),
    });
  }

  push(item: Item): void {
    if (this.items.length >= this.opts.queueMax) {
      this.items.shift();
      this.dropped++;
    }
    this.items.push(item);
    this.kick();
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // An alert filed between the last shift and this callback must not wait for the next one.
      if (this.items.length > 0) this.kick();
    });
  }

  /** Resolves when the queue is empty. */
  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) {
      await this.limiter.acquire();
      let alert = item.alert;
      if (this.dropped > 0) {
        alert = { ...alert, text: `${alert.text} (${this.dropped} earlier alert${this.dropped === 1 ? '' : 's'} dropped: too many at once)` };
        this.dropped = 0;
      }
      try {
        await this.channel.send(alert, item.level);
        this.delivered++;
        if (this.failing) {
          this.failing = false;
          this.opts.log.info('ALERT', `${this.channel.name} delivers again (${this.lostWhileFailing} alert${this.lostWhileFailing === 1 ? '' : 's'} lost meanwhile)`);
          this.lostWhileFailing = 0;
        }
      } catch (err) {
        this.lostWhileFailing++;
        if (!this.failing) {
          this.failing = true;
          const reason = err instanceof Error ? err.message : String(err);
          this.opts.log.warn('ALERT', `${this.channel.name}: delivery failed (${reason}); trading goes on, further failures are not logged until it works again`);
        }
      }
    }
  }
}

export class AlertDispatcher {
  private readonly queues: { channel: AlertChannel; queue: ChannelQueue }[];
  private readonly seen = new Map<string, number>();
  private readonly feed: FeedWatch;
  private readonly dedupeMs: number;
  /** Alerts not sent because the same one went out within the dedupe window. */
  suppressed = 0;

  constructor(private readonly opts: DispatcherOptions) {
    this.dedupeMs = opts.dedupeMs ?? 5 * 60_000;
    const perMinute = opts.perMinute ?? 30;
    const queueMax = opts.queueMax ?? 50;
    this.queues = opts.channels.map((channel) => ({ channel, queue: new ChannelQueue(channel, { clock: opts.clock, perMinute, queueMax, log: opts.log }) }));
    this.feed = new FeedWatch(opts.clock, opts.feedDownMs, opts.subject, (alert) => this.raise(alert));
  }

  /** The engine observer: files the alert and returns at once. */
  readonly observe: EngineObserver = (event: EngineEvent) => {
    if (event.type === 'notable' && event.kind === 'feed_down') return this.feed.down(event.at, event.message);
    if (event.type === 'notable' && event.kind === 'feed_up') return this.feed.up(event.at, event.message);
    const alert = alertFor(event, this.opts.subject);
    if (alert) this.raise(alert);
  };

  raise(raw: Alert): void {
    const level = this.opts.levels[raw.cls];
    if (level === 'off' || this.queues.length === 0) return;
    const alert: Alert = {
      ...raw,
      title: redactSecrets(raw.title, this.opts.secrets),
      text: redactSecrets(raw.text, this.opts.secrets),
    };
    const key = `${alert.cls}\u0000${alert.text}`;
    const last = this.seen.get(key);
    if (last !== undefined && alert.at - last < this.dedupeMs) {
      this.suppressed++;
      return;
    }
    this.seen.set(key, alert.at);
    if (this.seen.size > 500) {
      for (const [k, at] of this.seen) if (alert.at - at >= this.dedupeMs) this.seen.delete(k);
    }
    for (const { channel, queue } of this.queues) {
      if (level === 'silent' && !channel.takesSilent) continue;
      queue.push({ alert, level });
    }
  }

  /** Delivered count per channel name (for tests and the exit line). */
  delivered(): Record<string, number> {
    return Object.fromEntries(this.queues.map(({ channel, queue }) => [channel.name, queue.delivered]));
  }

  /** Stop the feed timer and give queued alerts up to `graceMs` (real time) to go out. */
  async close(graceMs = 3_000): Promise<void> {
    this.feed.stop();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      timer.unref();
    });
    await Promise.race([Promise.all(this.queues.map(({ queue }) => queue.idle())), grace]);
    clearTimeout(timer);
  }
}
