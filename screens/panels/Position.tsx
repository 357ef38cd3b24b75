// The position at a glance: side in words, quantity, average entry, LTP and its change,
// unrealised P&L (₹ and points), and the day's realised P&L (net of charges) and record. Two lines; in the
// narrow form the unrealised P&L moves to the second line.

import type { ReactNode } from 'react';
import { Box } from 'ink';
import { useDashboard } from '../app/context.js';
import { fmtPrice, fmtRupees, fmtSigned, istClock, positionPhaseWord, priceDecimals } from '../draw/format.js';
import type { Form } from '../app/layout.js';
import { Line, Span } from '../draw/text.js';
import { signTone } from '../draw/tone.js';
import { unrealisedPoints } from '../draw/pnl.js';

export function PositionPanel({ form }: { form: Form }): ReactNode {
  const s = useDashboard((st) => ({
    position: st.position,
    ltp: st.ltp,
    prevClose: st.prevClose,
    tickSize: st.tickSize,
    pnl: st.pnl,
    stopTriggered: st.legs.stop?.chase !== undefined,
    // Brokerage and statutory charges of today's round trips: already out of the realised figure.
    charges: st.tradesToday.reduce((a, t) => a + Math.round((t.charges?.total ?? 0) * 100), 0) / 100,
  }));
  const { position: pos, ltp, prevClose, pnl } = s;
  const d = priceDecimals(s.tickSize);
  const holding = pos.held > 0;
  const wide = form === 'wide';

  const change = ltp !== null && prevClose !== null && prevClose > 0 ? ltp - prevClose : null;
  const changeText =
    change === null ? '' : ` ${fmtSigned(change, d)}${form === 'narrow' ? '' : ` (${fmtSigned((change / (prevClose as number)) * 100, 2)}%)`}`;

  const points = unrealisedPoints(pos, ltp);
  const unrealised =
    points === null ? null : (
      <>
        {wide ? 'unrealised ' : 'uP&L '}
        <Span tone={signTone(points)}>
          {fmtRupees(points * pos.held)} ({fmtSigned(points, d)} pts{wide ? ` × ${pos.held}` : ''})
        </Span>
      </>
    );

  const entering = pos.phase === 'entering' ? ` entry ${pos.entryFilled}/${pos.requested}` : '';
  const record = `${pnl.trades} trade${pnl.trades === 1 ? '' : 's'} W${pnl.wins} L${pnl.losses}`;
  const opened = wide && pos.openedAt !== null && pos.phase !== 'flat' ? ` | opened ${istClock(pos.openedAt)}` : '';
  const narrowPnl = form === 'narrow' && unrealised !== null;

  return (
    <Box flexDirection="column">
      <Line>
        {holding ? (
          <Span tone="good">
            <Span tone="strong">{pos.side === 'short' ? 'SHORT' : 'LONG'} {pos.held}</Span> @ {fmtPrice(pos.avgEntry, d)}
          </Span>
        ) : (
          <Span tone="strong">FLAT</Span>
        )}
        {' | LTP '}
        <Span tone="strong">{fmtPrice(ltp, d)}</Span>
        <Span tone={change === null ? 'plain' : signTone(change)}>{changeText}</Span>
        {unrealised !== null && !narrowPnl ? <> | {unrealised}</> : null}
      </Line>
      <Line>
        {narrowPnl ? <>{unrealised} | </> : null}
        {/* A stop that triggered and rests unfilled protects nothing: never "protected" then. */}
        {s.stopTriggered && pos.phase === 'protected' ? (
          <Span tone="alarm">STOP TRIGGERED</Span>
        ) : (
          <Span tone={pos.phase === 'unprotected' ? 'alarm' : 'plain'}>{positionPhaseWord(pos.phase)}</Span>
        )}
        {entering}
        {wide ? ' | day realised ' : ' | day '}
        <Span tone={signTone(pnl.realised)}>{fmtRupees(pnl.realised)}</Span>
        {wide && s.charges > 0 ? ` net of ₹${s.charges.toFixed(2)} charges` : ''}
        {' | '}
        {record}
        {opened}
      </Line>
    </Box>
  );
}
