// A render error in one panel shows one line in its place; the rest of the dashboard, the keys
// and the engine carry on.

import { afterEach, describe, expect, test } from 'vitest';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { PanelBoundary } from '../../screens/app/PanelBoundary.js';
import { renderApp, wait } from './harness.js';
import type { DashboardState } from '../../src/store/types.js';

afterEach(() => cleanup());

function Thrower(): never {
  throw new Error('boom');
}

describe('panel error boundary', () => {
  test('catches a throwing child and says trading continues', () => {
    const errors: string[] = [];
    const r = render(
      <PanelBoundary name="chart" onError={(name, e) => errors.push(`${name}: ${e.message}`)}>
        <Thrower />
      </PanelBoundary>,
    );
    expect(r.lastFrame()).toContain('display error (chart) — trading and protection continue: boom');
    expect(errors).toEqual(['chart: boom']);
  });

  test('siblings keep rendering', () => {
    const r = render(
      <>
        <PanelBoundary name="a">
          <Thrower />
        </PanelBoundary>
        <PanelBoundary name="b">
          <Text>still here</Text>
        </PanelBoundary>
      </>,
    );
    expect(r.lastFrame()).toContain('display error (a) — trading and protection continue: boom');
    expect(r.lastFrame()).toContain('still here');
  });

  test('a corrupt position breaks only the panels that show it; header and keys still work', async () => {
    const r = renderApp({ state: 'protected', columns: 80, rows: 24 });
    r.store.setState({ position: undefined as unknown as DashboardState['position'] });
    await wait();
    const f = r.frame();
    expect(f).toContain('display error (position)');
    expect(f).toContain('trading and protection continue');
    expect(f).toContain('NIFTY25JANFUT@NFO');
    expect(f).toContain('F FLATTEN NOW');
    expect(r.displayErrors.some((e) => e.startsWith('position:'))).toBe(true);
    await r.press('F');
    expect(r.calls).toEqual(['flatten']);
  });

  test('if the whole dashboard cannot render, F and q/Ctrl-C still reach the engine', async () => {
    const r = renderApp({ state: 'protected' });
    r.store.setState(null as never, true);
    await wait();
    expect(r.frame()).toContain('display error (dashboard)');
    expect(r.frame()).toContain('F flattens now, q or Ctrl-C quits safely');
    await r.press('F');
    await r.press('\u0003');
    expect(r.calls).toEqual(['flatten', 'quit']);
  });
});
