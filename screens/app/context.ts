// The vanilla store and the colour switch reach the components through one React context;
// components select only what they show, compared shallowly, so a price tick re-renders
// only the panels that show the price.

import { createContext, createElement, useContext, useMemo, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { AppState, AppStore } from '../../src/store/store.js';
import { toneProps, type Tone, type ToneProps } from '../draw/tone.js';

export interface DashboardContextValue {
  store: AppStore;
  /** False under NO_COLOR / TERM=dumb: no colour codes at all. */
  color: boolean;
  /** The frame's width, when known: every panel line spans it (see draw/text.tsx). */
  columns?: number;
}

const DashboardContext = createContext<DashboardContextValue | null>(null);

export function DashboardProvider(props: DashboardContextValue & { children: ReactNode }): ReactNode {
  const { store, color, columns, children } = props;
  const value = useMemo(() => ({ store, color, ...(columns !== undefined ? { columns } : {}) }), [store, color, columns]);
  return createElement(DashboardContext.Provider, { value }, children);
}

function useDashboardContext(): DashboardContextValue {
  const ctx = useContext(DashboardContext);
  if (!ctx) throw new Error('dashboard component rendered outside <DashboardProvider>');
  return ctx;
}

/** Select from the store; objects and arrays are compared shallowly (one level). */
export function useDashboard<T>(selector: (state: AppState) => T): T {
  const { store } = useDashboardContext();
  return useStore(store, useShallow(selector));
}

/** The frame's width, or null outside a sized dashboard. */
export function useFrameColumns(): number | null {
  return useDashboardContext().columns ?? null;
}

/** Props for a tone, honouring the colour switch. */
export function useTone(): (tone: Tone) => ToneProps {
  const { color } = useDashboardContext();
  return (tone) => toneProps(tone, color);
}
