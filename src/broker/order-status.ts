import type { BrokerOrderStatus } from './types.js';

// Brokers spell statuses many ways: "complete", "COMPLETE", "trigger_pending", "TRIGGER PENDING",
// raw words like "TRADED" or "CANCELED". Unknown words mean the order is still working.
const WORDS: Record<string, BrokerOrderStatus> = {
  complete: 'complete',
  completed: 'complete',
  filled: 'complete',
  traded: 'complete',
  executed: 'complete',
  open: 'working',
  pending: 'working',
  'open pending': 'working',
  'validation pending': 'working',
  'put order req received': 'working',
  'modify pending': 'working',
  'after market order req received': 'working',
  'trigger pending': 'trigger_pending',
  triggered: 'working',
  rejected: 'rejected',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  'cancel pending': 'working',
  expired: 'cancelled',
  lapsed: 'cancelled',
  'partially filled': 'partially_filled',
  'partially executed': 'partially_filled',
  'partial fill': 'partially_filled',
};

/**
 * Normalise a broker's status word. A working order with some quantity filled is reported by
 * most brokers as plain "open": the filled quantity decides partially_filled.
 */
export function normaliseOrderStatus(raw: unknown, filled = 0, quantity = 0): BrokerOrderStatus {
  const word = String(raw ?? '').trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
  const status = WORDS[word] ?? 'working';
  if ((status === 'working' || status === 'trigger_pending') && filled > 0 && filled < quantity) {
    return 'partially_filled';
  }
  if (status === 'working' && quantity > 0 && filled >= quantity) return 'complete';
  return status;
}

/** The canonical spelling the live OpenAlgo server uses, for the paper server's responses. */
export function canonicalStatusWord(status: BrokerOrderStatus): string {
  switch (status) {
    case 'complete': return 'complete';
    case 'rejected': return 'rejected';
    case 'cancelled': return 'cancelled';
    case 'trigger_pending': return 'trigger pending';
    default: return 'open';
  }
}

export function isTerminal(status: BrokerOrderStatus): boolean {
  return status === 'complete' || status === 'rejected' || status === 'cancelled';
}
