// Broker errors are classified by what they mean for the caller, not by their text.
// Idempotency rests on this: only `timeout` leaves the outcome of an order call unknown.

export type BrokerErrorKind =
  /** The request may have reached the broker: outcome unknown. */
  | 'timeout'
  /** Connection refused, DNS failure: the request surely did not take effect. */
  | 'not_sent'
  /** The broker said no (validation, margin, SL-M not allowed...). */
  | 'rejected'
  /** HTTP 403: invalid API key, or no broker session today. */
  | 'auth'
  | 'rate_limited'
  | 'not_found'
  /** 5xx, or a body that is not the JSON we expect (a proxy's HTML page). */
  | 'server';

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    readonly kind: BrokerErrorKind,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }

  /** True when the call surely had no effect, so it can be sent again. */
  get safeToRetry(): boolean {
    return this.kind === 'not_sent' || this.kind === 'rate_limited';
  }
}

export const AUTH_MESSAGE = 'invalid API key, or not logged in to the broker in OpenAlgo today';

export function isBrokerError(err: unknown, kind?: BrokerErrorKind): err is BrokerError {
  return err instanceof BrokerError && (kind === undefined || err.kind === kind);
}

export function describeError(err: unknown): string {
  if (err instanceof BrokerError) return `${err.kind}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
