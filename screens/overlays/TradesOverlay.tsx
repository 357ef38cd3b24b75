// Today's trades: IST times, entry, exit, quantity, reason, net P&L, and the day's totals. From
// the trade journal when there is one (every session of the day, and the week's totals in one
// line); otherwise from this session's state.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { useDashboard } from '../app/context.js';
import { cell, fmtPrice, fmtRupees, istClock, priceDecimals } from '../draw/format.js';
import { Line, Span } from '../draw/text.js';
import { signTone } from '../draw/tone.js';
import type { TradeRecord } from '../../src/store/types.js';

const REASON_WORDS: Record<TradeRecord['reason'] | 'guard', string> = {
  target: 'target',
  stop: 'stop',
  trail: 'trail',
  breakeven: 'break-even',
  time: 'time stop',
  partial: 'partial',
  market_on_target: 'mkt-on-target',
  flatten: 'flatten',
  square_off: 'square-off',
  shutdown: 'shutdown',
  reconcile: 'reconcile',
  external: 'external',
  guard: 'guard',
  loss_limit: 'loss limit',
};

const W = { n: 3, time: 17, price: 10, qty: 5, reason: 13 };

export function TradesOverlay({ height }: { height: number }): ReactNode {
  const s = useDashboard((st) => ({
    trades: st.journal?.today ?? st.tradesToday,
    day: st.journal?.day ?? st.pnl.day,
    week: st.journal?.week ?? null,
    tickSize: st.tickSize,
  }));
  const d = priceDecimals(s.tickSize);
  const gross = s.trades.reduce((a, t) => a + t.gross, 0);
  const costs = s.trades.reduce((a, t) => a + t.costs, 0);
  const net = s.trades.reduce((a, t) => a + t.net, 0);
  const wins = s.trades.filter((t) => t.net > 0).length;
  const room = Math.max(0, height - (s.week ? 4 : 3));
  const shown = s.trades.slice(-room);
  const hidden = s.trades.length - shown.length;
  const head = [
    cell('#', W.n, 'right'),
    cell('OPEN→CLOSE IST', W.time),
    cell('ENTRY', W.price, 'right'),
    cell('EXIT', W.price, 'right'),
    cell('QTY', W.qty, 'right'),
    cell('REASON', W.reason),
    'NET',
  ].join(' ');
  return (
    <Box flexDirection="column">
      <Line tone="strong">{`TODAY'S TRADES ${s.day}${hidden > 0 ? ` (${hidden} earlier not shown)` : ''} — t or Esc closes`}</Line>
      <Line tone="muted">{head}</Line>
      {s.trades.length === 0 ? <Line tone="muted">no trades yet today</Line> : null}
      {shown.map((t, i) => (
        <Line key={`${t.closedAt}-${i}`}>
          {[
            cell(String(hidden + i + 1), W.n, 'right'),
            cell(`${istClock(t.openedAt)}→${istClock(t.closedAt)}`, W.time),
            cell(fmtPrice(t.entry, d), W.price, 'right'),
            cell(fmtPrice(t.exit, d), W.price, 'right'),
            cell(String(t.quantity), W.qty, 'right'),
            cell(REASON_WORDS[t.reason as keyof typeof REASON_WORDS] ?? t.reason, W.reason),
            '',
          ].join(' ')}
          <Span tone={signTone(t.net)}>{fmtRupees(t.net)}</Span>
        </Line>
      ))}
      <Line>
        <Span tone="strong">{`TOTAL ${s.trades.length} trade${s.trades.length === 1 ? '' : 's'} W${wins} L${s.trades.length - wins}`}</Span>
        {`  gross ${fmtRupees(gross)}  costs ${fmtRupees(-costs)}  net `}
        <Span tone={signTone(net)}>{fmtRupees(net)}</Span>
      </Line>
      {s.week ? (
        <Line tone="muted">{`WEEK since ${s.week.from}: ${s.week.trades} trade${s.week.trades === 1 ? '' : 's'} W${s.week.wins} L${s.week.losses}${s.week.trades > 0 ? ` ${Math.round((s.week.wins / s.week.trades) * 100)}%` : ''}  net ${fmtRupees(s.week.net)} (random-scalp report for more)`}</Line>
      ) : null}
    </Box>
  );
}
