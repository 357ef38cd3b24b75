// The session guard at a glance: one line (state, day P&L against the loss limit with a bar,
// trades and losses in a row against theirs), plus a banner line while HALTED with the reason
// and the time. Amber (and the words NEAR LIMIT) from 80 % of a limit; the state is always a
// word, so nothing depends on colour.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { useDashboard } from '../app/context.js';
import { fmtRupees, istClock, progressBar } from '../draw/format.js';
import type { Form } from '../app/layout.js';
import { Line, Span } from '../draw/text.js';
import type { Tone } from '../draw/tone.js';
import type { GuardView } from '../../src/store/types.js';

const wholeRupees = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });
const limit = (x: number): string => `₹${wholeRupees.format(x)}`;

/** From this share of a limit the line turns amber. */
export const NEAR_LIMIT = 0.8;

/** Rows the guard needs: none when no limit is set and it is ACTIVE, two while HALTED. */
export function guardRows(view: Pick<GuardView, 'on' | 'state'>): number {
  if (view.state === 'HALTED') return 2;
  return view.on || view.state !== 'ACTIVE' ? 1 : 0;
}

/** How close the day is to its nearest limit, 0..1+. */
export function nearestLimitShare(g: GuardView): number {
  const shares = [
    g.limits.maxDailyLoss > 0 ? Math.max(0, -g.dayPnl) / g.limits.maxDailyLoss : 0,
    g.limits.dailyProfitTarget > 0 ? Math.max(0, g.dayPnl) / g.limits.dailyProfitTarget : 0,
    g.limits.maxTradesPerDay > 0 ? g.trades / g.limits.maxTradesPerDay : 0,
    g.limits.maxConsecutiveLosses > 0 ? g.lossStreak / g.limits.maxConsecutiveLosses : 0,
  ];
  return Math.max(...shares);
}

/** `label` names whose guard it is: GUARD (the instrument's), ACCOUNT GUARD (all instruments'). */
export function guardLineText(g: GuardView, form: Form, label = 'GUARD'): { state: string; stateTone: Tone; rest: string; restTone: Tone } {
  const compact = form !== 'wide';
  const near = g.state === 'ACTIVE' && nearestLimitShare(g) >= NEAR_LIMIT;
  const state = g.state === 'ACTIVE' ? (near ? `${label} ACTIVE, NEAR LIMIT` : `${label} ACTIVE`) : `${label} ${g.state}`;
  const stateTone: Tone = g.state === 'HALTED' ? 'alarm' : g.state === 'REDUCING' || near ? 'warn' : 'good';
  const parts: string[] = [];
  const l = g.limits;
  if (l.maxDailyLoss > 0) {
    const share = Math.max(0, -g.dayPnl) / l.maxDailyLoss;
    const bar = progressBar(Math.max(0, -g.dayPnl), l.maxDailyLoss, compact ? 6 : 10);
    parts.push(`day ${fmtRupees(g.dayPnl)} / -${limit(l.maxDailyLoss)} ${bar} ${Math.round(share * 100)}%`);
  } else {
    parts.push(`day ${fmtRupees(g.dayPnl)}`);
  }
  if (l.dailyProfitTarget > 0) parts.push(`target ${limit(l.dailyProfitTarget)}`);
  if (l.profitLock > 0) parts.push(`peak ₹${g.peak.toFixed(0)}${g.peak >= l.profitLock ? ` lock ₹${(g.peak / 2).toFixed(0)}` : ''}`);
  parts.push(`trades ${g.trades}${l.maxTradesPerDay > 0 ? `/${l.maxTradesPerDay}` : ''}`);
  if (l.maxConsecutiveLosses > 0) parts.push(`${compact ? 'loss row' : 'losses in a row'} ${g.lossStreak}/${l.maxConsecutiveLosses}`);
  if (g.state === 'REDUCING' && g.reason) {
    const until = g.cooldownUntil !== null ? ` until ${istClock(g.cooldownUntil).slice(0, 5)}` : '';
    parts.unshift(`${g.reason}${until}: no new entries`);
  }
  return { state, stateTone, rest: parts.join(' | '), restTone: near ? 'warn' : 'plain' };
}

export function GuardLine({ form }: { form: Form }): ReactNode {
  const g = useDashboard((s) => s.guard);
  return <GuardLineOf g={g} form={form} />;
}

/** The line for a given guard view: the instrument's own (GuardLine) or the account's (several instruments). */
export function GuardLineOf({ g, form, label }: { g: GuardView; form: Form; label?: string }): ReactNode {
  if (guardRows(g) === 0) return null;
  const t = guardLineText(g, form, label);
  return (
    <Box flexDirection="column">
      <Line>
        <Span tone={t.stateTone}>{t.state}</Span> | <Span tone={t.restTone}>{t.rest}</Span>
      </Line>
      {g.state === 'HALTED' ? (
        <Line tone="alarm">
          {`!! HALTED ${g.since !== null ? istClock(g.since) : '?'} IST: ${g.reason ?? ''}; flat, no entries today${form === 'wide' ? ' (random-scalp guard resume)' : ''}`}
        </Line>
      ) : null}
    </Box>
  );
}
