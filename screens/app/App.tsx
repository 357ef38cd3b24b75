// The dashboard: fixed-height panels sized from the terminal, the log tail taking the rest,
// overlays in the log's place, keys dispatched through the key table.
//
// Props: one store and its engine's commands, or a desk (several instruments, each its own
// store and engine) and the desk's commands; the terminal's `rows` and `columns` (the real run
// follows stdout 'resize'; tests pass numbers), `color` (false under NO_COLOR / TERM=dumb) and
// `now`, the time source for the flatten confirmation window (default: the store's clock, or
// Date.now before it has ticked).
//
// One instrument (either form) is today's screen. Several: the instruments table under the
// header, then the focused instrument's panels (the provider's store is the focused one's, so
// every panel follows the focus), the account guard instead of the instrument's.

import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { EngineCommands } from '../../src/engine/commands.js';
import type { DeskCommands, DeskInstrument, DeskStore } from '../../src/store/desk.js';
import type { AppStore } from '../../src/store/store.js';
import { DashboardProvider, useDashboard } from './context.js';
import { singleDesk } from './desk.js';
import { FatalScreen } from './FatalScreen.js';
import { FLATTEN_CONFIRM_MS } from '../keys/keymap.js';
import { computeDeskLayout, computeLayout, type Layout } from './layout.js';
import { FlattenAllConfirm, flattenAllRows } from '../overlays/FlattenAllConfirm.js';
import { FlattenConfirm } from '../overlays/FlattenConfirm.js';
import { HelpOverlay } from '../overlays/HelpOverlay.js';
import { ShutdownProgress } from '../overlays/ShutdownProgress.js';
import { TradesOverlay } from '../overlays/TradesOverlay.js';
import { PanelBoundary } from './PanelBoundary.js';
import { ErrorBanner } from '../panels/ErrorBanner.js';
import { FillProgress } from '../panels/FillProgress.js';
import { Footer } from '../panels/Footer.js';
import { GuardLine, GuardLineOf, guardRows } from '../panels/GuardLine.js';
import { Header } from '../panels/Header.js';
import { LegsPanel } from '../panels/Legs.js';
import { LogTail } from '../panels/LogTail.js';
import { PositionPanel } from '../panels/Position.js';
import { PriceChart } from '../panels/PriceChart.js';
import { Slot } from './Slot.js';
import { InstrumentTable } from '../table/InstrumentTable.js';
import { TooSmall } from './TooSmall.js';
import { useBell } from '../hooks/useBell.js';
import { useDashboardKeys, type DashboardUi } from '../keys/useDashboardKeys.js';

/** One instrument: its store and its engine's commands (today's form). */
export interface OneInstrument {
  store: AppStore;
  commands: EngineCommands;
}

/** Several instruments (a desk of one draws as one instrument). */
export interface SeveralInstruments {
  desk: DeskStore;
  deskCommands: DeskCommands;
}

export type AppProps = (OneInstrument | SeveralInstruments) & AppFrameProps;

export interface AppFrameProps {
  /** Terminal rows; the frame uses rows − 1 lines. */
  rows: number;
  columns: number;
  /** Colours on (default) or off (NO_COLOR, TERM=dumb). Meaning never depends on them. */
  color?: boolean;
  /** Time source for the flatten confirmation window (epoch ms). */
  now?: () => number;
  /** Called with each render error a panel boundary catches (e.g. to log it). */
  onDisplayError?: (panel: string, error: Error) => void;
}

const CONFIRM_ROWS = 2;
const SHUTDOWN_MAX_ROWS = 8;
/** Log lines kept visible under an overlay when there is room. */
const LOG_UNDER_OVERLAY = 4;

function Body(props: { layout: Layout; ui: DashboardUi; now: () => number; instruments: readonly DeskInstrument[]; focusKey: string; onError?: AppProps['onDisplayError'] }): ReactNode {
  const { layout, ui, now, instruments, focusKey, onError } = props;
  const shutdownPhase = useDashboard((s) => s.shutdown?.phase ?? 'idle');
  const overlayOpen = ui.overlay !== 'none';
  let rest = layout.body + (overlayOpen ? layout.chart : 0);

  const all = ui.confirmArmedAt !== null && ui.confirmScope === 'all';
  const confirm = ui.confirmArmedAt !== null ? Math.min(all ? flattenAllRows(instruments.length) : CONFIRM_ROWS, rest) : 0;
  const msLeft = ui.confirmArmedAt === null ? 0 : FLATTEN_CONFIRM_MS - (now() - ui.confirmArmedAt);
  rest -= confirm;
  const shuttingDown = shutdownPhase !== 'idle' || ui.quitCount > 0;
  const shutdown = shuttingDown ? Math.min(SHUTDOWN_MAX_ROWS, Math.max(1, rest - 3), rest) : 0;
  rest -= shutdown;
  const overlay = overlayOpen ? (rest >= 10 + LOG_UNDER_OVERLAY ? rest - LOG_UNDER_OVERLAY : rest) : 0;
  rest -= overlay;

  return (
    <>
      {!overlayOpen && layout.chart > 0 ? (
        <Slot name="chart" height={layout.chart} onError={onError}>
          <PriceChart height={layout.chart} width={layout.width} />
        </Slot>
      ) : null}
      <Slot name="flatten question" height={confirm} onError={onError}>
        {all ? (
          <FlattenAllConfirm instruments={instruments} msLeft={msLeft} height={confirm} />
        ) : (
          <FlattenConfirm msLeft={msLeft} named={instruments.length > 1} />
        )}
      </Slot>
      <Slot name="shutdown" height={shutdown} onError={onError}>
        {/* Keyed by the focused instrument: the steps it has seen are that instrument's. */}
        <ShutdownProgress key={focusKey} height={shutdown} quitCount={ui.quitCount} />
      </Slot>
      <Slot name={ui.overlay} height={overlay} onError={onError}>
        {ui.overlay === 'help' ? <HelpOverlay height={overlay} several={instruments.length > 1} /> : <TradesOverlay height={overlay} />}
      </Slot>
      <Slot name="log" height={rest} onError={onError}>
        <LogTail height={rest} />
      </Slot>
    </>
  );
}

interface DashboardProps extends AppFrameProps {
  desk: DeskStore;
  deskCommands: DeskCommands;
  focus: number;
  onFocus: (index: number) => void;
}

function Dashboard(props: DashboardProps): ReactNode {
  const { desk, deskCommands, focus, onFocus, rows, columns, onDisplayError: onError } = props;
  const instruments = desk.getState().instruments;
  const several = instruments.length > 1;
  const focused = instruments[focus] ?? (instruments[0] as DeskInstrument);
  const store = focused.store;
  const injectedNow = props.now;
  const now = useCallback((): number => {
    if (injectedNow) return injectedNow();
    const t = store.getState().now;
    return t > 0 ? t : Date.now();
  }, [injectedNow, store]);
  const ui = useDashboardKeys({ instruments, deskCommands, focus, onFocus, now });
  const stores = useMemo(() => instruments.map((i) => i.store), [instruments]);
  useBell(stores, several ? desk : undefined);
  const account = useStore(desk, (s) => s.account);
  const hasBanner = useDashboard((s) => Boolean(s.banner));
  const shuttingDown = useDashboard((s) => (s.shutdown?.phase ?? 'idle') !== 'idle');
  const ownGuard = useDashboard((s) => guardRows(s.guard ?? { on: false, state: 'ACTIVE' }));
  const guard = several ? guardRows(account ?? { on: false, state: 'ACTIVE' }) : ownGuard;
  const layout = several
    ? computeDeskLayout({ rows, columns }, { banner: hasBanner, guard, instruments: instruments.length })
    : computeLayout({ rows, columns }, { banner: hasBanner, guard });

  if (layout.tooSmall) {
    return (
      <Box width={layout.width} height={1} overflow="hidden">
        <PanelBoundary name="screen" onError={onError}>
          <TooSmall columns={columns} rows={rows} confirming={ui.confirmArmedAt !== null} />
        </PanelBoundary>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height} overflow="hidden">
      <Slot name="header" height={layout.header} onError={onError}>
        <Header form={layout.form} />
      </Slot>
      <Slot name="banner" height={layout.banner} onError={onError}>
        <ErrorBanner height={layout.banner} />
      </Slot>
      <Slot name="guard" height={layout.guard} onError={onError}>
        {several ? account ? <GuardLineOf g={account} form={layout.form} label="ACCOUNT GUARD" /> : null : <GuardLine form={layout.form} />}
      </Slot>
      <Slot name="table" height={layout.table} onError={onError}>
        <InstrumentTable instruments={instruments} focus={focus} account={account} form={layout.form} width={layout.width} />
      </Slot>
      <Slot name="position" height={layout.position} onError={onError}>
        <PositionPanel form={layout.form} />
      </Slot>
      <Slot name="legs" height={layout.legs} onError={onError}>
        <LegsPanel form={layout.form} />
      </Slot>
      <Slot name="fills" height={layout.fill} onError={onError}>
        <FillProgress width={layout.width} />
      </Slot>
      <Body layout={layout} ui={ui} now={now} instruments={instruments} focusKey={focused.key} onError={onError} />
      <Slot name="footer" height={layout.footer} onError={onError}>
        <Footer status={ui.status} shuttingDown={shuttingDown || ui.quitCount > 0} form={layout.form} several={several} />
      </Slot>
    </Box>
  );
}

/** The desk this App draws: the one given, or a desk of one around a store and its commands. */
function useDesk(props: AppProps): SeveralInstruments {
  const one = 'store' in props ? props : null;
  const single = useMemo(() => (one ? singleDesk(one.store, one.commands) : null), [one?.store, one?.commands]);
  if ('desk' in props) return { desk: props.desk, deskCommands: props.deskCommands };
  return single as SeveralInstruments;
}

export function App(props: AppProps): ReactNode {
  const { desk, deskCommands } = useDesk(props);
  const [focus, setFocus] = useState(0);
  const instruments = desk.getState().instruments;
  const focused = instruments[focus] ?? (instruments[0] as DeskInstrument);
  const several = instruments.length > 1;
  // What still works when the whole screen fails: F flattens (with several: every instrument,
  // since the focus cannot be seen), q quits.
  const fatalCommands = useMemo(
    () => ({ flatten: several ? () => deskCommands.flattenAll() : () => focused.commands.flatten(), quit: () => deskCommands.quit() }),
    [several, deskCommands, focused],
  );
  return (
    <DashboardProvider store={focused.store} color={props.color ?? true} columns={Math.max(1, Math.floor(props.columns))}>
      <PanelBoundary
        name="dashboard"
        onError={props.onDisplayError}
        fallback={(text) => <FatalScreen text={text} commands={fatalCommands} several={several} />}
      >
        <Dashboard
          desk={desk}
          deskCommands={deskCommands}
          focus={focus}
          onFocus={setFocus}
          rows={props.rows}
          columns={props.columns}
          {...(props.color !== undefined ? { color: props.color } : {})}
          {...(props.now ? { now: props.now } : {})}
          {...(props.onDisplayError ? { onDisplayError: props.onDisplayError } : {})}
        />
      </PanelBoundary>
    </DashboardProvider>
  );
}
