import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalPath, openJournal } from '../../src/journal/db.js';
import { readSessions, readTrades } from '../../src/journal/reads.js';
import { defaultPaperSymbol } from '../../src/time/expiry.js';
import { account, ensureBuilt, fastLiveEnv, start, startPaperServer, tempDir, type Child } from '../support/proc.js';

// Crash and restart for real: the compiled CLI, headless, trading a paper-server over HTTP, is
// killed with SIGKILL at chosen moments (an entry in flight, between the two legs, right after
// a fill is written, at a random instant), started again on the same state directory, and the
// account is then checked through plain HTTP calls to the server. Real time, so every wait is
// on a log line or on the server's answer, never a fixed long sleep.

const KEY = 'crash-restart-key-7Q2W9E';
// paper-server's default instrument (the near-month NIFTY 25000 call).
const SYMBOL = defaultPaperSymbol(Date.now());
const BROKERAGE = 20;

interface StateFigures {
  pnl: { realised: number; trades: number };
  trades: { costs: number; charges?: { brokerage: number; stt: number; total: number } }[];
}

/** The state file's round trips' costs; each pays brokerage on at least its two orders, and STT on its sale. */
function costsOf(state: StateFigures): number {
  for (const t of state.trades) {
    expect(t.charges?.brokerage ?? 0).toBeGreaterThanOrEqual(2 * BROKERAGE);
    expect(t.charges?.stt ?? 0).toBeGreaterThan(0);
    expect(t.costs).toBe(t.charges?.total);
  }
  return state.trades.reduce((a, t) => a + Math.round(t.costs * 100), 0) / 100;
}
let server: Child;
let url: string;

beforeAll(async () => {
  ensureBuilt();
  ({ server, url } = await startPaperServer(KEY, ['--seed', '23']));
}, 60_000);

afterAll(async () => {
  server?.kill('SIGTERM');
  await server?.exited;
});

function botEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return fastLiveEnv(url, KEY, SYMBOL, dir, { LOTS: '2', BROKERAGE_PER_TRADE_RUPEES: String(BROKERAGE), ...extra });
}

type Account = Awaited<ReturnType<typeof account>>;

/** What must hold after a restart has reconciled: flat with nothing working, or long with exactly one target and one stop sized to it. */
function problems(a: Account): string[] {
  const out: string[] = [];
  const sells = a.working.filter((o) => o.action === 'SELL');
  const targets = sells.filter((o) => o.pricetype === 'LIMIT');
  const stops = sells.filter((o) => o.pricetype === 'SL' || o.pricetype === 'SL-M');
  const others = a.working.filter((o) => !targets.includes(o) && !stops.includes(o));
  if (a.net < 0) out.push(`net SHORT ${a.net}`);
  if (a.net === 0 && a.working.length > 0) out.push(`flat, yet working: ${a.working.map((o) => `${o.orderid} ${o.action} ${o.pricetype} ${o.left}`).join(', ')}`);
  if (a.net > 0) {
    if (targets.length !== 1 || targets[0]?.left !== a.net) out.push(`long ${a.net} with targets ${JSON.stringify(targets.map((o) => o.left))}`);
    if (stops.length !== 1 || stops[0]?.left !== a.net) out.push(`long ${a.net} with stops ${JSON.stringify(stops.map((o) => o.left))}`);
    if (others.length > 0) out.push(`long ${a.net}, also working: ${others.map((o) => `${o.orderid} ${o.action} ${o.pricetype}`).join(', ')}`);
  }
  return out;
}

/** Poll the server until the account is consistent for a symbol (the bot may be mid-step when we look). */
async function settled(within = 12_000, at = url, symbol = SYMBOL): Promise<Account> {
  const until = Date.now() + within;
  let last: Account = await account(at, KEY, symbol);
  while (problems(last).length > 0) {
    if (Date.now() > until) throw new Error(`${symbol}: account not consistent ${within} ms after the restart: ${problems(last).join('; ')}`);
    await new Promise((r) => setTimeout(r, 150));
    last = await account(at, KEY, symbol);
  }
  return last;
}

function grossOf(trades: Account['trades']): number {
  let g = 0;
  for (const t of trades) g += (t.action === 'SELL' ? 1 : -1) * Number(t.quantity) * Number(t.average_price);
  return Math.round(g * 100) / 100;
}

describe('crash and restart of the real process', () => {
  it('SIGKILL mid-entry, between legs, after a fill and at random: the restart leaves no orphan, sized legs, and a P&L the trade book agrees with', async () => {
    const dir = tempDir('rs-crash-');
    const log: string[] = [];
    // Each kill waits for its moment in the output of the bot that is running.
    const moments: { name: string; after?: RegExp; randomMs?: number }[] = [
      { name: 'entry in flight', after: /\[ENTRY\] MARKET BUY/ },
      { name: 'between the legs', after: /\[EXITS\] target/ },
      { name: 'right after a fill is written', after: /\[(FILL|TRADE)\] / },
      { name: 'both legs just placed', after: /\[EXITS\] stop/ },
      { name: 'a random moment', randomMs: Math.floor(Math.random() * 3_000) },
    ];
    let bot = start(['--live', '--headless'], botEnv(dir));
    let from = (await bot.waitFor(/\[START\] trading/)).end;
    for (const m of moments) {
      if (m.after) from = (await bot.waitFor(m.after, { from, timeoutMs: 30_000 })).end;
      else await new Promise((r) => setTimeout(r, m.randomMs));
      bot.kill('SIGKILL');
      const { signal } = await bot.exited;
      expect(signal).toBe('SIGKILL');
      log.push(`--- killed: ${m.name} ---\n${bot.output()}`);
      bot = start(['--live', '--headless'], botEnv(dir));
      from = (await bot.waitFor(/\[RECOVERY\] recovered: (FLAT|LONG \d+)/, { timeoutMs: 20_000 })).end;
      await bot.waitFor(/\[START\] trading/, { from: 0 });
      try {
        await settled();
      } catch (err) {
        throw new Error(`after "${m.name}": ${(err as Error).message}\n${log.join('\n')}\n--- restarted ---\n${bot.output()}`);
      }
    }
    // The graceful exit: flat (or flattened), exit code 0.
    bot.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(code, bot.output()).toBe(0);
    expect(bot.output()).toMatch(/\[STOP\] stopped flat/);
    const end = await account(url, KEY, SYMBOL);
    expect(problems(end)).toEqual([]);
    expect(end.net).toBe(0);

    // The day's P&L: the state file and the last summary line agree, and match the trade book
    // (every fill of the day, all bots) less each round trip's costs: brokerage per executed order
    // (at least 2 × BROKERAGE) and the statutory charges of its fills.
    const state = JSON.parse(fs.readFileSync(path.join(dir, `live-NFO-${SYMBOL}.state.json`), 'utf8')) as StateFigures;
    const summaries = [...bot.output().matchAll(/STATE=FLAT day_pnl=(-?[\d.]+) trades=(\d+)/g)];
    const lastSummary = summaries.at(-1);
    expect(lastSummary, bot.output()).toBeDefined();
    expect(Number(lastSummary?.[1])).toBeCloseTo(state.pnl.realised, 2);
    expect(Number(lastSummary?.[2])).toBe(state.pnl.trades);
    const expected = grossOf(end.trades) - costsOf(state);
    expect(Math.abs(state.pnl.realised - expected), `realised ${state.pnl.realised}, trade book implies ${expected}\n${log.join('\n')}\n${bot.output()}`).toBeLessThanOrEqual(0.01 * Math.max(1, state.pnl.trades) + 1e-9);
    expect(state.pnl.trades).toBeGreaterThan(0);

    // The journal, through five kills: every round trip of the state file once, no more, and
    // every session recorded (the last one with its exit code).
    const db = openJournal(journalPath(dir, 'live'), { now: Date.now() });
    try {
      const trades = readTrades(db);
      expect(trades.length, JSON.stringify(trades)).toBe(state.pnl.trades);
      expect(trades.reduce((a, t) => a + t.net, 0)).toBeCloseTo(state.pnl.realised, 2);
      const sessions = readSessions(db);
      expect(sessions).toHaveLength(moments.length + 1);
      expect(sessions.at(-1)?.exitCode).toBe(0);
    } finally {
      db.close();
    }
  }, 120_000);

  it('SIGTERM while flat stops at once with exit code 0', async () => {
    const dir = tempDir('rs-crash-');
    // No entries (every 10,000th bar): flat from start to stop.
    const bot = start(['--live', '--headless'], botEnv(dir, { TRADE_EVERY_N_BARS: '10000' }));
    await bot.waitFor(/\[START\] trading/);
    await bot.waitFor(/STATE=FLAT/);
    const t0 = Date.now();
    bot.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(code, bot.output()).toBe(0);
    expect(bot.output()).toMatch(/\[STOP\] stopped flat/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  }, 30_000);
});

describe('crash and restart of the real process trading two instruments (SYMBOLS)', () => {
  // The call and the put of the same strike, both on one paper-server (--symbols), one bot.
  const SYMBOLS = [SYMBOL, SYMBOL.replace(/CE$/, 'PE')];
  let desk: Child;
  let deskUrl: string;

  beforeAll(async () => {
    ensureBuilt();
    ({ server: desk, url: deskUrl } = await startPaperServer(KEY, ['--seed', '29', '--symbols', SYMBOLS.join(',')]));
  }, 60_000);

  afterAll(async () => {
    desk?.kill('SIGTERM');
    await desk?.exited;
  });

  it("SIGKILL at moments in either instrument's output: every instrument recovers, both accounts have no orphan and sized legs, each P&L agrees with its trade book", async () => {
    const dir = tempDir('rs-crash-desk-');
    // SYMBOLS instead of SYMBOL (both set is refused).
    const { SYMBOL: _one, ...fast } = fastLiveEnv(deskUrl, KEY, SYMBOL, dir, { LOTS: '1', BROKERAGE_PER_TRADE_RUPEES: String(BROKERAGE) });
    const env = { ...fast, SYMBOLS: SYMBOLS.join(',') };
    // Symbols are letters and digits: they go into a pattern as they are.
    const [ce, pe] = SYMBOLS.map((s) => `${s}@NFO`) as [string, string];
    const log: string[] = [];
    // Every line names its instrument after the level: each kill waits for one instrument's moment.
    const moments: { name: string; after?: RegExp; randomMs?: number }[] = [
      { name: 'the call: entry in flight', after: new RegExp(`${ce} \\[ENTRY\\] MARKET BUY`) },
      { name: 'the put: between the legs', after: new RegExp(`${pe} \\[EXITS\\] target`) },
      { name: 'either: right after a fill is written', after: new RegExp(`(${ce}|${pe}) \\[(FILL|TRADE)\\] `) },
      { name: 'a random moment', randomMs: Math.floor(Math.random() * 2_000) },
    ];
    const recovered = async (bot: Child): Promise<number> => {
      let end = 0;
      for (const key of [ce, pe]) end = Math.max(end, (await bot.waitFor(new RegExp(`${key} \\[RECOVERY\\] recovered: (FLAT|LONG \\d+)`), { from: 0, timeoutMs: 20_000 })).end);
      return end;
    };
    let bot = start(['--live', '--headless'], env);
    let from = await recovered(bot);
    for (const m of moments) {
      if (m.after) from = (await bot.waitFor(m.after, { from, timeoutMs: 20_000 })).end;
      else await new Promise((r) => setTimeout(r, m.randomMs));
      bot.kill('SIGKILL');
      const { signal } = await bot.exited;
      expect(signal).toBe('SIGKILL');
      log.push(`--- killed: ${m.name} ---\n${bot.output()}`);
      bot = start(['--live', '--headless'], env);
      try {
        from = await recovered(bot);
        for (const symbol of SYMBOLS) await settled(12_000, deskUrl, symbol);
      } catch (err) {
        throw new Error(`after "${m.name}": ${(err as Error).message}\n${log.join('\n')}\n--- restarted ---\n${bot.output()}`);
      }
    }
    bot.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(code, bot.output()).toBe(0);
    let trades = 0;
    for (const symbol of SYMBOLS) {
      const end = await account(deskUrl, KEY, symbol);
      expect(problems(end), symbol).toEqual([]);
      expect(end.net, symbol).toBe(0);
      // Each instrument's P&L from its own state file agrees with its own rows of the trade book.
      const state = JSON.parse(fs.readFileSync(path.join(dir, `live-NFO-${symbol}.state.json`), 'utf8')) as StateFigures;
      const expected = grossOf(end.trades) - costsOf(state);
      expect(Math.abs(state.pnl.realised - expected), `${symbol}: realised ${state.pnl.realised}, trade book implies ${expected}\n${bot.output()}`).toBeLessThanOrEqual(0.01 * Math.max(1, state.pnl.trades) + 1e-9);
      trades += state.pnl.trades;
    }
    expect(trades).toBeGreaterThan(0);
  }, 60_000);
});
