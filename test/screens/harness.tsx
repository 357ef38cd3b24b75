// Render the dashboard with ink-testing-library, a fake clock for the flatten window and a
// recording commands object.

import { render } from 'ink-testing-library';
import { App } from '../../screens/App.js';
import type { EngineCommands } from '../../src/engine/commands.js';
import { createAppStore, type AppStore } from '../../src/store/store.js';
import { fakeCommands, FIXTURE_NOW, putStoreIn, type FixtureName } from './fixtures.js';

export interface HarnessOptions {
  state?: FixtureName;
  store?: AppStore;
  rows?: number;
  columns?: number;
  color?: boolean;
  /** Replace the recording commands (e.g. with ones that throw). */
  commands?: EngineCommands;
}

export const wait = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function renderApp(opts: HarnessOptions = {}) {
  const store = opts.store ?? putStoreIn(createAppStore(), opts.state ?? 'flat');
  const fake = fakeCommands();
  const commands = opts.commands ?? fake.commands;
  const calls = fake.calls;
  const clock = { t: FIXTURE_NOW };
  const now = (): number => clock.t;
  const rows = opts.rows ?? 40;
  const columns = opts.columns ?? 100;
  const displayErrors: string[] = [];
  const element = (
    <App
      store={store}
      commands={commands}
      rows={rows}
      columns={columns}
      color={opts.color ?? false}
      now={now}
      onDisplayError={(panel, err) => displayErrors.push(`${panel}: ${err.message}`)}
    />
  );
  const r = render(element);
  return {
    ...r,
    store,
    calls,
    clock,
    displayErrors,
    /** Type one key and give Ink a moment to handle it. */
    async press(key: string): Promise<void> {
      // Until Ink has handled it (a new frame or a command), bounded: on a loaded machine a
      // fixed few milliseconds is not always enough. Keys that change nothing wait the bound.
      const frameBefore = r.lastFrame();
      const callsBefore = calls.length;
      r.stdin.write(key);
      await wait(key === '\u001b' ? 20 : 5);
      for (let i = 0; i < 40 && r.lastFrame() === frameBefore && calls.length === callsBefore; i++) await wait(5);
      await wait(5);
    },
    frame(): string {
      return r.lastFrame() ?? '';
    },
  };
}

/** Lines of a frame. */
export function linesOf(frame: string): string[] {
  return frame.split('\n');
}
