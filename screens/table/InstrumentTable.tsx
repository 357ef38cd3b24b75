// The instruments table: a title row, one row per instrument (▶ marks the focused one, its
// number is the key that focuses it), and the TOTAL row with the account guard. Each row reads
// only its own instrument's store and re-renders only when its row's figures change.

import { memo, useCallback, useMemo, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { Box } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { DeskInstrument } from '../../src/store/desk.js';
import type { AppState } from '../../src/store/store.js';
import type { GuardView } from '../../src/store/types.js';
import type { Form } from '../app/layout.js';
import { cell, fitRupees } from '../draw/format.js';
import { Line, Span } from '../draw/text.js';
import { signTone } from '../draw/tone.js';
import { guardWord, headerCells, rowCells, rowViewOf, tableColumns, totalsOf, type TableColumns, type Totals } from './cells.js';

const TitleRow = memo(function TitleRow({ c }: { c: TableColumns }): ReactNode {
  return <Line tone="muted">{headerCells(c).join(' ')}</Line>;
});

const InstrumentRow = memo(function InstrumentRow(props: { instrument: DeskInstrument; index: number; focused: boolean; form: Form; c: TableColumns }): ReactNode {
  const { instrument, index, focused, form, c } = props;
  const view = useStore(instrument.store, useShallow(rowViewOf));
  const r = rowCells(view, index, focused, form, c);
  return (
    <Line tone={focused ? 'strong' : 'plain'}>
      {`${cell(r.mark, c.mark)} ${cell(r.symbol, c.symbol)} `}
      <Span tone={r.state.alarm ? 'alarm' : r.state.text.includes('PAUSED') || r.state.text.includes('HELD') ? 'warn' : 'plain'}>{cell(r.state.text, c.state)}</Span>
      {` ${cell(r.position, c.position)}`}
      {c.legs > 0 ? ` ${cell(r.legs, c.legs)}` : ''}
      {` ${cell(r.ltp, c.ltp, 'right')} `}
      <Span tone={signTone(r.unrealised)}>{cell(fitRupees(r.unrealised, c.unrealised), c.unrealised, 'right')}</Span>{' '}
      <Span tone={signTone(r.day)}>{cell(fitRupees(r.day, c.day), c.day, 'right')}</Span>
      {c.guard > 0 ? <Span tone={r.guard === 'HALTED' ? 'alarm' : r.guard === 'ACTIVE' || r.guard === '—' ? 'plain' : 'warn'}>{` ${cell(r.guard, c.guard)}`}</Span> : ''}
    </Line>
  );
});

const sameTotals = (a: Totals, b: Totals): boolean => a.unrealised === b.unrealised && a.day === b.day && a.long === b.long && a.count === b.count;

/** Sums over every instrument's store, recomputed when any of them changes. */
export function useDeskTotals(instruments: readonly DeskInstrument[]): Totals {
  const cached = useRef<{ states: AppState[]; totals: Totals } | null>(null);
  const subscribe = useCallback(
    (onChange: () => void) => {
      const offs = instruments.map((i) => i.store.subscribe(onChange));
      return () => offs.forEach((off) => off());
    },
    [instruments],
  );
  const snapshot = useCallback((): Totals => {
    const states = instruments.map((i) => i.store.getState());
    const prev = cached.current;
    if (prev && prev.states.length === states.length && prev.states.every((s, k) => s === states[k])) return prev.totals;
    const totals = totalsOf(states);
    cached.current = { states, totals: prev && sameTotals(prev.totals, totals) ? prev.totals : totals };
    return cached.current.totals;
  }, [instruments]);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

const TotalRow = memo(function TotalRow(props: { instruments: readonly DeskInstrument[]; account: GuardView | null; form: Form; c: TableColumns }): ReactNode {
  const { instruments, account, form, c } = props;
  const t = useDeskTotals(instruments);
  const guard = guardWord(account, form);
  const middle = c.position + (c.legs > 0 ? c.legs + 1 : 0) + 1 + c.ltp;
  return (
    <Line tone="strong">
      {`${cell('', c.mark)} ${cell(`TOTAL (${t.count})`, c.symbol)} ${cell(`${t.long} long`, c.state)} ${cell('', middle)} `}
      <Span tone={signTone(t.unrealised)}>{cell(fitRupees(t.unrealised, c.unrealised), c.unrealised, 'right')}</Span>{' '}
      <Span tone={signTone(t.day)}>{cell(fitRupees(t.day, c.day), c.day, 'right')}</Span>
      {c.guard > 0 ? <Span tone={guard === 'HALTED' ? 'alarm' : guard === 'ACTIVE' || guard === '—' ? 'plain' : 'warn'}>{` ${cell(guard, c.guard)}`}</Span> : ''}
    </Line>
  );
});

export function InstrumentTable(props: { instruments: readonly DeskInstrument[]; focus: number; account: GuardView | null; form: Form; width: number }): ReactNode {
  const { instruments, focus, account, form, width } = props;
  const c = useMemo(() => tableColumns(form, width), [form, width]);
  return (
    <Box flexDirection="column">
      <TitleRow c={c} />
      {instruments.map((inst, i) => (
        <InstrumentRow key={inst.key} instrument={inst} index={i} focused={i === focus} form={form} c={c} />
      ))}
      <TotalRow instruments={instruments} account={account} form={form} c={c} />
    </Box>
  );
}
