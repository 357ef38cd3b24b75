// The dashboard's cost, in a process of its own so process.cpuUsage() is the dashboard's alone:
// the real dashboard (startDashboard) renders to a fake terminal (a Writable with isTTY, 120×32)
// while a price feed drives the store the way the engine's quote loop does (clockTicked,
// quoteReceived and the health stamp of the successful quote call), at a given rate.
// BENCH_INSTRUMENTS=4: a desk of four instruments (the table and the focused one's panels),
// each store fed at that rate on its own phase, as independent quote loops would.

import { PassThrough, Writable } from 'node:stream';
import { startDashboard } from '../screens/app/render.js';
import type { EngineCommands } from '../src/engine/commands.js';
import { createDeskStore, type DeskCommands } from '../src/store/desk.js';
import { createAppStore, type AppStore } from '../src/store/store.js';
import { serveRpc } from './lib/ipc.js';
import { rng } from './lib/util.js';

const BSU = '\u001b[?2026h';

class FakeTerminal extends Writable {
  readonly isTTY = true;
  columns = 120;
  rows = 32;
  writes = 0;
  bytes = 0;
  frames = 0;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.writes++;
    this.bytes += Buffer.byteLength(text);
    if (text.includes(BSU)) this.frames++;
    done();
  }
}

/** Raw-mode stdin that never sends a key. */
function fakeStdin(): NodeJS.ReadStream {
  const s = new PassThrough() as unknown as NodeJS.ReadStream & { setRawMode(on: boolean): NodeJS.ReadStream };
  Object.assign(s, { isTTY: true, isRaw: false, ref: () => s, unref: () => s });
  s.setRawMode = () => s;
  return s;
}

const commands: EngineCommands = {
  flatten: () => undefined,
  toggleMarketOnTarget: () => undefined,
  reconcileNow: () => undefined,
  togglePause: () => undefined,
  quit: () => undefined,
};

const SYMBOLS = ['NIFTY25000CE', 'NIFTY25000PE', 'BANKNIFTY52000CE', 'BANKNIFTY52000PE', 'FINNIFTY23500CE', 'FINNIFTY23500PE', 'MIDCPNIFTY12000CE', 'SENSEX80000CE', 'SENSEX80000PE'];

/** A store as it looks mid-session: long and protected, a few trades done, a full log tail. */
function populatedStore(now: number, symbol = 'NIFTY25000CE'): AppStore {
  const store = createAppStore();
  const a = store.getState();
  a.configured({ mode: 'paper', brokerLabel: 'openalgo@127.0.0.1:5000', symbol, exchange: 'NFO', product: 'MIS', lots: 1, marketOnTarget: false, barMs: 5000 });
  a.instrumentResolved({ lotSize: 65, tickSize: 0.05 });
  a.entriesHeldChanged(null);
  a.engineStateChanged({ position: { phase: 'protected', side: 'long', requested: 75, entryFilled: 75, held: 75, exited: 0, avgEntry: 100.1, openedAt: now - 42_000 } });
  a.engineStateChanged({ legs: {
    target: { role: 'target', orderId: '250000012', type: 'LIMIT', price: 102.1, trigger: null, quantity: 75, filled: 0, phase: 'working' },
    stop: { role: 'stop', orderId: '250000013', type: 'SL-M', price: null, trigger: 99.1, quantity: 75, filled: 0, phase: 'working' },
  } });
  const trades = Array.from({ length: 6 }, (_, i) => ({
    openedAt: now - (i + 2) * 300_000, closedAt: now - (i + 2) * 300_000 + 60_000, entry: 100, exit: i % 3 === 0 ? 102 : 99,
    quantity: 75, reason: (i % 3 === 0 ? 'target' : 'stop') as 'target' | 'stop', gross: i % 3 === 0 ? 150 : -75, costs: 40, net: i % 3 === 0 ? 110 : -115,
  }));
  a.engineStateChanged({ pnl: { realised: -120, trades: 6, wins: 2, losses: 4, day: '2026-11-24' }, tradesToday: trades });
  for (let i = 0; i < 60; i++) {
    a.logged({ at: now - (60 - i) * 5000, level: i % 11 === 0 ? 'WARN' : 'INFO', tag: ['SIGNAL', 'ENTRY', 'EXITS', 'FILL', 'TRADE'][i % 5] as string, text: `line ${i}: MARKET BUY 75 NIFTY25000CE (1 × 75) → filled 75/75 @ ₹100.10` });
  }
  // Five minutes of the paper market's 5 s bars behind the chart, four quotes a bar.
  for (let t = now - 300_000, p = 2007, i = 0; t < now; t += 1250, i++) a.quoteReceived((p += (i % 7) - 3) * 0.05, 99.8, t);
  a.clockTicked(now, 'in_session', now + 4000);
  a.quoteReceived(100.35, 99.8, now);
  return store;
}

const instrumentCount = Math.max(1, Math.min(SYMBOLS.length, Number(process.env.BENCH_INSTRUMENTS ?? 1) || 1));
const stores = SYMBOLS.slice(0, instrumentCount).map((symbol) => populatedStore(Date.now(), symbol));
const store = stores[0] as AppStore;
const random = rng(11);
const ltpTicks = stores.map(() => 2007);
let feedTimers: NodeJS.Timeout[] = [];
let ticks = 0;

function startFeed(perSecond: number): void {
  stopFeed();
  if (perSecond <= 0) return;
  const periodMs = 1000 / perSecond;
  stores.forEach((st, i) => {
    const tick = (): void => {
      const now = Date.now();
      const a = st.getState();
      ltpTicks[i] = (ltpTicks[i] ?? 2007) + Math.round((random.next() - 0.5) * 6);
      a.clockTicked(now, 'in_session', now + 5000 - (now % 5000));
      a.brokerCallSucceeded(now, 2);
      a.quoteReceived((ltpTicks[i] ?? 2007) * 0.05, 99.8);
      ticks++;
    };
    // Each instrument's quotes on a phase of its own: independent quote loops do not line up.
    const start = setTimeout(() => {
      tick();
      feedTimers.push(setInterval(tick, periodMs));
    }, (periodMs * i) / stores.length);
    feedTimers.push(start);
  });
}

function stopFeed(): void {
  for (const t of feedTimers) clearTimeout(t);
  feedTimers = [];
}

const term = new FakeTerminal();
let dashboard: ReturnType<typeof startDashboard> | null = null;

serveRpc({
  async mount() {
    if (!dashboard) {
      // BENCH_TICK_MS: try another coalescing interval for market ticks (startDashboard's tickMs).
      const tickMs = process.env.BENCH_TICK_MS ? Number(process.env.BENCH_TICK_MS) : undefined;
      const desk = createDeskStore(stores.map((st) => ({ key: `${st.getState().symbol}@NFO`, symbol: st.getState().symbol, exchange: 'NFO', store: st, commands })));
      const deskCommands: DeskCommands = { flattenAll: () => undefined, setPausedAll: () => undefined, quit: () => undefined };
      dashboard = startDashboard({
        ...(stores.length > 1 ? { desk, deskCommands } : { store, commands }),
        stdout: term as unknown as NodeJS.WriteStream,
        stdin: fakeStdin(),
        color: true,
        ...(tickMs !== undefined ? { tickMs } : {}),
      });
    }
    return true;
  },
  async unmount() {
    dashboard?.unmount();
    dashboard = null;
    return true;
  },
  /** Run the feed at `perSecond`, warm up, then measure CPU and output over `measureMs`. */
  async measure(args: { perSecond: number; warmMs: number; measureMs: number }) {
    startFeed(args.perSecond);
    await new Promise((r) => setTimeout(r, args.warmMs));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const f0 = { frames: term.frames, writes: term.writes, bytes: term.bytes, ticks };
    await new Promise((r) => setTimeout(r, args.measureMs));
    const cpu = process.cpuUsage(c0);
    const wallMs = performance.now() - t0;
    stopFeed();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      perSecond: args.perSecond,
      mounted: dashboard !== null,
      wallMs,
      cpuMs,
      cpuPctOfCore: (cpuMs / wallMs) * 100,
      cpuMsPerMinute: (cpuMs * 60_000) / wallMs,
      framesPerMinute: ((term.frames - f0.frames) * 60_000) / wallMs,
      writesPerMinute: ((term.writes - f0.writes) * 60_000) / wallMs,
      kbPerMinute: ((term.bytes - f0.bytes) * 60_000) / wallMs / 1024,
      ticksPerMinute: ((ticks - f0.ticks) * 60_000) / wallMs,
      rssMb: process.memoryUsage().rss / 2 ** 20,
    };
  },
});
