// The dashboard always draws a desk (src/store/desk.ts): one instrument is a desk of one, which
// App draws as today's screen. These helpers make a desk of one from a store and its commands,
// and a desk whose instruments read other stores (the coalesced views) while the account guard
// follows the source desk.

import type { EngineCommands } from '../../src/engine/commands.js';
import { createDeskStore, type DeskCommands, type DeskStore } from '../../src/store/desk.js';
import type { AppStore } from '../../src/store/store.js';

export interface DashboardDesk {
  desk: DeskStore;
  deskCommands: DeskCommands;
}

/** One store and its engine as a desk of one: the desk's commands are that engine's. */
export function singleDesk(store: AppStore, commands: EngineCommands): DashboardDesk {
  const { symbol, exchange } = store.getState();
  const desk = createDeskStore([{ key: `${symbol}@${exchange}`, symbol, exchange, store, commands }]);
  const deskCommands: DeskCommands = {
    flattenAll: () => commands.flatten(),
    setPausedAll: (paused) => {
      if (store.getState().paused !== paused) commands.togglePause();
    },
    quit: () => commands.quit(),
  };
  return { desk, deskCommands };
}

/** A desk like `source` whose instruments read `stores` (same order); its account follows the source's. */
export function deskOverStores(source: DeskStore, stores: readonly AppStore[]): { desk: DeskStore; dispose(): void } {
  const instruments = source.getState().instruments.map((inst, i) => ({ ...inst, store: stores[i] ?? inst.store }));
  const desk = createDeskStore(instruments);
  const follow = (account: ReturnType<DeskStore['getState']>['account']): void => {
    if (account !== desk.getState().account) desk.setState({ account });
  };
  follow(source.getState().account);
  const dispose = source.subscribe((s) => follow(s.account));
  return { desk, dispose };
}
