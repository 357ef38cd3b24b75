import { describe, expect, it } from 'vitest';
import { FeedHub } from '../../src/desk/feed-hub.js';
import type { FeedHealth, FeedListener, FeedSymbol, MarketFeed } from '../../src/broker/feed.js';
import type { OrderReport } from '../../src/broker/types.js';

function fakeFeed() {
  const f = { starts: 0, stops: 0, symbols: [] as readonly FeedSymbol[], listener: null as FeedListener | null };
  const feed: MarketFeed = {
    label: 'fake',
    start: (listener, symbols) => {
      f.starts++;
      f.listener = listener;
      f.symbols = symbols;
    },
    stop: async () => { f.stops++; },
  };
  return { feed, f };
}

function recorder() {
  const heard: string[] = [];
  const listener: FeedListener = {
    tick: (s, e, ltp) => heard.push(`tick ${s}@${e} ${ltp}`),
    orderUpdate: (r) => heard.push(`order ${r.orderId}`),
    health: (h) => heard.push(`health ${h.state}`),
    resync: () => heard.push('resync'),
    note: (level, text) => heard.push(`${level} ${text}`),
  };
  return { heard, listener };
}

const live: FeedHealth = { state: 'live', reason: null, orders: true, ticks: true, rttMs: 3, since: 0 };

describe('one feed connection for every instrument', () => {
  it('starts once with every symbol, routes ticks by symbol and everything else to all', async () => {
    const { feed, f } = fakeFeed();
    const hub = new FeedHub(feed, [{ symbol: 'CE1', exchange: 'NFO' }, { symbol: 'PE1', exchange: 'NFO' }]);
    const a = recorder();
    const b = recorder();
    hub.forInstrument('CE1', 'NFO').start(a.listener, [{ symbol: 'CE1', exchange: 'NFO' }]);
    expect(f.starts).toBe(1);
    expect(f.symbols.map((s) => s.symbol)).toEqual(['CE1', 'PE1']);
    f.listener!.health(live);
    f.listener!.resync();
    // The second engine starts after the connection is up: it hears the health and a resync.
    hub.forInstrument('PE1', 'NFO').start(b.listener, [{ symbol: 'PE1', exchange: 'NFO' }]);
    expect(f.starts).toBe(1);
    expect(b.heard).toEqual(['health live', 'resync']);
    f.listener!.tick('CE1', 'NFO', 101.5, 1);
    f.listener!.tick('pe1', 'nfo', 98, 2);
    f.listener!.tick('OTHER', 'NFO', 5, 3);
    f.listener!.orderUpdate({ orderId: '77' } as OrderReport);
    f.listener!.note('warn', 'reconnecting');
    expect(a.heard).toEqual(['health live', 'resync', 'tick CE1@NFO 101.5', 'order 77', 'warn reconnecting']);
    expect(b.heard).toEqual(['health live', 'resync', 'tick pe1@nfo 98', 'order 77', 'warn reconnecting']);
    await hub.forInstrument('CE1', 'NFO').stop();
    expect(f.stops).toBe(0);
    await hub.forInstrument('PE1', 'NFO').stop();
    expect(f.stops).toBe(1);
  });
});
