// Endurance: a whole trading session, 09:15–15:30 IST, fast-forwarded on a FakeClock, in a
// process of its own (run with --expose-gc) so its RSS is the session's alone. The real Engine,
// store and logger (file sink), the real state file (atomic JSON), the in-process PaperBroker on
// an unfrozen default paper market (its default faults included). The live schedule: entries
// 09:20–15:15, square-off 15:15, bars of the given length.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { createDefaultPaperSetup } from '../src/broker/paper/index.js';
import { resolveConfig } from '../src/config/resolve.js';
import { engineSettings } from '../src/config/settings.js';
import { FakeClock } from '../src/time/clock.js';
import { Engine } from '../src/engine/engine.js';
import { JsonStateFile, MemoryStateFile, type StateFile } from '../src/engine/persistence.js';
import { parseEngineState, type EngineState } from '../src/engine/state.js';
import { createLogger } from '../src/log/logger.js';
import { createAppStore } from '../src/store/store.js';
import { serveRpc } from './lib/ipc.js';

const ist = (iso: string): number => Date.parse(`${iso}+05:30`);
const MB = 2 ** 20;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

function memory(): { rssMb: number; heapUsedMb: number; heapTotalMb: number; newSpaceMb: number; externalMb: number } {
  const m = process.memoryUsage();
  const newSpace = v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')?.space_size ?? 0;
  return { rssMb: m.rss / MB, heapUsedMb: m.heapUsed / MB, heapTotalMb: m.heapTotal / MB, newSpaceMb: newSpace / MB, externalMb: m.external / MB };
}

class CountingStateFile implements StateFile<EngineState> {
  writes = 0;
  ms = 0;
  constructor(private readonly inner: StateFile<EngineState>) {}
  get path(): string {
    return this.inner.path;
  }
  load(): EngineState | null {
    return this.inner.load();
  }
  save(state: EngineState): void {
    const t = performance.now();
    this.inner.save(state);
    this.ms += performance.now() - t;
    this.writes++;
  }
}

async function runSession(args: { interval: string; day: string; seed: number; stepMs: number }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'random-scalp-bench-'));
  try {
    const clock = new FakeClock(ist(`${args.day}T09:15:00`));
    const end = ist(`${args.day}T15:30:00`);
    const resolved = resolveConfig({
      store: {},
      dotenv: {},
      env: {},
      flags: {
        SYMBOL: 'NIFTY25000CE',
        EXCHANGE: 'NFO',
        INTERVAL: args.interval,
        SESSION_WINDOWS: '09:20-15:15',
        SQUARE_OFF_TIME: '15:15',
        TRADE_WEEKENDS: 'false',
        STATE_DIR: dir,
      },
      modeFlag: 'paper',
    });
    const c = resolved.config;
    const setup = createDefaultPaperSetup({ clock, seed: args.seed, symbol: 'NIFTY25000CE', exchange: 'NFO' });
    const store = createAppStore();
    store.getState().configured({ mode: 'paper', brokerLabel: 'paper', symbol: 'NIFTY25000CE', exchange: 'NFO', product: c.PRODUCT, lots: c.LOTS, marketOnTarget: c.ENABLE_MARKET_ON_TARGET });
    const logFile = path.join(dir, 'logs', 'session.log');
    const log = createLogger({ store, clock, secrets: [], filePath: logFile });
    // BENCH_STATE=memory: keep the state in memory instead (to tell the state file's share of a figure).
    const inner = process.env.BENCH_STATE === 'memory' ? new MemoryStateFile<EngineState>() : new JsonStateFile(path.join(dir, 'state.json'), parseEngineState);
    const stateFile = new CountingStateFile(inner);
    const engine = new Engine({
      broker: setup.broker,
      clock,
      store,
      log,
      settings: engineSettings(c),
      stateFile,
      marketOnTarget: c.ENABLE_MARKET_ON_TARGET,
      failClosedOnUnknownSymbol: false,
    });

    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    let started = false;
    const starting = engine.start().finally(() => {
      started = true;
    });
    await clock.advanceUntil(() => started, 120_000, 100);
    await starting;
    gc();
    const atStart = memory();
    const samples: ({ ist: string } & ReturnType<typeof memory>)[] = [];
    let peakRss = atStart.rssMb;
    let nextSample = clock.now();
    while (clock.now() < end) {
      await clock.advance(Math.min(args.stepMs, end - clock.now()));
      if (clock.now() >= nextSample) {
        const m = memory();
        peakRss = Math.max(peakRss, m.rssMb);
        samples.push({ ist: new Date(clock.now() + 330 * 60_000).toISOString().slice(11, 16), ...m });
        nextSample += 15 * 60_000;
      }
    }
    const sessionWallMs = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    const state = engine.state;
    const summary = {
      trades: state.pnl.trades,
      realised: state.pnl.realised,
      phaseAtEnd: state.phase,
      squaredOffDay: state.squaredOffDay,
      logLines: store.getState().logSeq,
      brokerCalls: Object.values(setup.broker.receivedCalls).reduce((a, b) => a + b, 0),
      ordersPlaced: setup.broker.placedOrders.length,
      stateWrites: stateFile.writes,
      stateWriteMs: stateFile.ms,
      marketSteps: setup.market.stepCount,
    };
    // Stop the way a trader would (q): the graceful exit, on the fake clock.
    let stopped = false;
    const stopping = engine.shutdown().finally(() => {
      stopped = true;
    });
    await clock.advanceUntil(() => stopped, 120_000, 250);
    const exitCode = await stopping;
    await log.close();
    gc();
    const atEnd = memory();
    const fileLines = fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length;
    return {
      interval: args.interval,
      day: args.day,
      fakeHours: (end - ist(`${args.day}T09:15:00`)) / 3_600_000,
      wallMs: sessionWallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      atStart,
      atEnd,
      peakRssMb: peakRss,
      rssGrowthMb: atEnd.rssMb - atStart.rssMb,
      newSpaceGrowthMb: atEnd.newSpaceMb - atStart.newSpaceMb,
      heapGrowthMb: atEnd.heapUsedMb - atStart.heapUsedMb,
      samples,
      fileLines,
      exitCode,
      ...summary,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

serveRpc({ session: runSession });
