// The exit codes are a contract traders script against (systemd, cron, tmux layouts).
export const EXIT = {
  /** Done, and flat. */
  OK: 0,
  /** Usage or configuration error. */
  CONFIG: 1,
  /** Cannot reach or authenticate with the broker. */
  BROKER: 2,
  /** Stopped while still holding a position. */
  STILL_HOLDING: 3,
  /** Stopped (flat) after an unexpected internal error; 3 wins if still holding. */
  INTERNAL: 4,
} as const;
