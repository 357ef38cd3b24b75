// What the screens (and signal handlers) may ask of the engine. Every command returns at once;
// its effect comes back through the store (a log line, a badge, a phase change).

export interface EngineCommands {
  /** Flatten now: cancel legs, sell the held quantity at market, pause new entries. */
  flatten(): void;
  toggleMarketOnTarget(): void;
  reconcileNow(): void;
  /** Pause or resume new entries (protection keeps running either way). */
  togglePause(): void;
  /** Graceful exit through the escalation; a second call reports what is still in flight. */
  quit(): void;
}
