import type { EngineEvent } from '../engine/events.js';
import type { AlertClass } from './levels.js';

// An alert: what a trader away from the pane should learn, as one short text. Built from the
// engine's events here and only here, so every channel says the same thing.

export interface Alert {
  cls: AlertClass;
  at: number;
  /** A few words: the notification's title. */
  title: string;
  /** The line itself. */
  text: string;
}

/** What the alert is about, for the title: "LIVE NIFTY…@NFO". */
export interface AlertSubject {
  mode: 'paper' | 'live';
  symbol: string;
  exchange: string;
}

const rupees = (x: number): string => `${x < 0 ? '-' : '+'}₹${Math.abs(x).toFixed(2)}`;

export function subjectLabel(s: AlertSubject): string {
  return `${s.mode.toUpperCase()} ${s.symbol}@${s.exchange}`;
}

/**
 * The alert an engine event makes, or null. Feed events are not here: a feed is an alert only
 * once it has been down long enough (see feed-watch.ts).
 */
export function alertFor(event: EngineEvent, subject: AlertSubject): Alert | null {
  const who = subjectLabel(subject);
  if (event.type === 'trade_closed') {
    const t = event.trade;
    return {
      cls: 'trade',
      at: event.at,
      title: `random-scalp ${who}: trade ${rupees(t.net)}`,
      text: `TRADE closed ${t.quantity} ${t.entry.toFixed(2)} → ${t.exit.toFixed(2)} (${t.reason.replace(/_/g, ' ')}) net ${rupees(t.net)}`,
    };
  }
  if (event.type !== 'notable') return null;
  switch (event.kind) {
    case 'critical':
      return { cls: 'critical', at: event.at, title: `random-scalp ${who}: CRITICAL`, text: `CRITICAL ${event.message}` };
    case 'halt':
      return { cls: 'halt', at: event.at, title: `random-scalp ${who}: HALTED`, text: `HALT ${event.message}` };
    case 'resume':
      return { cls: 'halt', at: event.at, title: `random-scalp ${who}: resumed`, text: `RESUMED ${event.message}` };
    case 'square_off':
    case 'day_summary':
      return { cls: 'summary', at: event.at, title: `random-scalp ${who}: day summary`, text: `DAY ${event.message}` };
    default:
      return null;
  }
}
