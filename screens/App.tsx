// The dashboard: fixed-height panels sized from the terminal, the log tail taking the rest,
// overlays in the log's place, keys dispatched through the key table.
//
// Props: the store and the engine's commands, the terminal's `rows` and `columns` (the real run
// follows stdout 'resize'; tests pass numbers), `color` (false under NO_COLOR / TERM=dumb) and
// `now`, the time source for the flatten confirmation window (default: the store's clock, or
// Date.now before it has ticked).

import { useCallback, type ReactNode } from 'react';
import { Box } from 'ink';
import type { EngineCommands } from '../src/engine/commands.js';
import type { AppStore } from '../src/store/store.js';
import { DashboardProvider, useDashboard } from './context.js';
import { FatalScreen } from './FatalScreen.js';
import { FLATTEN_CONFIRM_MS } from './keymap.js';
import { computeLayout, type Layout } from './layout.js';
import { FlattenConfirm } from './overlays/FlattenConfirm.js';
import { HelpOverlay } from './overlays/HelpOverlay.js';
import { ShutdownProgress } from './overlays/ShutdownProgress.js';
import { TradesOverlay } from './overlays/TradesOverlay.js';
import { PanelBoundary } from './PanelBoundary.js';
import { ErrorBanner } from './panels/ErrorBanner.js';
import { FillProgress } from './panels/FillProgress.js';
import { Footer } from './panels/Footer.js';
import { GuardLine, guardRows } from './panels/GuardLine.js';
import { Header } from './panels/Header.js';
import { LegsPanel } from './panels/Legs.js';
import { LogTail } from './panels/LogTail.js';
import { PositionPanel } from './panels/Position.js';
import { PriceChart } from './panels/PriceChart.js';
import { Slot } from './Slot.js';
import { TooSmall } from './TooSmall.js';
import { useBell } from './useBell.js';
import { useDashboardKeys, type DashboardUi } from './useDashboardKeys.js';

export interface AppProps {
  store: AppStore;
  commands: EngineCommands;
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

function Body(props: { layout: Layout; ui: DashboardUi; now: () => number; onError?: AppProps['onDisplayError'] }): ReactNode {
  const { layout, ui, now, onError } = props;
  const shutdownPhase = useDashboard((s) => s.shutdown?.phase ?? 'idle');
  const overlayOpen = ui.overlay !== 'none';
  let rest = layout.body + (overlayOpen ? layout.chart : 0);

  const confirm = ui.confirmArmedAt !== null ? Math.min(CONFIRM_ROWS, rest) : 0;
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
        <FlattenConfirm msLeft={ui.confirmArmedAt === null ? 0 : FLATTEN_CONFIRM_MS - (now() - ui.confirmArmedAt)} />
      </Slot>
      <Slot name="shutdown" height={shutdown} onError={onError}>
        <ShutdownProgress height={shutdown} quitCount={ui.quitCount} />
      </Slot>
      <Slot name={ui.overlay} height={overlay} onError={onError}>
        {ui.overlay === 'help' ? <HelpOverlay height={overlay} /> : <TradesOverlay height={overlay} />}
      </Slot>
      <Slot name="log" height={rest} onError={onError}>
        <LogTail height={rest} />
      </Slot>
    </>
  );
}

function Dashboard(props: AppProps): ReactNode {
  const { store, commands, rows, columns, onDisplayError: onError } = props;
  const injectedNow = props.now;
  const now = useCallback((): number => {
    if (injectedNow) return injectedNow();
    const t = store.getState().now;
    return t > 0 ? t : Date.now();
  }, [injectedNow, store]);
  const ui = useDashboardKeys({ store, commands, now });
  useBell(store);
  const hasBanner = useDashboard((s) => Boolean(s.banner));
  const shuttingDown = useDashboard((s) => (s.shutdown?.phase ?? 'idle') !== 'idle');
  const guard = useDashboard((s) => guardRows(s.guard ?? { on: false, state: 'ACTIVE' }));
  const layout = computeLayout({ rows, columns }, { banner: hasBanner, guard });

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
        <GuardLine form={layout.form} />
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
      <Body layout={layout} ui={ui} now={now} onError={onError} />
      <Slot name="footer" height={layout.footer} onError={onError}>
        <Footer status={ui.status} shuttingDown={shuttingDown || ui.quitCount > 0} form={layout.form} />
      </Slot>
    </Box>
  );
}

export function App(props: AppProps): ReactNode {
  return (
    <DashboardProvider store={props.store} color={props.color ?? true}>
      <PanelBoundary
        name="dashboard"
        onError={props.onDisplayError}
        fallback={(text) => <FatalScreen text={text} commands={props.commands} />}
      >
        <Dashboard {...props} />
      </PanelBoundary>
    </DashboardProvider>
  );
}
