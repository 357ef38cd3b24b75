import { describe, expect, it } from 'vitest';
import { createDefaultPaperSetup } from '../../src/broker/paper/setup.js';
import { PaperFeed } from '../../src/broker/paper/paper-feed.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { tradedInstruments, type TradedInstrument } from '../../src/config/instruments.js';
import { assembleDesk, type Desk } from '../../src/desk/assemble.js';
import { heldQuantity, openOrders } from '../../src/engine/state.js';
import { FakeClock } from '../../src/time/clock.js';

// Several instruments on one paper broker, wired exactly as the CLI wires them (assembleDesk),
// on a fake clock: both trade, their book reads are shared, a loss across both halts both.

const ist = (iso: string): number => Date.parse(`${iso}+05:30`);
const SYMBOLS = 'NIFTY29DEC2625000CE,NIFTY29DEC2625000PE';

function desk(env: Record<string, string>, clock: FakeClock, seed = 11): { d: Desk; broker: ReturnType<typeof createDefaultPaperSetup>['broker']; feed: PaperFeed } {
  const resolved = resolveConfig({ store: {}, dotenv: {}, flags: {}, modeFlag: 'paper', env: { SYMBOLS, PERSIST_STATE: 'false', JOURNAL: 'false', LOG_TO_FILE: 'false', STATE_DIR: '/nonexistent-desk-test', ...env } });
  const traded = tradedInstruments(resolved.config) as TradedInstrument[];
  const { broker } = createDefaultPaperSetup({ clock, seed, symbols: traded.map(({ symbol, exchange }) => ({ symbol, exchange })), faults: '' });
  const feed = new PaperFeed({ clock, broker, seed });
  const d = assembleDesk({ resolved, traded, clock, broker, feed, headless: false, stdout: process.stdout, secrets: [] });
  return { d, broker, feed };
}

async function run(d: Desk, clock: FakeClock, ms: number): Promise<void> {
  await Promise.all(d.runs.map((r) => r.engine.start()));
  await clock.advance(ms);
}

async function stop(d: Desk, clock: FakeClock): Promise<number[]> {
  d.commands.quit();
  const codes = Promise.all(d.runs.map((r) => r.engine.stopped));
  await clock.advanceUntil(() => d.runs.every((r) => r.store.getState().shutdown.phase === 'idle'), 60_000);
  await clock.advance(40_000);
  return codes;
}

describe('a desk of two instruments on one paper broker', () => {
  it('both trade on their own prices, with one book read serving both engines', async () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    const { d, broker } = desk({}, clock);
    await run(d, clock, 5 * 60_000);
    for (const r of d.runs) {
      const s = r.engine.state;
      expect(s.pnl.trades + (heldQuantity(s) > 0 ? 1 : 0), r.instrument.key).toBeGreaterThan(3);
    }
    // Every log line is its instrument's.
    const ce = d.runs[0]!.store.getState().log.map((l) => l.text).join('\n');
    expect(ce).toMatch(/NIFTY29DEC2625000CE/);
    expect(ce).not.toMatch(/MARKET BUY \d+ NIFTY29DEC2625000PE/);
    const codes = await stop(d, clock);
    expect(codes).toEqual([0, 0]);
    for (const r of d.runs) expect(broker.netQuantity(r.instrument.symbol, r.instrument.exchange)).toBe(0);
  }, 60_000);

  it('in position, the periodic book reads of both engines are one read each', async () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    // Far legs: both stay in position, as the bench's steady state.
    const { d } = desk({ PROFIT_TARGET_RUPEES: '40', STOP_LOSS_RUPEES: '40' }, clock);
    await run(d, clock, 60_000);
    expect(d.runs.every((r) => r.engine.state.phase === 'protected')).toBe(true);
    const before = structuredClone(d.shared!.counts);
    await clock.advance(5 * 60_000);
    expect(d.runs.every((r) => r.engine.state.phase === 'protected')).toBe(true);
    const asked = d.shared!.counts.asked - before.asked;
    const sent = d.shared!.counts.sent - before.sent;
    expect(sent).toBeLessThanOrEqual(Math.ceil(asked / 2));
    await stop(d, clock);
  }, 60_000);

  it('a loss summed over both instruments halts and flattens both, and holds both entries', async () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    const { d, broker } = desk({ MAX_DAILY_LOSS_RUPEES: '400' }, clock, 5);
    await Promise.all(d.runs.map((r) => r.engine.start()));
    const halted = await clock.advanceUntil(() => d.store.getState().account?.state === 'HALTED', 4 * 3600_000, 1000);
    expect(halted).toBe(true);
    const account = d.store.getState().account!;
    expect(account.dayPnl).toBeLessThanOrEqual(-400);
    // Each instrument alone stayed above the limit, or the halt is still the account's.
    await clock.advance(30_000);
    for (const r of d.runs) {
      const s = r.engine.state;
      expect(heldQuantity(s), r.instrument.key).toBe(0);
      expect(openOrders(s), r.instrument.key).toEqual([]);
      expect(broker.netQuantity(r.instrument.symbol, r.instrument.exchange)).toBe(0);
      expect(r.store.getState().entriesHeld).toMatch(/^account guard HALTED: daily loss limit −₹400 reached/);
      expect(r.store.getState().log.some((l) => l.tag === 'GUARD' && l.text.startsWith('account HALTED'))).toBe(true);
    }
    const trades = d.runs.map((r) => r.engine.state.pnl.trades);
    await clock.advance(5 * 60_000);
    // No entries after the halt.
    expect(d.runs.map((r) => r.engine.state.pnl.trades)).toEqual(trades);
    await stop(d, clock);
  }, 60_000);
  it('MAX_TRADES_PER_DAY across instruments is never exceeded by entries on the same bar', async () => {
    const clock = new FakeClock(ist('2026-12-02T10:00:00'));
    // Both flat at the first bar with one trade allowed for the account: one enters, not both.
    const { d, broker } = desk({ MAX_TRADES_PER_DAY: '1', PROFIT_TARGET_RUPEES: '40', STOP_LOSS_RUPEES: '40' }, clock);
    await run(d, clock, 3 * 60_000);
    const buys = broker.placedOrders.filter((o) => o.request.action === 'BUY');
    expect(buys).toHaveLength(1);
    const held = d.runs.map((r) => r.store.getState().entriesHeld ?? '');
    expect(held.some((h) => h.startsWith('account trade limit: 0 closed + 1 in progress of 1 today'))).toBe(true);
    const skipped = d.runs.flatMap((r) => r.store.getState().log.filter((l) => l.tag === 'SIGNAL' && l.text.includes('entry skipped (account trade limit')));
    expect(skipped.length).toBeGreaterThan(0);
    await stop(d, clock);
  }, 60_000);
});
