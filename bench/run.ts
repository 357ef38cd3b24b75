// `npm run bench [-- --quick] [-- --only=oco,flatten,gap,calls,feed,desk,dashboard,endurance,startup] [-- --serial] [-- --journal]`
//
// Measures the figures the design promises, through the real HTTP client against paper-server
// child processes on loopback, prints goal vs measured, and writes bench/results.json. Every
// figure also comes as a ratio to a baseline measured in the same run, because the machine is
// shared: a ratio moves less with the machine's load than the raw number does.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureCalls, trafficSummary, type CallsResult, type TrafficSummary } from './broker-calls.js';
import { measureDashboard, measureDeskDashboard, type DashboardResult } from './dashboard.js';
import { measureEndurance, type EnduranceResult } from './endurance.js';
import { measureFlatten, measureRtt, type FlattenResult, type RttResult } from './flatten.js';
import { RpcChild } from './lib/ipc.js';
import { round, roundSummary, summarize, type Summary } from './lib/stats.js';
import { BENCH_DIST, REPO_ROOT, log } from './lib/util.js';
import { measureOco, type OcoResult } from './oco.js';
import { measureFeedDrop, type FeedDropResult } from './feed-drop.js';
import { measureDesk, type DeskResult } from './desk.js';
import { measureStartup, type StartupResult } from './startup.js';
import { measureStopGap, type StopGapResult } from './stop-gap.js';
import { measureTrail, type TrailResult } from './trail.js';

const ALL = ['oco', 'trail', 'flatten', 'gap', 'calls', 'feed', 'desk', 'dashboard', 'endurance', 'startup'] as const;
type Part = (typeof ALL)[number];

interface Plan {
  rttReps: number;
  ocoDefault: { samples: number; engines: number; budgetMs: number };
  ocoBaseline: { samples: number; engines: number; budgetMs: number };
  ocoPush: { samples: number; engines: number; budgetMs: number };
  /** Trailing stop on push: tick → stop modified at the broker. */
  trail: { samples: number; budgetMs: number };
  feedDrop: { samples: number; downMs: number };
  flatten: { samples: number; engines: number; budgetMs: number };
  /** Gap through a stop's limit → flat: with the chase, and the baseline without one. */
  gap: { samples: number; baselineSamples: number; budgetMs: number };
  callsWindowMs: number;
  /** Desk of 4 against 1: OCO samples per instrument (the calls window is callsWindowMs). */
  desk: { samples: number; budgetMs: number };
  dashboard: { warmMs: number; measureMs: number };
  endurance: { interval: string };
  startupReps: number;
}

const FULL: Plan = {
  rttReps: 300,
  ocoDefault: { samples: 60, engines: 6, budgetMs: 90_000 },
  ocoBaseline: { samples: 30, engines: 6, budgetMs: 90_000 },
  ocoPush: { samples: 120, engines: 6, budgetMs: 90_000 },
  trail: { samples: 100, budgetMs: 90_000 },
  feedDrop: { samples: 6, downMs: 3_000 },
  flatten: { samples: 60, engines: 4, budgetMs: 60_000 },
  gap: { samples: 100, baselineSamples: 5, budgetMs: 120_000 },
  callsWindowMs: 45_000,
  desk: { samples: 30, budgetMs: 120_000 },
  dashboard: { warmMs: 3000, measureMs: 20_000 },
  endurance: { interval: '1m' },
  startupReps: 10,
};

const QUICK: Plan = {
  rttReps: 100,
  ocoDefault: { samples: 24, engines: 6, budgetMs: 30_000 },
  ocoBaseline: { samples: 6, engines: 6, budgetMs: 30_000 },
  ocoPush: { samples: 36, engines: 6, budgetMs: 30_000 },
  trail: { samples: 30, budgetMs: 30_000 },
  feedDrop: { samples: 3, downMs: 2_000 },
  flatten: { samples: 20, engines: 4, budgetMs: 20_000 },
  gap: { samples: 20, baselineSamples: 2, budgetMs: 40_000 },
  callsWindowMs: 15_000,
  desk: { samples: 10, budgetMs: 40_000 },
  dashboard: { warmMs: 1500, measureMs: 6000 },
  endurance: { interval: '5m' },
  startupReps: 4,
};

interface Row {
  figure: string;
  goal: string;
  unit: string;
  median: number | null;
  p99: number | null;
  /** The number the goal is judged on. */
  value: number | null;
  /** Its unit when it differs from `unit` (the median's). */
  valueUnit?: string;
  pass: boolean | null;
  baseline: { what: string; value: number | null; unit: string };
  /** value / baseline.value. */
  ratio: number | null;
  note: string;
}

function parseArgs(argv: string[]): { quick: boolean; serial: boolean; only: Set<Part>; out: string } {
  const quick = argv.includes('--quick');
  const serial = argv.includes('--serial');
  const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const only = new Set<Part>();
  for (const name of onlyArg ? onlyArg.split(',') : ALL) {
    if (!(ALL as readonly string[]).includes(name)) throw new Error(`unknown part "${name}"; parts: ${ALL.join(', ')}`);
    only.add(name as Part);
  }
  const out = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length) ?? path.join(REPO_ROOT, 'bench', 'results.json');
  return { quick, serial, only, out };
}

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null => {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  const q = a / b;
  return Math.abs(q) < 0.001 ? Number(q.toPrecision(2)) : round(q, 3);
};

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  // --journal: the network engines also write the SQLite trade journal (its cost on OCO and flatten).
  const journal = process.argv.includes('--journal');
  if (journal) process.env.BENCH_JOURNAL = '1';
  const plan = opts.quick ? QUICK : FULL;
  const t0 = Date.now();
  const meta = {
    startedAt: new Date(t0).toISOString(),
    quick: opts.quick,
    serial: opts.serial,
    journal,
    parts: [...opts.only],
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '',
    loadAvgStart: os.loadavg().map((x) => round(x, 2)),
    loadAvgEnd: [] as number[],
    wallMs: 0,
  };
  log(`${opts.quick ? 'quick' : 'full'}${journal ? ' journal-on' : ''} run of ${[...opts.only].join(', ')} on ${meta.cpus} cpus (load ${meta.loadAvgStart.join(' ')})`);

  const needsHost = opts.only.has('oco') || opts.only.has('trail') || opts.only.has('flatten') || opts.only.has('calls') || opts.only.has('feed') || opts.only.has('desk');
  const host = needsHost ? RpcChild.fork(path.join(BENCH_DIST, 'server-child.js')) : null;

  // Filled in by the measurements (some from closures that run side by side).
  const r: Results = {
    rtt: null, ocoDefault: null, ocoBaseline: null, ocoPush: null, ocoPushBusy: null, ocoPushShort: null, trail: null, flatten: null, gap: null, gapBaseline: null, calls: null, callsPush: null, feedDrop: null, desk: null, deskPush: null, traffic: null, dashboard: null, endurance: null, startup: null,
  };

  try {
    if (host && opts.only.has('flatten')) {
      log('loopback round trips (baseline)…');
      r.rtt = await measureRtt(host, plan.rttReps);
    }
    // The network figures and the dashboard's CPU run side by side (they hardly use the CPU;
    // `--serial` runs them one after another). Endurance and start-up, which load a core, run alone.
    const tasks: (() => Promise<void>)[] = [];
    if (host && (opts.only.has('oco') || opts.only.has('trail') || opts.only.has('flatten') || opts.only.has('gap'))) {
      tasks.push(async () => {
        if (opts.only.has('oco')) {
          log(`OCO reaction: ${plan.ocoDefault.samples} samples at OCO_POLL_SECONDS=1 and ${plan.ocoBaseline.samples} at 5 (baseline)…`);
          const a = () => measureOco(host, { pollMs: 1000, seed: 1, ...plan.ocoDefault });
          const b = () => measureOco(host, { pollMs: 5000, seed: 2, ...plan.ocoBaseline });
          if (opts.serial) {
            r.ocoDefault = await a();
            r.ocoBaseline = await b();
          } else {
            [r.ocoDefault, r.ocoBaseline] = await Promise.all([a(), b()]);
          }
          // On push alone (nothing else running), so its milliseconds are not queued behind the polling runs.
          log(`OCO reaction on the push feed: ${plan.ocoPush.samples} samples…`);
          r.ocoPush = await measureOco(host, { pollMs: 1000, seed: 5, feed: true, ...plan.ocoPush });
          log(`OCO reaction on the push feed with a safety poll and a reconciliation every second: ${plan.ocoPush.samples} samples…`);
          r.ocoPushBusy = await measureOco(host, { pollMs: 1000, seed: 25, feed: true, busy: true, ...plan.ocoPush });
          log(`OCO reaction on the push feed, short side: ${plan.ocoPush.samples} samples…`);
          r.ocoPushShort = await measureOco(host, { pollMs: 1000, seed: 15, feed: true, side: 'short', ...plan.ocoPush });
        }
        if (opts.only.has('trail')) {
          log(`trailing stop on the push feed: ${plan.trail.samples} moves…`);
          r.trail = await measureTrail(host, { seed: 11, ...plan.trail });
        }
        if (opts.only.has('flatten')) {
          log(`flatten latency: ${plan.flatten.samples} samples…`);
          r.flatten = await measureFlatten(host, { seed: 3, ...plan.flatten });
        }
        if (opts.only.has('gap')) {
          log(`gap through a stop's limit → flat: ${plan.gap.samples} samples with the chase, ${plan.gap.baselineSamples} without…`);
          r.gap = await measureStopGap(host, { seed: 7, chase: true, samples: plan.gap.samples, waitMs: 10_000, budgetMs: plan.gap.budgetMs });
          r.gapBaseline = await measureStopGap(host, { seed: 8, chase: false, samples: plan.gap.baselineSamples, waitMs: 5_000, budgetMs: plan.gap.budgetMs });
        }
      });
    }
    if (host && opts.only.has('calls')) {
      tasks.push(async () => {
        log(`broker calls: ${plan.callsWindowMs / 1000} s in position, ${plan.callsWindowMs / 1000} s flat…`);
        r.calls = await measureCalls(host, { windowMs: plan.callsWindowMs, seed: 4 });
        log(`broker calls on the push feed: ${plan.callsWindowMs / 1000} s in position, ${plan.callsWindowMs / 1000} s flat…`);
        r.callsPush = await measureCalls(host, { windowMs: plan.callsWindowMs, seed: 6, feed: true });
      });
    }
    if (host && opts.only.has('feed')) {
      tasks.push(async () => {
        log(`feed drops: ${plan.feedDrop.samples} drops of ${plan.feedDrop.downMs / 1000} s under a position…`);
        r.feedDrop = await measureFeedDrop(host, { seed: 7, ...plan.feedDrop });
      });
    }
    if (host && opts.only.has('desk')) {
      tasks.push(async () => {
        log(`several instruments: a desk of 4 and a desk of 1 in position (${plan.callsWindowMs / 1000} s), then ${plan.desk.samples} OCO samples per instrument…`);
        r.desk = await measureDesk(host, { windowMs: plan.callsWindowMs, seed: 8, ...plan.desk });
        log('several instruments on the push feed: the same, one WebSocket connection per desk…');
        r.deskPush = await measureDesk(host, { windowMs: plan.callsWindowMs, seed: 9, feed: true, ...plan.desk });
      });
    }
    if (opts.only.has('dashboard')) {
      tasks.push(async () => {
        log('dashboard cost…');
        r.dashboard = await measureDashboard(plan.dashboard);
        log('dashboard cost with 4 instruments…');
        r.dashboard.desk = await measureDeskDashboard({ ...plan.dashboard, instruments: 4 });
      });
    }
    if (opts.serial) for (const task of tasks) await task();
    else await Promise.all(tasks.map((task) => task()));
    if (host) r.traffic = await trafficSummary(host);
  } finally {
    await host?.close();
  }

  if (opts.only.has('endurance')) {
    log(`endurance: 09:15–15:30 IST on a FakeClock, ${plan.endurance.interval} bars…`);
    r.endurance = await measureEndurance({ interval: plan.endurance.interval, day: '2026-11-24', seed: 7 });
  }
  if (opts.only.has('startup')) {
    log(`start-up: ${plan.startupReps} runs under a pseudo-terminal…`);
    r.startup = await measureStartup({ reps: plan.startupReps });
  }

  meta.loadAvgEnd = os.loadavg().map((x) => round(x, 2));
  meta.wallMs = Date.now() - t0;

  const rows = buildRows(r);
  const { rtt, ocoDefault, ocoBaseline, ocoPush, ocoPushBusy, ocoPushShort, trail, flatten, gap, gapBaseline, calls, callsPush, feedDrop, desk, deskPush, traffic, dashboard, endurance, startup } = r;
  const summaries = {
    rtt: rtt && { placeOrderMs: roundSummary(summarize(rtt.placeOrderMs), 2), quoteMs: roundSummary(summarize(rtt.quoteMs), 2) },
    ocoDefault: ocoDefault && ocoSummary(ocoDefault),
    ocoBaseline: ocoBaseline && ocoSummary(ocoBaseline),
    ocoPush: ocoPush && ocoSummary(ocoPush),
    ocoPushBusy: ocoPushBusy && ocoSummary(ocoPushBusy),
    ocoPushShort: ocoPushShort && ocoSummary(ocoPushShort),
    trail: trail && { moveMs: roundSummary(summarize(trail.moveMs)), lost: trail.invalid, wallMs: trail.wallMs },
    callsPush,
    feedDrop: feedDrop && roundDeep(feedDrop),
    flatten: flatten && {
      toSellMs: roundSummary(summarize(flatten.toSellMs)),
      toFlatMs: roundSummary(summarize(flatten.toFlatMs)),
      lost: flatten.invalid,
      slowSamples: flatten.slow,
      wallMs: flatten.wallMs,
    },
    gap: gap && { flatMs: roundSummary(summarize(gap.flatMs)), notFlat: gap.notFlat, lost: gap.invalid, wallMs: gap.wallMs },
    gapBaseline: gapBaseline && { flatMs: roundSummary(summarize(gapBaseline.flatMs)), notFlat: gapBaseline.notFlat, lost: gapBaseline.invalid },
    calls,
    desk: desk && deskSummary(desk),
    deskPush: deskPush && deskSummary(deskPush),
    traffic,
    dashboard: dashboard && roundDeep(dashboard),
    endurance: endurance && roundDeep(endurance),
    startup: startup && {
      appFrameMs: roundSummary(summarize(startup.app.map((x) => x.frameMs))),
      appAltScreenMs: roundSummary(summarize(startup.app.map((x) => x.altMs))),
      bareFrameMs: roundSummary(summarize(startup.bare.map((x) => x.frameMs))),
    },
  };
  const raw = {
    rtt,
    ocoDefault: ocoDefault && { reactionMs: ocoDefault.reactionMs, windowMs: ocoDefault.windowMs },
    ocoBaseline: ocoBaseline && { reactionMs: ocoBaseline.reactionMs, windowMs: ocoBaseline.windowMs },
    ocoPush: ocoPush && { reactionMs: ocoPush.reactionMs, windowMs: ocoPush.windowMs },
    ocoPushBusy: ocoPushBusy && { reactionMs: ocoPushBusy.reactionMs, windowMs: ocoPushBusy.windowMs },
    ocoPushShort: ocoPushShort && { reactionMs: ocoPushShort.reactionMs, windowMs: ocoPushShort.windowMs },
    trail: trail && { moveMs: trail.moveMs },
    flatten: flatten && { toSellMs: flatten.toSellMs, toFlatMs: flatten.toFlatMs },
    gap: gap && { flatMs: gap.flatMs },
    desk: desk && { one: desk.one.reactionMs, four: desk.four.reactionMs },
    deskPush: deskPush && { one: deskPush.one.reactionMs, four: deskPush.four.reactionMs },
    startup,
  };
  const result = { meta, plan, rows, summaries, raw: roundDeep(raw) };

  process.stdout.write(`${renderTable(rows, meta)}\n`);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  const tmp = `${opts.out}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
  fs.renameSync(tmp, opts.out);
  log(`wrote ${path.relative(process.cwd(), opts.out) || opts.out} in ${(meta.wallMs / 1000).toFixed(0)} s`);
  const failed = rows.filter((r) => r.pass === false).length;
  if (failed > 0) log(`${failed} goal(s) missed`);
}

function ocoSummary(o: OcoResult) {
  return {
    pollMs: o.pollMs,
    engines: o.engines,
    reactionMs: roundSummary(summarize(o.reactionMs)),
    windowMs: roundSummary(summarize(o.windowMs)),
    lost: o.invalid,
    wallMs: o.wallMs,
  };
}

function deskSummary(d: DeskResult) {
  const side = (x: DeskResult['one']) => ({
    instruments: x.instruments,
    calls: x.calls,
    status429: x.status429,
    status429ByRoute: x.status429ByRoute,
    sharedReads: x.sharedReads,
    reactionMs: roundSummary(summarize(Object.values(x.reactionMs).flat())),
    reactionMsByInstrument: Object.fromEntries(Object.entries(x.reactionMs).map(([k, v]) => [k, roundSummary(summarize(v))])),
    lost: x.lost,
  });
  return { feed: d.feed, windowMs: d.windowMs, wallMs: d.wallMs, one: side(d.one), four: side(d.four) };
}

interface Results {
  rtt: RttResult | null;
  ocoDefault: OcoResult | null;
  ocoBaseline: OcoResult | null;
  ocoPush: OcoResult | null;
  ocoPushBusy: OcoResult | null;
  ocoPushShort: OcoResult | null;
  trail: TrailResult | null;
  gap: StopGapResult | null;
  gapBaseline: StopGapResult | null;
  flatten: FlattenResult | null;
  calls: CallsResult | null;
  callsPush: CallsResult | null;
  feedDrop: FeedDropResult | null;
  desk: DeskResult | null;
  deskPush: DeskResult | null;
  traffic: TrafficSummary | null;
  dashboard: DashboardResult | null;
  endurance: EnduranceResult | null;
  startup: StartupResult | null;
}

function latencyRow(figure: string, goal: string, goalMs: number, s: Summary, base: { what: string; s: Summary | null }, note: string): Row {
  return {
    figure,
    goal,
    unit: 'ms',
    median: round(s.median, 1),
    p99: round(s.p99, 1),
    value: round(s.p99, 1),
    pass: s.n === 0 ? null : s.p99 <= goalMs,
    baseline: { what: base.what, value: base.s ? round(base.s.p99, 1) : null, unit: 'ms' },
    ratio: ratio(s.p99, base.s?.p99),
    note,
  };
}

function buildRows(r: Results): Row[] {
  const rows: Row[] = [];
  if (r.ocoDefault) {
    const d = r.ocoDefault;
    const b = r.ocoBaseline;
    const bReaction = b ? summarize(b.reactionMs) : null;
    const bWindow = b ? summarize(b.windowMs) : null;
    rows.push(latencyRow('OCO reaction (fill → sibling cancel), poll 1 s', 'p99 ≤ 1200 ms', 1200, summarize(d.reactionMs),
      { what: 'same at OCO poll 5 s (original), p99', s: bReaction },
      `${d.reactionMs.length} samples, ${d.engines} engines in parallel${b ? `; baseline ${b.reactionMs.length} samples` : ''}`));
    rows.push(latencyRow('Over-exit window (sibling still working), poll 1 s', 'p99 ≤ 1200 ms', 1200, summarize(d.windowMs),
      { what: 'same at OCO poll 5 s (original), p99', s: bWindow },
      'fill → sibling cancelled at the broker'));
  }
  if (r.ocoPush) {
    const p = r.ocoPush;
    const poll = r.ocoDefault ? summarize(r.ocoDefault.reactionMs) : null;
    rows.push(latencyRow('OCO reaction on the push feed (fill → sibling cancel)', 'p99 ≤ 25 ms', 25, summarize(p.reactionMs),
      { what: 'polling at OCO_POLL_SECONDS=1, p99', s: poll },
      `${p.reactionMs.length} samples, ${p.engines} engines, real HTTP and WebSocket clients against paper-server; over-exit window p99 ${round(summarize(p.windowMs).p99, 1)} ms`));
  }
  if (r.ocoPushBusy) {
    const p = r.ocoPushBusy;
    rows.push(latencyRow('OCO reaction on push, a safety poll and a reconciliation every second', 'p99 ≤ 10 ms (#19)', 10, summarize(p.reactionMs),
      { what: 'push with the default 5 s safety poll and 30 s reconciliation, p99', s: r.ocoPush ? summarize(r.ocoPush.reactionMs) : null },
      `${p.reactionMs.length} samples, ${p.engines} engines; the pushed fill can wait behind a read under the engine's lock`));
  }
  if (r.ocoPushShort) {
    const p = r.ocoPushShort;
    rows.push(latencyRow('OCO reaction on the push feed, short side (DIRECTION=short)', 'p99 ≤ 25 ms', 25, summarize(p.reactionMs),
      { what: 'the long side in the same run, p99', s: r.ocoPush ? summarize(r.ocoPush.reactionMs) : null },
      `${p.reactionMs.length} samples, ${p.engines} engines; the same legs mirrored (BUY LIMIT below, BUY stop above)`));
  }
  if (r.trail) {
    const t = r.trail;
    rows.push(latencyRow('Trailing stop on the push feed (tick → stop modified at the broker)', 'p99 ≤ 25 ms', 25, summarize(t.moveMs),
      { what: 'loopback placeorder round trip, p99', s: r.rtt ? summarize(r.rtt.placeOrderMs) : null },
      `${t.moveMs.length} moves (TRAIL_STEP 0.50, TRAIL_MIN_INTERVAL_MS 250)${t.invalid.length > 0 ? `, ${t.invalid.length} lost` : ''}`));
  }
  if (r.gap) {
    const g = r.gap;
    const b = r.gapBaseline;
    const s = summarize(g.flatMs);
    rows.push({
      ...latencyRow("Gap through a stop's limit → flat, push (chase 500 ms × 3)", 'p99 ≤ 1200 ms (2 × STOP_CHASE_MS + one round trip)', 1200, s,
        { what: 'same gap, no chase (one-tick SL, the code before)', s: null },
        `${g.flatMs.length} samples${g.notFlat > 0 ? `, ${g.notFlat} not flat in 10 s` : ''}; baseline: ${b ? `${b.notFlat} of ${b.notFlat + b.flatMs.length} not flat within 5 s` : 'not run'}`),
      pass: s.n === 0 ? null : s.p99 <= 1200 && g.notFlat === 0,
    });
  }
  if (r.callsPush) {
    const s = r.callsPush.inPosition;
    const base = r.calls?.inPosition.perMinute ?? null;
    const routes = Object.entries(s.byRoute).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    rows.push({
      figure: 'REST calls per minute in position, push feed healthy',
      goal: '≤ 20 /min',
      unit: '/min',
      median: null,
      p99: null,
      value: round(s.perMinute, 1),
      pass: s.perMinute <= 20,
      baseline: { what: 'polling only, same minute', value: base === null ? null : round(base, 1), unit: '/min' },
      ratio: ratio(s.perMinute, base),
      note: `${round(s.windowMs / 1000, 0)} s window: ${routes}; flat on push: ${round(r.callsPush.flat.perMinute, 1)} /min`,
    });
  }
  if (r.feedDrop) {
    const d = r.feedDrop;
    const toPoll = summarize(d.toPollMs.filter(Number.isFinite));
    rows.push({
      figure: 'Feed drop → full-rate polling (first order-book poll at the server)',
      goal: `≤ ${d.ocoPollMs} ms (one poll)`,
      unit: 'ms',
      median: round(toPoll.median, 0),
      p99: round(toPoll.p99, 0),
      value: round(toPoll.max, 0),
      valueUnit: 'ms max',
      pass: toPoll.n === d.samples && toPoll.max <= d.ocoPollMs,
      baseline: { what: 'FEED_SAFETY_POLL_SECONDS, the wait without the fallback', value: 5000, unit: 'ms' },
      ratio: ratio(toPoll.max, 5000),
      note: `${d.samples} drops; feed trusted again after median ${round(summarize(d.toLiveMs).median, 0)} ms; resynced (order book, trade book, position book read) after ${d.resynced.filter(Boolean).length} of ${d.samples} reconnects`,
    });
  }
  if (r.flatten) {
    const rtt = r.rtt ? summarize(r.rtt.placeOrderMs) : null;
    const toFlat = summarize(r.flatten.toFlatMs);
    rows.push(latencyRow('Flatten (flatten() → market SELL at broker)', 'p99 ≤ 100 ms', 100, summarize(r.flatten.toSellMs),
      { what: 'one placeorder round trip, p99', s: rtt },
      `${r.flatten.toSellMs.length} samples; to flat in the engine: median ${round(toFlat.median, 0)} ms, p99 ${round(toFlat.p99, 0)} ms`));
  }
  if (r.calls) {
    for (const [label, s] of [['in position', r.calls.inPosition], ['flat', r.calls.flat]] as const) {
      const routes = Object.entries(s.byRoute).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
      rows.push({
        figure: `Broker calls, steady state ${label}`,
        goal: '≤ 10/s per route; 0 × 429',
        unit: '/min',
        median: round(s.perMinute, 1),
        p99: null,
        value: s.peakRoute.perSecond,
        valueUnit: '/s busiest route',
        pass: s.peakRoute.perSecond <= 10,
        baseline: { what: 'server limit per route', value: 10, unit: '/s' },
        ratio: ratio(s.peakRoute.perSecond, 10),
        note: `${round(s.windowMs / 1000, 0)} s window: ${routes} (per minute); busiest second: ${s.peakRoute.route} ${s.peakRoute.perSecond}, all order routes ${s.peakPerSecond.orders}, all other routes ${s.peakPerSecond.others}`,
      });
    }
  }
  for (const d of [r.desk, r.deskPush]) {
    if (!d) continue;
    const { one, four } = d;
    const how = d.feed ? 'push feed' : 'polling';
    const routes = (x: typeof one) => Object.entries(x.calls.byRoute).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    const callsRatio = ratio(four.calls.perMinute, one.calls.perMinute);
    const status429 = one.status429 + four.status429;
    rows.push({
      figure: `Broker calls per minute, 4 instruments in position (one process), ${how}`,
      goal: '≤ 1.5 × one instrument; 0 × 429',
      unit: '/min',
      median: round(four.calls.perMinute, 1),
      p99: null,
      value: callsRatio,
      valueUnit: '× one instrument',
      pass: callsRatio === null ? null : callsRatio <= 1.5 && status429 === 0,
      baseline: { what: 'one instrument, same run', value: round(one.calls.perMinute, 1), unit: '/min' },
      ratio: callsRatio,
      note: `${round(four.calls.windowMs / 1000, 0)} s window; 4: ${routes(four)}; 1: ${routes(one)} (per minute); busiest second with 4: ${four.calls.peakRoute.route} ${four.calls.peakRoute.perSecond}; 429 answers ${four.status429} (4${four.status429 > 0 ? `: ${Object.entries(four.status429ByRoute).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}) + ${one.status429} (1)${four.sharedReads ? `; book reads asked ${four.sharedReads.asked}, sent ${four.sharedReads.sent}` : ''}`,
    });
    const s4 = summarize(Object.values(four.reactionMs).flat());
    const s1 = summarize(Object.values(one.reactionMs).flat());
    const ocoRatio = ratio(s4.p99, s1.p99);
    const per = Object.entries(four.reactionMs).map(([k, v]) => `${k} ${round(summarize(v).p99, 0)}`).join(', ');
    rows.push({
      figure: `OCO reaction per instrument, 4 instruments active, ${d.feed ? 'push feed' : 'poll 1 s'}`,
      goal: `p99 ≤ 1.25 × one instrument, ≤ ${d.feed ? 25 : 1200} ms`,
      unit: 'ms',
      median: round(s4.median, 1),
      p99: round(s4.p99, 1),
      value: round(s4.p99, 1),
      pass: s4.n === 0 || s1.n === 0 ? null : s4.p99 <= (d.feed ? 25 : 1200) && (ocoRatio ?? 0) <= 1.25,
      baseline: { what: 'one instrument beside it, p99', value: round(s1.p99, 1), unit: 'ms' },
      ratio: ocoRatio,
      note: `${s4.n} samples over 4 instruments (p99 each: ${per}), ${s1.n} with one (median ${round(s1.median, 1)} ms)${[...one.lost, ...four.lost].length > 0 ? `; lost: ${[...one.lost, ...four.lost].join('; ')}` : ''}`,
    });
  }
  if (r.traffic) {
    const t = r.traffic;
    rows.push({
      figure: '429 answers, whole bench run (every paper server)',
      goal: '0',
      unit: 'count',
      median: null,
      p99: null,
      value: t.status429,
      pass: t.status429 === 0,
      baseline: { what: 'requests answered', value: t.requests, unit: 'count' },
      ratio: ratio(t.status429, t.requests),
      note: `busiest second on one server: route ${t.peakPerSecond.route} ${t.peakPerSecond.routePeak}; all order routes ${t.peakPerSecond.orders}, all other routes ${t.peakPerSecond.others}; 5xx answers ${t.otherErrors}`,
    });
  }
  if (r.dashboard) {
    const d = r.dashboard;
    // Judged on the dashboard's own share: the process's CPU less the same feed with nothing drawn.
    const desk = d.desk ? ([[`${d.desk.instruments} instruments at 1 tick/s each`, d.desk.feed1, d.desk.feedOnly1]] as const) : [];
    for (const [label, run, feed] of [
      ['20 ticks/s', d.feed20, d.feedOnly20],
      ['1 tick/s (default quote poll)', d.feed1, d.feedOnly1],
      ...desk,
      ['idle', d.idle, null],
    ] as const) {
      const share = run.cpuPctOfCore - (feed?.cpuPctOfCore ?? 0);
      rows.push({
        figure: `Dashboard CPU, ${label}`,
        goal: '≤ 2 % of one core',
        unit: '% core',
        median: null,
        p99: null,
        value: round(share, 2),
        pass: share <= 2,
        baseline: { what: feed ? 'the same feed, no dashboard' : 'nothing running', value: feed ? round(feed.cpuPctOfCore, 2) : 0, unit: '% core' },
        ratio: feed ? ratio(run.cpuPctOfCore, feed.cpuPctOfCore) : null,
        note: `process total ${round(run.cpuPctOfCore, 2)} % (${round(run.cpuMsPerMinute, 0)} ms CPU/min), ${round(run.framesPerMinute, 0)} frames/min, ${round(run.cpuMsPerMinute / Math.max(1, run.framesPerMinute), 1)} ms CPU per frame, ${round(run.kbPerMinute, 0)} KB/min written`,
      });
    }
  }
  if (r.endurance) {
    const e = r.endurance;
    // The first hour warms up (code paths, JIT); V8 also doubles its young generation once the
    // allocation rate is high, which a fast-forward makes it (six hours of work in seconds).
    const warm = e.samples.find((x) => x.ist >= '10:15') ?? e.atStart;
    const afterWarmUp = e.atEnd.rssMb - warm.rssMb - (e.atEnd.newSpaceMb - warm.newSpaceMb);
    rows.push({
      figure: `Endurance RSS growth, 09:15–15:30 IST, ${e.interval} bars`,
      goal: '≤ 10 MB',
      unit: 'MB',
      median: null,
      p99: null,
      value: round(e.rssGrowthMb, 1),
      pass: e.rssGrowthMb <= 10,
      baseline: { what: 'RSS at start (after GC)', value: round(e.atStart.rssMb, 1), unit: 'MB' },
      ratio: ratio(e.atEnd.rssMb, e.atStart.rssMb),
      note: `RSS ${round(e.atStart.rssMb, 1)} → ${round(e.atEnd.rssMb, 1)} MB (peak ${round(e.peakRssMb, 1)}): warm-up to 10:15 ${round(warm.rssMb - e.atStart.rssMb, 1)} MB, V8 young generation resized ${round(e.newSpaceGrowthMb, 1)} MB, the rest after 10:15 ${round(afterWarmUp, 1)} MB; ${e.trades} trades, ${e.logLines} log lines (${e.fileLines} in the file), ${e.brokerCalls} broker calls, ${e.stateWrites} state writes`,
    });
    rows.push({
      figure: 'Endurance live heap growth (after GC)',
      goal: '(leak check)',
      unit: 'MB',
      median: null,
      p99: null,
      value: round(e.atEnd.heapUsedMb - e.atStart.heapUsedMb, 1),
      pass: null,
      baseline: { what: 'live heap at start (after GC)', value: round(e.atStart.heapUsedMb, 1), unit: 'MB' },
      ratio: ratio(e.atEnd.heapUsedMb, e.atStart.heapUsedMb),
      note: 'what the day keeps: the in-process paper broker\'s order and trade books and the day\'s trades',
    });
    rows.push({
      figure: 'Endurance wall time for the session',
      goal: '(report)',
      unit: 's',
      median: null,
      p99: null,
      value: round(e.wallMs / 1000, 1),
      pass: null,
      baseline: { what: 'the session in real time', value: round(e.fakeHours * 3600, 0), unit: 's' },
      ratio: ratio(e.wallMs / 1000, e.fakeHours * 3600),
      note: `${round((e.fakeHours * 3_600_000) / e.wallMs, 0)}× faster than real time; CPU ${round(e.cpuMs / 1000, 1)} s; state-file writes (atomic, fsync'd) ${round(e.stateWriteMs / 1000, 1)} s of the wall time`,
    });
  }
  if (r.startup) {
    const app = summarize(r.startup.app.map((x) => x.frameMs));
    const bare = summarize(r.startup.bare.map((x) => x.frameMs));
    const alt = summarize(r.startup.app.map((x) => x.altMs));
    rows.push({
      figure: 'Start-up to first frame (node bin/random-scalp.js --paper)',
      goal: '≤ 500 ms',
      unit: 'ms',
      median: round(app.median, 0),
      p99: round(app.p99, 0),
      value: round(app.median, 0),
      pass: app.median <= 500,
      baseline: { what: 'bare `node -e` writing a frame, same pty, median', value: round(bare.median, 0), unit: 'ms' },
      ratio: ratio(app.median, bare.median),
      note: `${app.n} runs; alternate screen at median ${round(alt.median, 0)} ms; judged on the median (p99 of ${app.n} runs is their max)`,
    });
  }
  return rows;
}

function fmt(x: number | null, unit = ''): string {
  if (x === null || !Number.isFinite(x)) return '—';
  const s = Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
  return unit ? `${s} ${unit}` : s;
}

function renderTable(rows: Row[], meta: { quick: boolean; journal: boolean; cpus: number; loadAvgStart: number[]; loadAvgEnd: number[]; wallMs: number; node: string }): string {
  const header = ['figure', 'goal', 'median', 'p99 / value', 'result', 'baseline', 'ratio'];
  const body = rows.map((r) => [
    r.figure,
    r.goal,
    r.median === null ? '—' : fmt(r.median, r.unit),
    fmt(r.value, r.valueUnit ?? r.unit),
    r.pass === null ? 'info' : r.pass ? 'PASS' : 'MISS',
    `${fmt(r.baseline.value, r.baseline.unit)} (${r.baseline.what})`,
    r.ratio === null ? '—' : r.ratio !== 0 && Math.abs(r.ratio) < 0.001 ? `${r.ratio.toExponential(1)}×` : `${r.ratio.toFixed(r.ratio >= 10 ? 1 : 3)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const notes = rows.map((r) => `  - ${r.figure}: ${r.note}`);
  return [
    '',
    `random-scalp bench (${meta.quick ? 'quick' : 'full'}${meta.journal ? ', journal on' : ''}), node ${meta.node}, ${meta.cpus} cpus, load ${meta.loadAvgStart.join(' ')} → ${meta.loadAvgEnd.join(' ')}, ${(meta.wallMs / 1000).toFixed(0)} s`,
    '',
    line(header),
    sep,
    ...body.map(line),
    '',
    'notes:',
    ...notes,
  ].join('\n');
}

function roundDeep<T>(value: T): T {
  if (typeof value === 'number') return (Number.isInteger(value) ? value : round(value, 2)) as T;
  if (Array.isArray(value)) return value.map((v) => roundDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v)])) as T;
  }
  return value;
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
