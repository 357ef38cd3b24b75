import { describe, expect, it } from 'vitest';
import { NO_LIMITS, type GuardLimits } from '../../src/engine/guard.js';
import { MemoryResumeRequests } from '../../src/engine/guard-resume.js';
import { parseEngineState } from '../../src/engine/state.js';
import { computeCharges } from '../../src/engine/charges.js';
import { FUTURE, enterAndProtect, ist, scenario, type Scenario } from './harness.js';

process.env.TZ = 'America/New_York';

// The session guard on the paper broker with a fake clock. The harness trades 2 lots × 75 = 150
// of an option with a ₹1 stop, a ₹2 target and ₹20 brokerage per order: a round trip pays about
// ₹83 in charges (worked by hand below for the losing trade; the model itself is checked against
// hand-worked contract notes in charges.test.ts).

/** The charges of buying 150 at `buy` and selling 150 at `sell` on 2026-11-24, ₹. */
const charges = (buy: number, sell: number): number =>
  computeCharges({
    segment: 'option',
    day: '2026-11-24',
    orders: [
      { side: 'BUY', quantity: 150, price: buy },
      { side: 'SELL', quantity: 150, price: sell },
    ],
    brokerage: { kind: 'flat', rupees: 20 },
  }).total;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const money = (x: number): string => `${x < 0 ? '−' : ''}₹${Math.abs(x).toFixed(2)}`.replace('.', '\\.');

const limits = (l: Partial<GuardLimits>): GuardLimits => ({ ...NO_LIMITS, ...l });
const buys = (s: Scenario): string[] => s.orders().filter((o) => o.startsWith('BUY'));
const guardLines = (s: Scenario): string[] => s.logs().filter((l) => l.includes('[GUARD]'));

/**
 * Enter, then let the stop take the trade: −₹247.44. The SL-M fills at the bid, 0.10 under its
 * trigger: 150 × ₹1.10 = −165 gross, buy 150 @ 100.05 and sell 150 @ 98.95 pay brokerage 40.00,
 * STT 0.15 % × 14,842.50 = 22.26, exchange 0.03503 % × 29,850 = 10.46, SEBI 0.03, stamp 0.45,
 * IPFT 0.15, GST 18 % × 50.4863 = 9.09: ₹82.44.
 */
async function losingTrade(s: Scenario): Promise<void> {
  const before = s.store.getState().pnl.trades;
  await enterAndProtect(s);
  const stop = s.store.getState().legs.stop?.trigger ?? 0;
  s.market.setPrice(stop - 0.05);
  await s.clock.advanceUntil(() => s.store.getState().pnl.trades > before && s.store.getState().position.phase === 'flat', 30_000);
}

describe('session guard', () => {
  it('a loss-limit breach while in position flattens at market and halts; no later entry; a restart is still halted; the next day is ACTIVE', async () => {
    const s = await scenario({ settings: { guard: limits({ maxDailyLoss: 400 }) } });
    await losingTrade(s);
    expect(s.store.getState().pnl.realised).toBe(-247.44);
    expect(s.store.getState().guard.state).toBe('ACTIVE');

    // The second trade: realised −247.44; the open trade at entry − 0.45 is −67.50 less the
    // round trip's charges at that price (≈ 82.6) → day ≈ −397.6: not yet.
    await enterAndProtect(s);
    const entry = s.store.getState().position.avgEntry ?? 0;
    const sent = s.orders().length;
    s.market.setPrice(entry - 0.45);
    await s.clock.advance(1_500);
    expect(s.store.getState().guard).toMatchObject({ state: 'ACTIVE', dayPnl: r2(-247.44 - 67.5 - charges(entry, entry - 0.45)) });
    expect(s.orders().slice(sent)).toEqual([]);
    // At entry − 0.50: −75 less ≈ 82.6 → day ≈ −405: past the limit.
    const open = r2(-75 - charges(entry, entry - 0.5));
    s.market.setPrice(entry - 0.5);
    await s.clock.advance(1_500);
    expect(s.orders().slice(sent)).toEqual(['SELL 150 MARKET']);
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'flat', 30_000);
    const st = s.store.getState();
    expect(st.guard.state).toBe('HALTED');
    expect(st.tradesToday.at(-1)?.reason).toBe('loss_limit');
    // The market sell filled at the bid (0.05 under LTP): −247.44 + (−0.55 × 150 − charges),
    // past the limit by the price step that crossed it plus the exit's spread, far less than the stop.
    expect(st.tradesToday.at(-1)?.exit).toBe(Math.round((entry - 0.55) * 100) / 100);
    expect(st.pnl.realised).toBe(r2(-247.44 - 82.5 - charges(entry, entry - 0.55)));
    expect(st.entriesHeld).toMatch(/guard HALTED: daily loss limit −₹400 reached/);
    const line = new RegExp(`HALTED: daily loss limit −₹400 reached: flattening at market.*day ${money(r2(-247.44 + open))} \\(realised −₹247\\.44, open ${money(open)}\\)`);
    expect(guardLines(s).some((l) => line.test(l))).toBe(true);
    expect(s.broker.netQuantity()).toBe(0);

    // The day goes on: no entry at any later bar.
    const buysBefore = buys(s).length;
    await s.clock.advance(10 * 60_000);
    expect(buys(s)).toHaveLength(buysBefore);
    expect(s.logs().some((l) => /entry skipped \(guard HALTED/.test(l))).toBe(true);

    // A restart on the same IST day comes back halted, with the reason.
    await s.restart();
    await s.clock.advance(5 * 60_000);
    expect(buys(s)).toHaveLength(buysBefore);
    expect(s.store.getState().guard).toMatchObject({ state: 'HALTED', reason: 'daily loss limit −₹400 reached' });
    expect(s.store.getState().entriesHeld).toMatch(/guard HALTED/);

    // The next trading day starts ACTIVE and trades.
    s.engine.abandon();
    s.clock.jump(ist('2026-11-25T09:19:00') - s.clock.now());
    await s.restart();
    await s.clock.advance(2 * 60_000);
    expect(s.store.getState().guard.state).toBe('ACTIVE');
    expect(buys(s).length).toBeGreaterThan(buysBefore);
    expect(s.logs().some((l) => /\[GUARD\] new IST day 2026-11-25: ACTIVE \(2026-11-24 ended HALTED/.test(l))).toBe(true);
  });

  it('a breach by mark-to-market alone, with no closed trade, halts the day', async () => {
    const s = await scenario({ settings: { guard: limits({ maxDailyLoss: 150 }) } });
    await enterAndProtect(s);
    const entry = s.store.getState().position.avgEntry ?? 0;
    // −0.30 × 150 less the round trip's charges at that price (≈ 82.7) ≈ −127.7: not yet.
    s.market.setPrice(entry - 0.3);
    await s.clock.advance(1_500);
    expect(s.store.getState().guard).toMatchObject({ state: 'ACTIVE', dayPnl: r2(-45 - charges(entry, entry - 0.3)), realised: 0 });
    expect(s.orders().filter((o) => o.includes('MARKET') && o.startsWith('SELL'))).toEqual([]);
    // −0.50 × 150 less ≈ 82.6 ≈ −157.6: past the limit.
    const open = r2(-75 - charges(entry, entry - 0.5));
    s.market.setPrice(entry - 0.5);
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'flat', 30_000);
    const st = s.store.getState();
    expect(st.guard.state).toBe('HALTED');
    expect(st.pnl.trades).toBe(1);
    expect(st.pnl.realised).toBe(r2(-82.5 - charges(entry, entry - 0.55))); // sold at the bid, 0.05 under the LTP that tripped it
    expect(s.stateFile.saved?.guard).toMatchObject({ state: 'HALTED', reason: 'loss_limit', tripped: { realised: 0, open, dayPnl: open } });
  });

  it('a stale last price does not mark the position: after 5 s without one it is marked at the stop, and the loss limit trips', async () => {
    // At the last price the day is −₹83 (the charges), inside the −₹200 limit; at the stop's
    // trigger (1.00 under) it is −₹150 − charges ≈ −₹232, past it.
    const s = await scenario({ settings: { guard: limits({ maxDailyLoss: 200 }) } });
    await enterAndProtect(s);
    expect(s.store.getState().guard.state).toBe('ACTIVE');
    // Quotes fail from now on: the price the guard has is the last one seen.
    s.broker.injectOnce('serverError', { call: 'quote', count: 1_000 });
    const since = s.clock.now();
    await s.clock.advanceUntil(() => s.store.getState().guard.state === 'HALTED', 30_000, 250);
    expect(s.store.getState().guard.state).toBe('HALTED');
    expect(s.clock.now() - since).toBeGreaterThan(5_000);
    expect(s.clock.now() - since).toBeLessThan(8_000);
    expect(s.logs().some((l) => /\[GUARD\] last price 100\.\d\d is \d+ s old: open P&L marked at the stop's trigger 99\.05 until a fresh price/.test(l))).toBe(true);
  });

  it('a short on a stale price is marked at its stop above, the worse of the two for it', async () => {
    const s = await scenario({ instrument: FUTURE, settings: { direction: 'short', guard: limits({ maxDailyLoss: 200 }) } });
    await enterAndProtect(s);
    s.broker.injectOnce('serverError', { call: 'quote', count: 1_000 });
    await s.clock.advanceUntil(() => s.store.getState().guard.state === 'HALTED', 30_000, 250);
    expect(s.store.getState().guard.state).toBe('HALTED');
    expect(s.logs().some((l) => /\[GUARD\] last price \d+\.\d\d is \d+ s old: open P&L marked at the stop's trigger 100\.95 until a fresh price/.test(l))).toBe(true);
  });

  it('the profit target stops new entries but lets the open trade finish at its target, then halts', async () => {
    const s = await scenario({ settings: { guard: limits({ dailyProfitTarget: 150 }) } });
    await enterAndProtect(s);
    const entry = s.store.getState().position.avgEntry ?? 0;
    // +1.30 × 150 less ≈ 83.4 charges ≈ 111.6: not yet.
    s.market.setPrice(entry + 1.3);
    await s.clock.advance(1_500);
    expect(s.store.getState().guard).toMatchObject({ state: 'ACTIVE', dayPnl: r2(195 - charges(entry, entry + 1.3)) });
    // +1.70 × 150 less ≈ 83.6 ≈ 171.4 ≥ 150: REDUCING, nothing sold.
    s.market.setPrice(entry + 1.7);
    await s.clock.advance(1_500);
    expect(s.store.getState().guard).toMatchObject({ state: 'REDUCING', reason: 'daily profit target ₹150 reached' });
    expect(s.orders().filter((o) => o.startsWith('SELL') && o.includes('MARKET'))).toEqual([]);
    // A bar closes: no new entry (and the position is still held anyway).
    await s.clock.advance(60_000);
    expect(s.store.getState().position.phase).toBe('protected');
    // The target fills: the trade finishes on its own, then HALTED.
    s.market.setPrice(entry + 2.05);
    await s.clock.advanceUntil(() => s.store.getState().position.phase === 'flat', 30_000);
    expect(s.store.getState().tradesToday.at(-1)?.reason).toBe('target');
    expect(s.store.getState().guard.state).toBe('HALTED');
    const n = buys(s).length;
    await s.clock.advance(5 * 60_000);
    expect(buys(s)).toHaveLength(n);
  });

  it('after MAX_CONSECUTIVE_LOSSES losses in a row, no entry until the cooldown ends; then trading resumes', async () => {
    const s = await scenario({ settings: { guard: limits({ maxConsecutiveLosses: 2, cooldownMinutes: 10 }) } });
    await losingTrade(s);
    expect(s.store.getState().guard.state).toBe('ACTIVE');
    await losingTrade(s);
    const st = s.store.getState();
    expect(st.guard).toMatchObject({ state: 'REDUCING', lossStreak: 2 });
    expect(st.guard.cooldownUntil).toBe((st.guard.since ?? 0) + 10 * 60_000);
    expect(st.guard.since).toBe(st.tradesToday.at(-1)?.closedAt);
    expect(st.entriesHeld).toMatch(/losses in a row: cooling down 10 min until \d\d:\d\d IST/);
    const n = buys(s).length;
    await s.clock.advance(9 * 60_000);
    expect(buys(s)).toHaveLength(n);
    await s.clock.advance(2 * 60_000 + 1_000);
    expect(s.store.getState().guard.state).toBe('ACTIVE');
    expect(s.store.getState().guard.lossStreak).toBe(0);
    expect(buys(s).length).toBeGreaterThan(n);
    expect(guardLines(s).some((l) => /ACTIVE: cooldown over/.test(l))).toBe(true);
  });

  it('MAX_TRADES_PER_DAY halts once that many round trips closed', async () => {
    const s = await scenario({ settings: { guard: limits({ maxTradesPerDay: 1 }) } });
    await losingTrade(s);
    expect(s.store.getState().guard).toMatchObject({ state: 'HALTED', reason: '1 trades today (MAX_TRADES_PER_DAY)' });
    await s.clock.advance(3 * 60_000);
    expect(buys(s)).toHaveLength(1);
  });

  it('guard resume is refused while the loss limit is still breached, and granted once it is not', async () => {
    const requests = new MemoryResumeRequests();
    const s = await scenario({ settings: { guard: limits({ maxDailyLoss: 150 }) }, resumeRequests: requests });
    await losingTrade(s);
    expect(s.store.getState().guard.state).toBe('HALTED');
    requests.request = { day: '2026-11-24', at: s.clock.now(), by: 'test' };
    await s.clock.advance(2_000);
    expect(requests.request).toBeNull();
    expect(s.store.getState().guard.state).toBe('HALTED');
    expect(s.logs().some((l) => /\[GUARD\] resume \(test\) refused: the daily loss limit is still breached/.test(l))).toBe(true);
    // A request for another day is dropped.
    requests.request = { day: '2026-11-23', at: s.clock.now(), by: 'test' };
    await s.clock.advance(2_000);
    expect(s.store.getState().guard.state).toBe('HALTED');
  });

  it('a halt other than the loss limit can be resumed: that limit is waived for the rest of the day', async () => {
    const requests = new MemoryResumeRequests();
    const s = await scenario({ settings: { guard: limits({ maxTradesPerDay: 1, maxDailyLoss: 1000 }) }, resumeRequests: requests });
    await losingTrade(s);
    expect(s.store.getState().guard.state).toBe('HALTED');
    requests.request = { day: '2026-11-24', at: s.clock.now(), by: 'guard resume (tty)' };
    await s.clock.advance(2_000);
    expect(s.store.getState().guard.state).toBe('ACTIVE');
    expect(s.logs().some((l) => /\[GUARD\] ACTIVE: resumed by the trader \(guard resume \(tty\)\), was HALTED/.test(l))).toBe(true);
    await s.clock.advance(2 * 60_000);
    expect(buys(s).length).toBeGreaterThan(1);
  });

  it('an older state file without the guard still loads, as ACTIVE', async () => {
    const s = await scenario({ settings: { guard: limits({ maxDailyLoss: 400 }) } });
    await losingTrade(s);
    const saved = JSON.parse(JSON.stringify(s.stateFile.saved)) as Record<string, unknown>;
    delete saved.guard;
    const parsed = parseEngineState(saved);
    expect(parsed?.guard).toMatchObject({ state: 'ACTIVE', day: '' });
    s.stateFile.saved = parsed;
    await s.restart();
    expect(s.engine.state.guard).toMatchObject({ day: '2026-11-24', state: 'ACTIVE' });
    expect(s.engine.state.pnl.realised).toBe(-247.44);
  });
});
