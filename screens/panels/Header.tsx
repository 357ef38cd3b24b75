// Who and where: PAPER/LIVE, instrument, size, IST clock, session, broker health, entry and
// market-on-target switches. Two lines.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { useDashboard } from '../app/context.js';
import { fmtAge, istClock, sessionWord } from '../draw/format.js';
import { Line, Span } from '../draw/text.js';
import type { Form } from '../app/layout.js';
import type { Tone } from '../draw/tone.js';
import type { DashboardState } from '../../src/store/types.js';
import { NOTABLE_OFFSET_MS, describeOffset } from '../../src/time/server-clock.js';

/** A broker call older than this counts as stale (polling calls every second or so)… */
const STALE_MS = 10_000;
/** …but on a trusted push feed REST calls are rare by design (safety polls, reconciliations). */
const STALE_ON_PUSH_MS = 60_000;

export function healthText(health: DashboardState['health'], now: number, onPush = false): { text: string; tone: Tone } {
  const age = health.lastOkAt === null ? null : fmtAge(now - health.lastOkAt);
  const lastOk = age === null ? '' : ` (last ok ${age} ago)`;
  if (health.error !== null && !health.reachable) return { text: `DOWN: ${health.error}${lastOk}`, tone: 'alarm' };
  if (health.error !== null) return { text: `ERROR: ${health.error}${lastOk}`, tone: 'warn' };
  if (health.lastOkAt === null || age === null) return { text: 'connecting...', tone: 'warn' };
  if (now - health.lastOkAt > (onPush ? STALE_ON_PUSH_MS : STALE_MS)) return { text: `STALE: last ok ${age} ago`, tone: 'warn' };
  const rtt = health.rttMs === null ? '' : `, rtt ${Math.round(health.rttMs)}ms`;
  return { text: `ok ${age} ago${rtt}`, tone: 'good' };
}

/** The push feed at a glance: `push ● 4 ms`, or POLLING and why. Words carry it, not colour. */
export function feedText(feed: DashboardState['feed']): { text: string; tone: Tone } | null {
  if (!feed) return null;
  if (feed.mode === 'poll') return { text: 'POLLING (FEED=poll)', tone: 'plain' };
  if (feed.ordersTrusted) return { text: `push ● ${feed.rttMs === null ? '—' : `${Math.round(feed.rttMs)} ms`}`, tone: 'good' };
  if (feed.state === 'live' && feed.unreliable) return { text: `POLLING — feed unreliable: ${feed.unreliable}`, tone: 'warn' };
  if (feed.state === 'connecting' || feed.state === 'authenticating') return { text: `POLLING — feed ${feed.state}`, tone: 'warn' };
  return { text: `POLLING — feed down: ${feed.reason ?? feed.state}`, tone: feed.mode === 'push' ? 'alarm' : 'warn' };
}

// A function returning a Span, not a component: the line's stand-in (draw/stand-in.ts) sees
// through Spans only, and a line it cannot see through is measured the slow way every frame.
function modeBadge(mode: DashboardState['mode'], analyzer: boolean): ReactNode {
  if (mode === 'paper') return <Span tone="strong">[PAPER]</Span>;
  if (analyzer) return <Span tone="warn">{' LIVE·ANALYZER (simulated orders) '}</Span>;
  return <Span tone="live">{' LIVE '}</Span>;
}

export function Header({ form }: { form: Form }): ReactNode {
  const compact = form !== 'wide';
  const h = useDashboard((s) => ({
    mode: s.mode,
    analyzer: s.analyzer,
    brokerLabel: s.brokerLabel,
    symbol: s.symbol,
    exchange: s.exchange,
    product: s.product,
    lots: s.lots,
    lotSize: s.lotSize,
    now: s.now,
    session: s.session,
    health: s.health,
    entriesHeld: s.entriesHeld,
    paused: s.paused,
    marketOnTarget: s.marketOnTarget,
    feed: s.feed,
    marketDayNote: s.marketDayNote,
    clockOffsetMs: s.clockOffsetMs,
  }));
  const feed = feedText(h.feed);
  const clockNote = Math.abs(h.clockOffsetMs) >= NOTABLE_OFFSET_MS ? ` (${describeOffset(h.clockOffsetMs)})` : '';
  const instrument = h.symbol ? `${h.symbol}@${h.exchange || '?'}` : '(no instrument yet)';
  const size = `${h.lots} lot${h.lots === 1 ? '' : 's'} × ${h.lotSize} = ${h.lots * h.lotSize}`;
  const health = healthText(h.health, h.now, h.feed?.ordersTrusted ?? false);
  const broker = compact || !h.brokerLabel ? 'broker' : `broker ${h.brokerLabel}`;
  const otherHold = h.entriesHeld && !/paus/i.test(h.entriesHeld) ? `; held: ${h.entriesHeld}` : '';
  const entries: { text: string; tone: Tone } = h.paused
    ? { text: `PAUSED (p resumes${otherHold})`, tone: 'warn' }
    : h.entriesHeld
      ? { text: `HELD: ${h.entriesHeld}`, tone: 'warn' }
      : { text: 'ENTRIES ON', tone: 'good' };
  const mot = `${compact ? 'MOT' : 'mkt-on-target'} ${h.marketOnTarget ? 'ON' : 'OFF'}`;
  return (
    <Box flexDirection="column">
      <Line>
        {modeBadge(h.mode, h.analyzer)} <Span tone="strong">{instrument}</Span>{' '}
        <Span tone="strong">{istClock(h.now)} IST</Span>
        {clockNote} {sessionWord(h.session)}
        {h.marketDayNote ? <Span tone="warn">{` ${h.marketDayNote}`}</Span> : null} | {h.product} {size}
      </Line>
      {/* Broker health last: its error text is the longest and may be cut at the edge. */}
      <Line>
        <Span tone={entries.tone}>{entries.text}</Span> | <Span tone={h.marketOnTarget ? 'info' : 'plain'}>{mot}</Span> |{' '}
        {feed ? <><Span tone={feed.tone}>{feed.text}</Span> | </> : null}
        {broker}: <Span tone={health.tone}>{health.text}</Span>
      </Line>
    </Box>
  );
}
