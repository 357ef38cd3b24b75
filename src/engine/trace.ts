// TEMPORARY bench instrumentation (p99 investigation).
export interface TraceEvent { kind: string; at: number; [k: string]: unknown }
type Sink = (e: TraceEvent) => void;
const g = globalThis as unknown as { __rsTrace?: Sink };
export function trace(kind: string, fields: Record<string, unknown> = {}): void {
  const sink = g.__rsTrace;
  if (sink) sink({ kind, at: Date.now(), ...fields });
}
export function tracing(): boolean {
  return g.__rsTrace !== undefined;
}
