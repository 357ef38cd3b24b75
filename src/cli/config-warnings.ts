import { describeSource, type ResolvedConfig } from '../config/resolve.js';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** Settings that work but deserve a warning at start (and a warn row in doctor). */
export function configWarnings(resolved: ResolvedConfig): string[] {
  const out: string[] = [];
  const host = resolved.config.OPENALGO_API_HOST;
  if (resolved.mode === 'live' || resolved.rawOf.OPENALGO_API_KEY) {
    const u = new URL(host);
    if (u.protocol === 'http:' && !LOOPBACK.test(u.hostname)) {
      out.push(`OPENALGO_API_HOST ${host} is plain http to a host that is not loopback: the API key crosses the network unencrypted (use https or an SSH tunnel)`);
    }
  }
  const c = resolved.config;
  if (c.BROKERAGE_PER_TRADE_RUPEES !== undefined && resolved.sourceOf.BROKERAGE !== 'default') {
    out.push(
      `BROKERAGE_PER_TRADE_RUPEES=${c.BROKERAGE_PER_TRADE_RUPEES} (from ${describeSource(resolved.sourceOf.BROKERAGE_PER_TRADE_RUPEES)}) wins over BROKERAGE=${resolved.rawOf.BROKERAGE ?? ''} (from ${describeSource(resolved.sourceOf.BROKERAGE)}): ₹${c.BROKERAGE_PER_TRADE_RUPEES} per order (unset one of them)`,
    );
  }
  return out;
}
