// TEMPORARY: the push OCO part alone, with a trace of where each sample's time goes.
// node dist/bench/oco-trace.js [samples] [engines]
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { RpcChild } from './lib/ipc.js';
import { summarize } from './lib/stats.js';
import { BENCH_DIST } from './lib/util.js';
import { measureOco } from './oco.js';
import type { BenchEngine } from './lib/engine-on-server.js';

interface Ev { kind: string; at: number; [k: string]: unknown }
const events: Ev[] = [];
(globalThis as unknown as { __rsTrace?: (e: Ev) => void }).__rsTrace = (e) => events.push(e);

// Event-loop stalls: a 1 ms timer's lateness, recorded with its time.
const stalls: { at: number; lateMs: number; cpuMs: number }[] = [];
let last = performance.now();
let lastCpu = process.cpuUsage();
const timer = setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  const late = now - last - 1;
  if (late > 4) stalls.push({ at: performance.timeOrigin + now, lateMs: late, cpuMs: (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 });
  last = now;
  lastCpu = cpu;
}, 1);
const gcs: { at: number; ms: number; kind: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ at: performance.timeOrigin + e.startTime, ms: e.duration, kind: ((e as unknown as { detail?: { kind?: number } }).detail?.kind) ?? 0 });
}).observe({ entryTypes: ['gc'] });
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();

const samples = Number(process.argv[2] ?? 120);
const engines = Number(process.argv[3] ?? 6);
const host = RpcChild.fork(path.join(BENCH_DIST, 'server-child.js'));
let benchEngines: BenchEngine[] = [];
const r = await measureOco(host, { pollMs: 1000, seed: 5, feed: true, samples, engines, budgetMs: 90_000, onEngines: (e) => (benchEngines = e) });
const serverStalls = await host.call<{ at: number; lateMs: number; cpuMs: number }[]>('stalls', {});
await host.close();
clearInterval(timer);
h.disable();
const s = summarize(r.reactionMs);
process.stdout.write(`n=${s.n} median=${s.median} p90=${s.p90} p99=${s.p99} max=${s.max} lost=${r.invalid.length}\n`);
process.stdout.write(`event loop delay p50=${(h.percentile(50) / 1e6).toFixed(1)} p99=${(h.percentile(99) / 1e6).toFixed(1)} max=${(h.max / 1e6).toFixed(1)} ms\n`);
const lockIds = benchEngines.map((be) => (be.engine as unknown as { lock: { id: number } }).lock.id);
const rows = r.detail.map((d, i) => ({ ...d, ms: r.reactionMs[i] as number }));
rows.sort((a, b) => b.ms - a.ms);
const f = (x: number | undefined): string => (x === undefined ? '   ?' : x.toFixed(1).padStart(6));
process.stdout.write('reaction | fill→push | push→apply(lock wait) | apply→cancel sent | sent→server | lock holder at push | stalls in window\n');
for (const d of rows.slice(0, Math.max(8, Math.ceil(rows.length * 0.05)))) {
  const lock = lockIds[d.engine];
  const push = events.find((e) => e.kind === 'push' && e.lock === lock && e.orderId === d.leg && e.at >= d.fillAt - 5);
  const apply = events.find((e) => e.kind === 'apply' && e.lock === lock && e.orderId === d.leg && push && e.at >= push.at);
  const calls = benchEngines[d.engine]?.calls ?? [];
  const cancel = calls.find((c) => c.name === 'cancelorder' && c.at >= d.fillAt);
  const cancelSent = cancel ? cancel.at - cancel.rttMs : undefined;
  const st = stalls.filter((x) => x.at >= d.fillAt && x.at - x.lateMs <= d.cancelAt).map((x) => `${x.lateMs.toFixed(0)}/${x.cpuMs.toFixed(0)}`);
  const gc = gcs.filter((x) => x.at + x.ms >= d.fillAt && x.at <= d.cancelAt).map((x) => x.ms.toFixed(1));
  const sst = serverStalls.filter((x) => x.at >= d.fillAt && x.at - x.lateMs <= d.cancelAt).map((x) => `${x.lateMs.toFixed(0)}/${x.cpuMs.toFixed(0)}`);
  const http = cancelSent === undefined ? undefined : events.find((e) => e.kind === 'http' && e.call === 'cancelorder' && Math.abs(e.at - (cancel?.at ?? 0)) <= 2);
  const t = http?.t as Record<string, number | undefined> | undefined;
  const ph = t ? `sock ${((t.socket ?? 0) - (t.start ?? 0)).toFixed(0)} conn ${((t.connect ?? 0) - (t.socket ?? 0)).toFixed(0)} up ${((t.upload ?? 0) - (t.connect ?? 0)).toFixed(0)} resp ${((t.response ?? 0) - (t.upload ?? 0)).toFixed(0)} start@${((t.start ?? 0) - d.fillAt).toFixed(0)} upload@${((t.upload ?? 0) - d.fillAt).toFixed(0)}` : '';
  const holder = push?.busy ? `${String(push.holder).slice(0, 90)} (held ${(push.at - Number(push.holderSince)).toFixed(0)} ms)` : '-';
  process.stdout.write(`${f(d.ms)} | ${f(push ? push.at - d.fillAt : undefined)} | ${f(push && apply ? apply.at - push.at : undefined)} | ${f(apply && cancelSent ? cancelSent - apply.at : undefined)} | ${f(cancelSent !== undefined ? d.cancelAt - cancelSent : undefined)} | ${holder} | c:${st.join(',')} s:${sst.join(',')} gc:${gc.join(',')} | ${ph}\n`);
}
// Every sample's components, summarised.
const comp: Record<string, number[]> = { fillToPush: [], lockWait: [], applyToSend: [], sendToServer: [], connect: [] };
let busyAtPush = 0;
const busyBy = new Map<string, number>();
for (const d of rows) {
  const lock = lockIds[d.engine];
  const push = events.find((e) => e.kind === 'push' && e.lock === lock && e.orderId === d.leg && e.at >= d.fillAt - 5);
  const apply = events.find((e) => e.kind === 'apply' && e.lock === lock && e.orderId === d.leg && push && e.at >= push.at);
  const cancel = (benchEngines[d.engine]?.calls ?? []).find((c) => c.name === 'cancelorder' && c.at >= d.fillAt);
  if (!push || !apply || !cancel) continue;
  const sent = cancel.at - cancel.rttMs;
  comp.fillToPush?.push(push.at - d.fillAt);
  comp.lockWait?.push(apply.at - push.at);
  comp.applyToSend?.push(sent - apply.at);
  comp.sendToServer?.push(d.cancelAt - sent);
  const http = events.find((e) => e.kind === 'http' && e.call === 'cancelorder' && Math.abs(e.at - cancel.at) <= 2);
  const t = http?.t as Record<string, number | undefined> | undefined;
  if (t?.connect !== undefined && t.socket !== undefined) comp.connect?.push(t.connect - t.socket);
  if (push.busy) {
    busyAtPush++;
    const who = String(push.holder).split(' < ')[0] ?? '';
    busyBy.set(who, (busyBy.get(who) ?? 0) + 1);
  }
}
for (const [k, v] of Object.entries(comp)) {
  const q = summarize(v);
  process.stdout.write(`component ${k}: n=${q.n} median=${q.median.toFixed(1)} p90=${q.p90.toFixed(1)} p99=${q.p99.toFixed(1)} max=${q.max.toFixed(1)}\n`);
}
process.stdout.write(`lock busy when the fill's push arrived: ${busyAtPush} of ${rows.length} ${JSON.stringify([...busyBy])}\n`);
// Lock holds overall: how long, by what.
const holds = events.filter((e) => e.kind === 'lock').map((e) => ({ label: String(e.label).split(' < ')[0] ?? '', ms: Number(e.end) - Number(e.start) }));
const by = new Map<string, number[]>();
for (const x of holds) by.set(x.label, [...(by.get(x.label) ?? []), x.ms]);
for (const [label, ms] of by) {
  const q = summarize(ms);
  process.stdout.write(`hold ${label.slice(0, 80)}: n=${q.n} median=${q.median.toFixed(1)} p99=${q.p99.toFixed(1)} max=${q.max.toFixed(1)}\n`);
}
const big = stalls.filter((x) => x.lateMs > 10);
process.stdout.write(`client stalls >10ms: ${big.length}, their wall ${big.reduce((a, x) => a + x.lateMs, 0).toFixed(0)} ms, own CPU in them ${big.reduce((a, x) => a + x.cpuMs, 0).toFixed(0)} ms; GC total ${gcs.reduce((a, x) => a + x.ms, 0).toFixed(0)} ms, max ${Math.max(0, ...gcs.map((x) => x.ms)).toFixed(1)}\n`);
process.stdout.write(`stalls >4ms: ${stalls.length}, >15ms: ${stalls.filter((x) => x.lateMs > 15).length}, max ${Math.max(0, ...stalls.map((x) => x.lateMs)).toFixed(0)}\n`);
process.exit(0);
