import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineCommands } from '../engine/commands.js';
import type { AppStore } from './store.js';
import type { GuardView } from './types.js';

// Several instruments in one process (SYMBOLS=…): each has its own engine and its own store,
// exactly as one instrument has today; the desk is what sits above them — the list, the
// account-level guard, and the commands that act on every instrument at once. The dashboard
// draws the table from the instruments' stores and the focused instrument's panels from its
// store; with one instrument it is today's screen.

export interface DeskInstrument {
  /** `SYMBOL@EXCHANGE`, unique within the desk. */
  readonly key: string;
  readonly symbol: string;
  readonly exchange: string;
  /** This instrument's store: position, legs, P&L, its guard, its log lines. */
  readonly store: AppStore;
  /** This instrument's engine: `f`/`F`, `p`, `m`, `r` act on the focused one. */
  readonly commands: EngineCommands;
}

export interface DeskCommands {
  /** Flatten every instrument (each pauses its entries, as its own flatten does). */
  flattenAll(): void;
  /** Pause every instrument's entries, or resume them all. */
  setPausedAll(paused: boolean): void;
  /** Graceful exit of every instrument (through each one's escalation); again: report what is in flight. */
  quit(): void;
}

export interface DeskState {
  /** Fixed at start, in the order SYMBOLS lists them. */
  readonly instruments: readonly DeskInstrument[];
  /** The account guard over all instruments (sum of day P&L, total trades); null with one instrument. */
  account: GuardView | null;
  accountChanged(view: GuardView): void;
}

export type DeskStore = StoreApi<DeskState>;

export function createDeskStore(instruments: readonly DeskInstrument[]): DeskStore {
  return createStore<DeskState>()((set) => ({
    instruments,
    account: null,
    accountChanged: (account) => set({ account }),
  }));
}
