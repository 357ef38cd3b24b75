// The two exit legs, one row each: order id, type, price, trigger, quantity, filled, phase and
// distance from LTP. A held position missing a leg (or with a rejected/cancelled one) shows
// "!! UNPROTECTED" in inverse bold, which reads without colour. Three lines.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { useDashboard } from '../app/context.js';
import { cell, fmtPrice, fmtSigned, orderPhaseWord, priceDecimals, shortId } from '../draw/format.js';
import { legProblem, protectionOf } from '../draw/protection.js';
import { Line, Span } from '../draw/text.js';
import type { Form } from '../app/layout.js';
import type { Tone } from '../draw/tone.js';
import type { DashboardState, LegView } from '../../src/store/types.js';
type Side = DashboardState['position']['side'];

interface Columns {
  role: number;
  id: number;
  type: number;
  price: number;
  trigger: number;
  filled: number;
  phase: number;
  dist: number;
}

// A zero width drops the column: the narrow form has no order id, and one LEVEL column (the
// target's price, the stop's trigger) in place of price and trigger.
const WIDE: Columns = { role: 6, id: 16, type: 13, price: 10, trigger: 10, filled: 11, phase: 9, dist: 10 };
const COMPACT: Columns = { role: 6, id: 9, type: 13, price: 9, trigger: 9, filled: 9, phase: 9, dist: 8 };
const NARROW: Columns = { role: 6, id: 0, type: 13, price: 9, trigger: 0, filled: 9, phase: 9, dist: 8 };

function levelOf(leg: LegView): number | null {
  return leg.role === 'stop' ? (leg.trigger ?? leg.price) : (leg.price ?? leg.trigger);
}

function join(parts: [width: number, text: string][]): string {
  return parts
    .filter(([w]) => w > 0)
    .map(([, t]) => t)
    .join(' ');
}

const TYPE_WORDS: Record<LegView['type'], string> = { LIMIT: 'LIMIT', 'SL-M': 'SL-M', SL: 'SL (limit)', MARKET: 'MARKET' };

function legTone(leg: LegView): Tone {
  if (leg.phase === 'rejected' || leg.phase === 'unknown_outcome') return 'warn';
  if (leg.phase === 'filled') return 'strong';
  return leg.role === 'target' ? 'good' : 'bad';
}

function headerRow(c: Columns): string {
  const oneLevel = c.trigger === 0;
  return join([
    [c.role, cell('LEG', c.role)],
    [c.id, cell('ORDER', c.id)],
    [c.type, cell('TYPE', c.type)],
    [c.price, cell(oneLevel ? 'LEVEL' : 'PRICE', c.price, 'right')],
    [c.trigger, cell('TRIGGER', c.trigger, 'right')],
    [c.filled, cell('FILLED', c.filled, 'right')],
    [c.phase, cell('PHASE', c.phase)],
    [c.dist, cell('₹ vs LTP', c.dist, 'right')],
  ]);
}

/** A triggered stop resting unfilled: what the bot is doing about it, then its limit and trigger. */
function chaseDetail(leg: LegView, d: number, side: Side): string {
  const chase = leg.chase ?? { tries: 0, max: 0 };
  const doing = chase.tries >= chase.max ? `${side === 'short' ? 'buying back' : 'selling'} at market next` : `chasing ${chase.tries}/${chase.max}`;
  return `${doing} · limit ${fmtPrice(leg.price, d)} trg ${fmtPrice(leg.trigger, d)} ${leg.filled}/${leg.quantity}`;
}

/** A working stop the exit rules moved says so in its PHASE cell: `trail ↑` (↓ for a short), `BE`. */
function movedWord(leg: LegView): string | null {
  const m = leg.moved;
  if (!m || leg.phase !== 'working') return null;
  return m.origin === 'breakeven' ? 'BE' : `trail ${m.side === 'short' ? '↓' : '↑'}`;
}

/** …and after the row, where it started and the best price (cut first on a narrow terminal): ` from 99.05 best 101.50`. */
function movedDetail(leg: LegView, d: number): string {
  const m = leg.moved;
  if (!m || movedWord(leg) === null) return '';
  return ` from ${fmtPrice(m.from, d)}${m.origin === 'trail' ? ` best ${fmtPrice(m.best, d)}${m.next !== undefined ? ` next at ${fmtPrice(m.next, d)}` : ''}` : ''}`;
}

function legRow(leg: LegView, c: Columns, ltp: number | null, d: number): string {
  const level = levelOf(leg);
  const dist = level !== null && ltp !== null ? fmtSigned(level - ltp, d) : '—';
  const oneLevel = c.trigger === 0;
  return join([
    [c.role, cell(leg.role.toUpperCase(), c.role)],
    [c.id, cell(leg.orderId === null ? '(none yet)' : shortId(leg.orderId, c.id), c.id)],
    [c.type, cell(TYPE_WORDS[leg.type] ?? leg.type, c.type)],
    [c.price, cell(fmtPrice(oneLevel ? level : leg.price, d), c.price, 'right')],
    [c.trigger, cell(fmtPrice(leg.trigger, d), c.trigger, 'right')],
    [c.filled, cell(`${leg.filled}/${leg.quantity}`, c.filled, 'right')],
    [c.phase, cell(movedWord(leg) ?? orderPhaseWord(leg.phase), c.phase)],
    [c.dist, cell(dist, c.dist, 'right')],
  ]);
}

function LegLine(props: {
  role: LegView['role'];
  leg: LegView | null;
  inPosition: boolean;
  entering: boolean;
  c: Columns;
  ltp: number | null;
  d: number;
  side: Side;
}): ReactNode {
  const { role, leg, inPosition, entering, c, ltp, d, side } = props;
  const problem = legProblem(role, leg);
  if (inPosition && problem && leg?.chase) {
    return (
      <Line>
        <Span tone="alarm">{`!! ${role.toUpperCase()} TRIGGERED, UNFILLED !!`}</Span>
        {` ${chaseDetail(leg, d, side)}`}
      </Line>
    );
  }
  if (inPosition && problem) {
    return (
      <Line>
        <Span tone="alarm">{`!! UNPROTECTED: ${problem.what} !!`}</Span>
        {leg ? ` ${legRow(leg, c, ltp, d)}` : ' — F flattens now'}
      </Line>
    );
  }
  if (!leg) {
    const why = entering ? 'not placed yet (entry working)' : 'none';
    return <Line tone="muted">{`${cell(role.toUpperCase(), c.role)} ${why}`}</Line>;
  }
  if (leg.chase) return <Line tone="warn">{`${cell(role.toUpperCase(), c.role)} triggered, unfilled — ${chaseDetail(leg, d, side)}`}</Line>;
  return <Line tone={legTone(leg)}>{`${legRow(leg, c, ltp, d)}${movedDetail(leg, d)}`}</Line>;
}

export function LegsPanel({ form }: { form: Form }): ReactNode {
  const s = useDashboard((st) => ({ position: st.position, legs: st.legs, ltp: st.ltp, tickSize: st.tickSize }));
  const c = form === 'wide' ? WIDE : form === 'compact' ? COMPACT : NARROW;
  const d = priceDecimals(s.tickSize);
  const protection = protectionOf(s.position, s.legs);
  const inPosition = s.position.phase === 'protected' || s.position.phase === 'unprotected';
  const entering = s.position.phase === 'entering';
  return (
    <Box flexDirection="column">
      {protection.unprotected ? (
        <Line>
          <Span tone="alarm">
            {`!! UNPROTECTED ${s.position.held} held: ${protection.problems.map((p) => p.what).join(', ') || 'engine reports no protection'} !!`}
          </Span>
          {s.legs.stop?.chase ? ` engine chases the stop, then ${s.position.side === 'short' ? 'buys back' : 'sells'} at market; F flattens now` : ' engine re-places protection; F flattens now'}
        </Line>
      ) : (
        <Line tone="muted">{headerRow(c)}</Line>
      )}
      <LegLine role="target" leg={s.legs.target} inPosition={inPosition} entering={entering} c={c} ltp={s.ltp} d={d} side={s.position.side} />
      <LegLine role="stop" leg={s.legs.stop} inPosition={inPosition} entering={entering} c={c} ltp={s.ltp} d={d} side={s.position.side} />
    </Box>
  );
}
