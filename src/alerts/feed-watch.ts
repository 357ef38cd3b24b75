import type { Clock } from '../time/clock.js';
import type { Alert, AlertSubject } from './alert.js';
import { subjectLabel } from './alert.js';

// The feed is an alert only when it stays down: a reconnect within ALERT_FEED_DOWN_SECONDS is
// normal (the server restarts its socket, a Wi-Fi blip) and says nothing. Once the "down" alert
// went out, the recovery is one too, so the trader knows the silence is over.

export class FeedWatch {
  private downSince: number | null = null;
  private downMessage = '';
  private alerted = false;
  private timer: AbortController | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly thresholdMs: number,
    private readonly subject: AlertSubject,
    private readonly raise: (alert: Alert) => void,
  ) {}

  down(at: number, message: string): void {
    if (this.downSince !== null) return; // already counting
    this.downSince = at;
    this.downMessage = message;
    this.alerted = false;
    const timer = new AbortController();
    this.timer = timer;
    this.clock.sleep(this.thresholdMs, timer.signal).then(
      () => {
        if (this.timer !== timer || this.downSince === null) return;
        this.alerted = true;
        this.raise({
          cls: 'feed',
          at: this.clock.now(),
          title: `random-scalp ${subjectLabel(this.subject)}: feed down`,
          text: `FEED down for ${duration(this.clock.now() - this.downSince)}: ${this.downMessage} (polling carries on)`,
        });
      },
      () => undefined,
    );
  }

  up(at: number, message: string): void {
    if (this.downSince === null) return;
    const since = this.downSince;
    this.timer?.abort();
    this.timer = null;
    this.downSince = null;
    if (!this.alerted) return;
    this.alerted = false;
    this.raise({
      cls: 'feed',
      at,
      title: `random-scalp ${subjectLabel(this.subject)}: feed back`,
      text: `FEED back after ${duration(at - since)}${message ? `: ${message}` : ''}`,
    });
  }

  stop(): void {
    this.timer?.abort();
    this.timer = null;
  }
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}
