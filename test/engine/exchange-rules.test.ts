import { describe, expect, it } from 'vitest';
import type { Broker } from '../../src/broker/types.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { StartupError } from '../../src/engine/start-up.js';
import { enterAndProtect, FUTURE, INSTRUMENT, scenario } from './harness.js';

process.env.TZ = 'America/New_York';

/** A falling knife: as each modify arrives, the market gaps ₹2 under the new limit, so no move ever fills. */
function fallingKnife(): { wrap: (b: Broker) => Broker; market: { gapTo(price: number): void } | null } {
  const knife = {
    market: null as { gapTo(price: number): void } | null,
    wrap: (b: Broker): Broker => {
      const wrapped = Object.create(b) as Broker;
      wrapped.modifyOrder = (id, req) => {
        knife.market?.gapTo((req.price ?? 0) - 2);
        return b.modifyOrder(id, req);
      };
      return wrapped;
    },
  };
  return knife;
}

const has = (lines: string[], text: string): boolean => lines.some((l) => l.includes(text));

// The exchange's real order rules, through the real engine on the paper broker: SL (never SL-M)
// on options, a stop-limit's limit a protective buffer under its trigger, a triggered stop left
// unfilled by a gap chased and then sold at market, MARKET refused answered by a marketable
// LIMIT, and the freeze quantity.

describe('stops the exchange takes', () => {
  it('an option under STOP_ORDER_TYPE=auto gets SL with its limit the price slab under the trigger (3 % of ₹99.05 = 60 ticks)', async () => {
    const s = await scenario();
    await enterAndProtect(s);
    expect(s.orders()).toEqual(['BUY 150 MARKET', 'SELL 150 LIMIT @102.05', 'SELL 150 SL @96.05 trg 99.05']);
    expect(s.broker.placedOrders.some((o) => o.request.priceType === 'SL-M')).toBe(false);
    expect(has(s.logs(), 'stops: SL (option: the exchange refuses SL-M), limit buffer auto')).toBe(true);
  });

  it('a future under auto gets SL-M; STOP_ORDER_TYPE=SL forces SL; STOP_LIMIT_BUFFER=4ticks sets the limit', async () => {
    const f = await scenario({ instrument: FUTURE });
    await enterAndProtect(f);
    expect(f.orders()[2]).toBe('SELL 150 SL-M trg 99.05');
    const sl = await scenario({ instrument: FUTURE, settings: { stops: { orderType: 'SL', limitBuffer: { kind: 'ticks', ticks: 4 }, chaseMs: 500, chaseTries: 3 } } });
    await enterAndProtect(sl);
    expect(sl.orders()[2]).toBe('SELL 150 SL @98.85 trg 99.05');
  });

  it('the paper broker refuses an SL-M on an option with the exchange\u2019s message', async () => {
    const s = await scenario({ settings: { stops: { orderType: 'SL-M', limitBuffer: { kind: 'auto' }, chaseMs: 500, chaseTries: 3 } } });
    await enterAndProtect(s);
    const slm = s.broker.placedOrders.find((o) => o.request.priceType === 'SL-M');
    expect(slm?.outcome).toBe('rejected');
    expect(slm?.message).toContain('16052: Function not available');
    // The fallback still protects: SL with the buffer.
    expect(s.orders().slice(-1)).toEqual(['SELL 150 SL @96.05 trg 99.05']);
    expect(s.store.getState().position.phase).toBe('protected');
  });
});

for (const feed of [false, true]) {
  describe(`a triggered stop that a gap left unfilled (${feed ? 'push feed' : 'polling'})`, () => {
    it('is chased: its limit moves under the last price and it fills, flat within about a second', async () => {
      const events: EngineEvent[] = [];
      const s = await scenario({ feed, observers: () => [(e) => events.push(e)] });
      await enterAndProtect(s);
      const gapAt = s.clock.now();
      // Straight past the trigger (99.05) and the limit (96.05): the stop triggers and rests.
      s.market.gapTo(95);
      await s.clock.advanceUntil(() => s.broker.netQuantity() === 0, 10_000, 50);
      const flatAfter = s.clock.now() - gapAt;
      expect(flatAfter).toBeLessThanOrEqual(2 * 500 + 250);
      expect(s.broker.modifyRequests).toHaveLength(1);
      expect(s.broker.modifyRequests[0]?.request).toMatchObject({ priceType: 'SL', price: 92.15, triggerPrice: 99.05 });
      expect(has(s.logs(), '[CHASE] stop 250000003 unfilled 0.5 s after it triggered — chasing 1/3: limit 96.05 → 92.15 (LTP 95.00)')).toBe(true);
      // The journal hears the chase (its start and each move) as notable events.
      const chase = events.flatMap((e) => (e.type === 'notable' && e.kind === 'stop_chase' ? [e.message] : []));
      expect(chase).toEqual(['stop 250000003 unfilled 0.5 s after it triggered — chasing 1/3: limit 96.05 → 92.15 (LTP 95.00)']);
      await s.clock.advance(2_000);
      expect(s.store.getState().position.phase).toBe('flat');
      expect(s.engine.state.trades.at(-1)).toMatchObject({ reason: 'stop', quantity: 150 });
      // The target was cancelled (OCO): nothing works at the broker.
      expect(s.broker.openOrderIds()).toHaveLength(0);
    });

    it('still unfilled after STOP_CHASE_TRIES moves: cancelled and sold at market, CRITICAL', async () => {
      // Nothing fills a moved limit: the price keeps falling away from each one.
      const knife = fallingKnife();
      const s = await scenario({ feed, wrap: knife.wrap });
      knife.market = s.market;
      await enterAndProtect(s);
      s.market.gapTo(95);
      const gapAt = s.clock.now();
      await s.clock.advanceUntil(() => s.broker.netQuantity() === 0, 20_000, 50);
      const flatAfter = s.clock.now() - gapAt;
      // Three moves 500 ms apart, a fourth look, then the market exit and its confirmation.
      expect(flatAfter).toBeGreaterThanOrEqual(4 * 500);
      expect(flatAfter).toBeLessThanOrEqual(4 * 500 + 1_000);
      expect(s.broker.modifyRequests).toHaveLength(3);
      expect(has(s.logs(), 'triggered and still unfilled after 3 limit moves')).toBe(true);
      expect(s.orders().slice(-1)).toEqual(['SELL 150 MARKET']);
      await s.clock.advance(2_000);
      expect(s.store.getState().position.phase).toBe('flat');
      expect(s.engine.state.trades.at(-1)).toMatchObject({ reason: 'stop' });
      expect(s.broker.openOrderIds()).toHaveLength(0);
      expect(s.store.getState().criticalSeq).toBeGreaterThan(0);
    });
  });
}

describe('the chase across a restart', () => {
  it('a crash mid-chase: the new process resumes the chase from the saved state', async () => {
    const knife = fallingKnife();
    const s = await scenario({ wrap: knife.wrap });
    knife.market = s.market;
    await enterAndProtect(s);
    s.market.gapTo(95);
    await s.clock.advanceUntil(() => s.broker.modifyRequests.length === 1, 5_000, 50);
    expect(s.stateFile.saved?.orders.find((o) => o.role === 'stop')?.chase).toMatchObject({ tries: 1 });
    await s.restart();
    await s.clock.advanceUntil(() => s.broker.netQuantity() === 0, 20_000, 50);
    expect(s.broker.modifyRequests.length).toBe(3);
    expect(s.orders().slice(-1)).toEqual(['SELL 150 MARKET']);
  });
});

describe('MARKET refused (as some brokers do on options)', () => {
  it('the entry and the flatten go out as marketable LIMITs at the last price ± the slab, and the flatten ends flat', async () => {
    const s = await scenario({ faults: { marketRefused: true } });
    await enterAndProtect(s);
    const [refusedEntry, entry] = s.broker.placedOrders;
    expect(refusedEntry?.outcome).toBe('rejected');
    expect(entry?.request).toMatchObject({ action: 'BUY', priceType: 'LIMIT', price: 103 });
    s.engine.flatten();
    await s.clock.advanceUntil(() => s.broker.netQuantity() === 0, 10_000, 50);
    expect(s.broker.placedOrders.at(-1)?.request).toMatchObject({ action: 'SELL', priceType: 'LIMIT', price: 97 });
    // Once refused, the next order at market goes straight to LIMIT: no second refusal.
    expect(s.broker.placedOrders.filter((o) => o.outcome === 'rejected')).toHaveLength(1);
    expect(has(s.logs(), 'not placed')).toBe(false);
    await s.clock.advance(1_000);
    expect(s.store.getState().position.phase).toBe('flat');
    expect(s.engine.state.trades.at(-1)).toMatchObject({ reason: 'flatten', quantity: 150 });
  });

  it('a protective LIMIT exit that rests (the price ran away) is chased to a fill', async () => {
    let gap: (() => void) | null = null;
    const gapOnExit = (b: Broker): Broker => {
      const wrapped = Object.create(b) as Broker;
      wrapped.placeOrder = (req) => {
        // The market gaps down as the sell arrives: its limit (LTP − 3 %) rests above the price.
        if (req.action === 'SELL' && req.priceType === 'LIMIT' && req.price === 97) gap?.();
        return b.placeOrder(req);
      };
      return wrapped;
    };
    const s = await scenario({ faults: { marketRefused: true }, wrap: gapOnExit });
    await enterAndProtect(s);
    gap = () => s.market.gapTo(90);
    s.engine.flatten();
    await s.clock.advanceUntil(() => s.broker.netQuantity() === 0, 10_000, 50);
    expect(s.broker.modifyRequests).toHaveLength(1);
    expect(s.broker.modifyRequests[0]?.request).toMatchObject({ priceType: 'LIMIT', price: 87.3 });
    expect(has(s.logs(), '[CHASE] exit 250000004 unfilled 0.5 s after it triggered — chasing 1/3: limit 97.00 → 87.30 (LTP 90.00)')).toBe(true);
    await s.clock.advance(1_000);
    expect(s.store.getState().position.phase).toBe('flat');
  });
});

describe('freeze quantity', () => {
  it('LOTS × lot size above the freeze quantity is refused at start, naming both figures and the largest LOTS', async () => {
    const err = await scenario({ settings: { lots: 25 } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).exitCode).toBe(1);
    expect((err as Error).message).toBe(
      `invalid LOTS = 25: 25 × lot 75 = 1875 is above the freeze quantity 1800 of ${INSTRUMENT.symbol}@NFO, which the exchange refuses in one order (orders are not sliced yet); the largest LOTS allowed is 24`,
    );
  });
});

