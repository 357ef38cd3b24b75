import type { Clock } from './clock.js';

// The exchange's time, as the server keeps it. The machine's clock can be minutes off (a laptop
// after sleep, a VM without time sync); the schedule (bar closes, entries, square-off) must not
// be. Any source that knows the server's time feeds samples in: the HTTP `Date` header of REST
// replies (whole seconds), and later the WebSocket pong's `server_timestamp` (milliseconds).
//
// Each sample bounds the offset (server − local): the server read its clock at some local
// instant between send and receive, and its stamp is truncated to `resolutionMs`, so
//   offset ∈ [serverTime − receivedAt, serverTime + resolutionMs − sentAt].
// Intersecting recent samples narrows that to well under a second even with 1-second `Date`
// headers, because replies land at every phase of the server's second.

export interface ServerTimeSample {
  /** Local (machine) clock when the request left, ms. */
  sentAt: number;
  /** Local clock when the reply arrived, ms. */
  receivedAt: number;
  /** The server's time as it stated it, epoch ms (truncated to resolutionMs). */
  serverTime: number;
  /** 1000 for an HTTP Date header, 0–1 for a millisecond stamp. */
  resolutionMs: number;
  /** Where it came from, for the log: "http date", "ws pong". */
  source: string;
}

export interface OffsetEstimate {
  /** Server minus local, ms: add it to the local clock to get the server's time. */
  offsetMs: number;
  /** Half the width of the interval the samples leave, ms. */
  uncertaintyMs: number;
  /** Samples that agree on it. */
  samples: number;
  source: string;
}

export interface ServerClockOptions {
  /** Samples older than this (local ms) are dropped. Default 10 minutes. */
  windowMs?: number;
  /** At most this many samples are kept. Default 120. */
  maxSamples?: number;
}

interface Bound {
  low: number;
  high: number;
  receivedAt: number;
  source: string;
}

export class ServerClock {
  private readonly windowMs: number;
  private readonly maxSamples: number;
  /** Newest last. */
  private bounds: Bound[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(opts: ServerClockOptions = {}) {
    this.windowMs = opts.windowMs ?? 10 * 60_000;
    this.maxSamples = opts.maxSamples ?? 120;
  }

  /** Take one measurement. Unusable samples (reply before request, no time) are ignored. */
  addSample(s: ServerTimeSample): void {
    if (!Number.isFinite(s.serverTime) || !Number.isFinite(s.sentAt) || !Number.isFinite(s.receivedAt)) return;
    if (s.receivedAt < s.sentAt) return;
    const resolution = Math.max(0, s.resolutionMs);
    this.bounds.push({
      low: s.serverTime - s.receivedAt,
      high: s.serverTime + resolution - s.sentAt,
      receivedAt: s.receivedAt,
      source: s.source,
    });
    const cutoff = s.receivedAt - this.windowMs;
    this.bounds = this.bounds.filter((b) => b.receivedAt >= cutoff).slice(-this.maxSamples);
    for (const listener of this.listeners) listener();
  }

  /** Called after every sample (the first measurement is applied at once). */
  onSample(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The offset the newest samples agree on: intersect from the newest back, stopping at the
   * first sample that disagrees (the local clock stepped, or the server's did).
   */
  estimate(): OffsetEstimate | null {
    const newest = this.bounds[this.bounds.length - 1];
    if (!newest) return null;
    let low = newest.low;
    let high = newest.high;
    let samples = 1;
    const sources = new Set([newest.source]);
    for (let i = this.bounds.length - 2; i >= 0; i--) {
      const b = this.bounds[i] as Bound;
      const nextLow = Math.max(low, b.low);
      const nextHigh = Math.min(high, b.high);
      if (nextLow > nextHigh) break;
      low = nextLow;
      high = nextHigh;
      samples++;
      sources.add(b.source);
    }
    return { offsetMs: Math.round((low + high) / 2), uncertaintyMs: Math.round((high - low) / 2), samples, source: [...sources].join(' + ') };
  }
}

/**
 * The engine's clock: the machine's clock plus the offset last applied. Sleeps are durations,
 * so they run on the machine's clock unchanged.
 */
export class CorrectedClock implements Clock {
  private offset = 0;

  constructor(private readonly base: Clock) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }

  /** Server minus local, ms, as applied to now(). */
  get offsetMs(): number {
    return this.offset;
  }

  apply(offsetMs: number): void {
    this.offset = offsetMs;
  }
}

/** A clock `offsetMs` ahead of `base` (negative: behind): a server or broker whose clock is off. */
export function shiftedClock(base: Clock, offsetMs: number): Clock {
  return {
    now: () => base.now() + offsetMs,
    sleep: (ms, signal) => base.sleep(ms, signal),
  };
}

/** An offset at least this large is shown in the header and a change this large is logged. */
export const NOTABLE_OFFSET_MS = 1000;

/** "local clock 2.4 s slow": the machine's clock against the server's, for the header and log. */
export function describeOffset(offsetMs: number): string {
  const seconds = Math.abs(offsetMs) / 1000;
  const amount = seconds >= 100 ? `${Math.round(seconds)} s` : `${seconds.toFixed(1)} s`;
  // offset = server − local: positive means the machine is behind.
  return `local clock ${amount} ${offsetMs > 0 ? 'slow' : 'fast'}`;
}
