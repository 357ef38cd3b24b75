import fs from 'node:fs';
import path from 'node:path';
import { BrokerError, describeError } from '../broker/errors.js';
import { OpenAlgoClient } from '../broker/openalgo/client.js';
import { analyzerReply, pingReply } from '../broker/openalgo/schemas.js';
import { createDefaultPaperSetup, DEFAULT_PAPER_SYMBOL } from '../broker/paper/index.js';
import type { Broker, Instrument } from '../broker/types.js';
import { segmentOf } from '../broker/segment.js';
import { freezeQuantityProblem, optionWritingProblem } from '../engine/exchange-rules.js';
import type { Direction } from '../engine/side.js';
import { describeBuffer } from '../engine/protective-price.js';
import type { FeedMode } from '../broker/feed.js';
import { CONFIG_KEYS } from '../config/schema.js';
import { ConfigError, describeSource, resolveConfig, type RawSources, type ResolvedConfig } from '../config/resolve.js';
import { systemClock } from '../time/clock.js';
import { JsonStateFile, stateFileName } from '../engine/persistence.js';
import { formatIstDateTime } from '../time/ist.js';
import { heldQuantity, openOrders, parseEngineState } from '../engine/state.js';
import { probe, serverWords, type ProbeReply } from './doctor-probe.js';
import { feedRow } from './doctor-feed.js';
import { calendarRow } from './doctor-calendar.js';
import { PaperCalendar, parsePaperHolidays } from '../broker/paper/calendar.js';
import { describeHolder, inspectInstanceLock, lockFileName } from './instance-lock.js';
import { configWarnings } from './config-warnings.js';
import type { DoctorRow } from './doctor-row.js';

// Every check `random-scalp doctor` makes, in the order a trader would fix things: each returns
// one row with what it measured and, when it is not ok, what to do about it.

export type { DoctorRow, RowStatus } from './doctor-row.js';

const ok = (check: string, figure: string): DoctorRow => ({ check, status: 'ok', figure });
const warn = (check: string, figure: string, advice: string): DoctorRow => ({ check, status: 'warn', figure, advice });
const fail = (check: string, figure: string, advice: string): DoctorRow => ({ check, status: 'fail', figure, advice });
const notChecked = (check: string, why: string): DoctorRow => warn(check, `not checked: ${why}`, 'fix the failing row above, then run doctor again');

/** Clock offsets: within this is ok; beyond it a warning; beyond the second a failure. */
export const CLOCK_OK_MS = 2_000;
export const CLOCK_FAIL_MS = 5 * 60_000;

export interface DoctorResult {
  rows: DoctorRow[];
  resolved: ResolvedConfig | null;
}

export async function runChecks(sources: RawSources): Promise<DoctorResult> {
  const rows: DoctorRow[] = [];
  let resolved: ResolvedConfig;
  try {
    resolved = resolveConfig(sources);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    rows.push(fail('config', err.message, 'fix the setting named above; `random-scalp config show` lists every setting and where it came from'));
    return { rows, resolved: null };
  }
  rows.push(configRow(resolved));
  const c = resolved.config;
  const symbol = c.SYMBOL ?? DEFAULT_PAPER_SYMBOL;
  const calendar: DoctorRow[] = [];
  if (resolved.mode === 'paper') rows.push(...(await paperRows(resolved, calendar)));
  else rows.push(...(await liveRows(resolved, calendar)));
  rows.push(stateDirRow(c.STATE_DIR));
  rows.push(lockRow(resolved, symbol));
  rows.push(savedStateRow(resolved, symbol));
  rows.push(await feedRowFor(resolved, rows));
  rows.push(calendar[0] ?? notChecked('calendar', 'the broker could not be asked'));
  return { rows, resolved };
}

function configRow(resolved: ResolvedConfig): DoctorRow {
  const given = CONFIG_KEYS.filter((k) => resolved.sourceOf[k] !== undefined && resolved.sourceOf[k] !== 'default');
  const from = given.map((k) => `${k} (${describeSource(resolved.sourceOf[k])})`).join(', ');
  const figure = `${resolved.mode.toUpperCase()} (${resolved.modeReason}); ${given.length ? `set: ${from}` : 'all defaults'}`;
  const w = configWarnings(resolved);
  return w.length ? warn('config', figure, w.join('; ')) : ok('config', figure);
}

// ---- paper ----------------------------------------------------------------------------------

/** `calendar` receives the calendar row, made while the broker is at hand (it comes last). */
async function paperRows(resolved: ResolvedConfig, calendar: DoctorRow[]): Promise<DoctorRow[]> {
  const c = resolved.config;
  const rows: DoctorRow[] = [
    ok('host', 'paper market in process: no server needed'),
    ok('key', 'not needed for paper'),
    ok('session', 'not needed for paper'),
    ok('analyzer', 'not applicable: paper orders never leave this machine'),
  ];
  const setup = createDefaultPaperSetup({
    clock: systemClock,
    seed: c.PAPER_SEED || 1,
    symbol: c.SYMBOL ?? DEFAULT_PAPER_SYMBOL,
    exchange: c.EXCHANGE,
    faults: c.PAPER_FAULTS,
    calendar: new PaperCalendar(parsePaperHolidays(c.PAPER_HOLIDAYS)),
  });
  try {
    rows.push(...(await symbolRows(setup.broker, c.SYMBOL ?? DEFAULT_PAPER_SYMBOL, c.EXCHANGE, c)));
    calendar.push(await calendarRow(setup.broker, c.EXCHANGE, systemClock.now(), c.TRADE_WEEKENDS));
  } finally {
    await setup.broker.close?.();
  }
  rows.push(ok('clock', 'paper market runs on this machine\'s clock: no offset'));
  return rows;
}

// ---- live -----------------------------------------------------------------------------------

async function liveRows(resolved: ResolvedConfig, calendar: DoctorRow[]): Promise<DoctorRow[]> {
  const c = resolved.config;
  const key = c.OPENALGO_API_KEY ?? '';
  const host = c.OPENALGO_API_HOST;
  const timeoutMs = Math.min(5_000, Math.round(c.API_TIMEOUT_SECONDS * 1000));
  const rows: DoctorRow[] = [];
  const ping = await probe(host, 'ping', { apikey: key }, timeoutMs);
  if (ping instanceof BrokerError) {
    rows.push(fail('host', `no answer from ${host}: ${ping.message}`, `start OpenAlgo, or set OPENALGO_API_HOST to where it runs (now from ${describeSource(resolved.sourceOf.OPENALGO_API_HOST)})`));
    for (const check of ['key', 'session', 'analyzer', 'symbol', 'clock']) rows.push(notChecked(check, 'the host does not answer'));
    return rows;
  }
  const rtt = `${Math.round(ping.rttMs)} ms`;
  if (ping.status >= 500 || ping.status === 404) {
    rows.push(fail('host', `answered in ${rtt} but HTTP ${ping.status} (${serverWords(ping.text, [key])})`, 'the server there is not a working OpenAlgo (a proxy with OpenAlgo down behind it, or another service): check OPENALGO_API_HOST and that OpenAlgo runs'));
    for (const check of ['key', 'session', 'analyzer', 'symbol']) rows.push(notChecked(check, 'the host is not a working OpenAlgo'));
    rows.push(clockRow(ping));
    return rows;
  }
  rows.push(ok('host', `${host} answered in ${rtt} (HTTP ${ping.status})`));

  let broker = '';
  let sessionOk = false;
  if (ping.status === 200) {
    const parsed = pingReply.safeParse(safeJson(ping.text));
    broker = parsed.success ? parsed.data.data.broker : '?';
    rows.push(ok('key', 'accepted'));
    rows.push(ok('session', `broker ${broker} logged in`));
    sessionOk = true;
  } else if (ping.status === 403) {
    // A valid key with no broker login today is refused by ping too; analyzer only checks the key.
    const analyzer = await probe(host, 'analyzer', { apikey: key }, timeoutMs);
    const words = serverWords(ping.text, [key]);
    if (!(analyzer instanceof BrokerError) && analyzer.status === 200) {
      rows.push(ok('key', 'accepted (the analyzer route answers)'));
      rows.push(fail('session', `no broker session: ping refused with HTTP 403 (${words})`, "log in to your broker in OpenAlgo's web UI (the broker session ends every day), then run doctor again"));
    } else {
      rows.push(fail('key', `refused: HTTP 403 (${words})`, 'copy the key from OpenAlgo (API Key page) into OPENALGO_API_KEY (.env, environment or `random-scalp config set`); if it is right, log in to your broker in OpenAlgo: some servers refuse a valid key the same way until then'));
      rows.push(notChecked('session', 'the key is refused'));
    }
  } else {
    rows.push(fail('key', `ping answered HTTP ${ping.status} (${serverWords(ping.text, [key])})`, 'check OPENALGO_API_HOST points at OpenAlgo and the server is healthy'));
    rows.push(notChecked('session', 'the key could not be checked'));
  }

  if (!rows.some((r) => r.check === 'key' && r.status === 'ok')) {
    rows.push(notChecked('analyzer', 'the key is refused'));
    rows.push(notChecked('symbol', 'the key is refused'));
  } else {
    rows.push(await analyzerRow(host, key, timeoutMs));
    if (sessionOk) {
      const client = new OpenAlgoClient({ host, apiKey: key, strategy: c.STRATEGY_NAME, timeoutMs, readRetries: 0 });
      try {
        rows.push(...(await symbolRows(client, c.SYMBOL ?? '', c.EXCHANGE, c)));
        calendar.push(await calendarRow(client, c.EXCHANGE, systemClock.now(), c.TRADE_WEEKENDS));
      } finally {
        await client.close();
      }
    } else {
      rows.push(notChecked('symbol', 'no broker session (search and quotes need one)'));
    }
  }
  rows.push(clockRow(ping));
  return rows;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function analyzerRow(host: string, key: string, timeoutMs: number): Promise<DoctorRow> {
  const reply = await probe(host, 'analyzer', { apikey: key }, timeoutMs);
  if (reply instanceof BrokerError) return warn('analyzer', `could not ask: ${reply.message}`, 'run doctor again; if it persists, check the analyzer switch in OpenAlgo before trading');
  if (reply.status === 404) return ok('analyzer', 'no analyzer route (an older server): taken as off');
  const parsed = analyzerReply.safeParse(safeJson(reply.text));
  if (reply.status !== 200 || !parsed.success) return warn('analyzer', `unexpected answer: HTTP ${reply.status}`, 'check the analyzer switch in OpenAlgo before trading');
  const on = parsed.data.data.analyze_mode || parsed.data.data.mode?.toLowerCase() === 'analyze';
  return on
    ? warn('analyzer', 'ON: OpenAlgo simulates every order (sandbox); nothing reaches the exchange', 'turn analyzer mode off in OpenAlgo to trade for real, or keep it on to rehearse (the header says LIVE·ANALYZER)')
    : ok('analyzer', 'off: orders go to the exchange');
}

/** The symbol row, then the exchange's order rules for it (freeze quantity, the stop it takes). */
async function symbolRows(broker: Pick<Broker, 'searchInstrument' | 'quote'>, symbol: string, exchange: string, c: ResolvedConfig['config']): Promise<DoctorRow[]> {
  let instrument;
  try {
    instrument = await broker.searchInstrument(symbol, exchange);
  } catch (err) {
    return [fail('symbol', `search failed: ${describeError(err)}`, 'run doctor again; if it persists, check the OpenAlgo server log')];
  }
  if (!instrument) {
    return [fail('symbol', `${symbol} not found on ${exchange}`, 'set SYMBOL in OpenAlgo\'s format (e.g. NIFTY30DEC2625000CE, expiry included) and EXCHANGE to its exchange; OpenAlgo\'s search page finds it')];
  }
  return [await symbolRow(broker, instrument), ...orderRuleRows(instrument, c)];
}

function orderRuleRows(instrument: Instrument, c: ResolvedConfig['config']): DoctorRow[] {
  const name = `${instrument.symbol}@${instrument.exchange}`;
  const qty = c.LOTS * instrument.lotSize;
  const tooLarge = freezeQuantityProblem(c.LOTS, instrument.lotSize, instrument.freezeQty, name);
  const freeze = tooLarge
    ? fail('freeze qty', tooLarge, `set LOTS to ${Math.floor((instrument.freezeQty ?? qty) / instrument.lotSize)} or less`)
    : ok('freeze qty', instrument.freezeQty === null ? `LOTS ${c.LOTS} × lot ${instrument.lotSize} = ${qty}; the broker gives no freeze quantity` : `LOTS ${c.LOTS} × lot ${instrument.lotSize} = ${qty} ≤ freeze quantity ${instrument.freezeQty}`);
  const segment = segmentOf(instrument.symbol, instrument.exchange, instrument.instrumentType);
  const option = segment === 'option';
  const type = c.STOP_ORDER_TYPE;
  const stops =
    option && type === 'SL-M'
      ? warn('stops', `STOP_ORDER_TYPE=SL-M on an option: the exchange refuses SL-M on options (since 27 Sep 2021); every stop is refused first, then sent as SL`, 'set STOP_ORDER_TYPE=auto (SL on options, SL-M elsewhere)')
      : ok('stops', `${type === 'SL' || (type === 'auto' && option) ? 'SL' : 'SL-M'}${option ? ' (an option: SL-M is refused there)' : ''}, limit buffer ${c.STOP_LIMIT_BUFFER.kind === 'auto' ? 'auto (price slab)' : describeBuffer(c.STOP_LIMIT_BUFFER)}; a triggered stop left unfilled is chased every ${c.STOP_CHASE_MS} ms, ${c.STOP_CHASE_TRIES} tries, then sold at market`);
  const writing = optionWritingProblem(c.DIRECTION as Direction, c.ALLOW_OPTION_WRITING, segment, name);
  const direction = writing
    ? fail('direction', writing, 'set DIRECTION=long, or ALLOW_OPTION_WRITING=true once the account has the margin for it')
    : option && c.DIRECTION !== 'long'
      ? warn('direction', `DIRECTION=${c.DIRECTION} on an option with ALLOW_OPTION_WRITING=true: each short writes the option; the broker blocks margin many times the premium and the loss is not limited to it`, 'check the margin for LOTS short in the broker\'s margin calculator first')
      : ok('direction', c.DIRECTION === 'long' ? 'long: buy, then sell' : `${c.DIRECTION}${c.DIRECTION === 'alternate' ? ' (long, then short, flipping after each round trip)' : ': sell, then buy back'}`);
  return [freeze, stops, direction];
}

async function symbolRow(broker: Pick<Broker, 'quote'>, instrument: Instrument): Promise<DoctorRow> {
  const { symbol, exchange } = instrument;
  const started = performance.now();
  try {
    const q = await broker.quote(symbol, exchange);
    const ms = Math.round(performance.now() - started);
    const figure = `${instrument.symbol}@${instrument.exchange}: lot ${instrument.lotSize}, tick ${instrument.tickSize}, LTP ${q.ltp} (bid ${q.bid ?? '—'}, ask ${q.ask ?? '—'}; quoted in ${ms} ms)`;
    if (!(q.ltp > 0)) return warn('symbol', figure, 'no last price: the market may be closed or the contract not trading; entries wait for a price');
    return ok('symbol', figure);
  } catch (err) {
    return warn('symbol', `lot ${instrument.lotSize}, tick ${instrument.tickSize}; no quote: ${describeError(err)}`, 'quotes need the broker session and market data; check OpenAlgo\'s log');
  }
}

function clockRow(reply: ProbeReply): DoctorRow {
  if (reply.serverDate === null) return warn('clock', 'the server sent no Date header: offset unknown', 'keep the machine on network time (timedatectl set-ntp true, or chrony)');
  // The Date header is whole seconds, stamped somewhere in the round trip: compare with its middle.
  const local = (reply.sentAt + reply.receivedAt) / 2;
  const offset = Math.round(local - reply.serverDate - 500);
  const size = Math.abs(offset);
  const figure = `this machine is ${(size / 1000).toFixed(1)} s ${offset >= 0 ? 'ahead of' : 'behind'} the server (±1 s: HTTP Date)`;
  const advice = 'turn on network time sync (timedatectl set-ntp true, or chrony/ntpd); a laptop after sleep or a VM without sync drifts';
  if (size <= CLOCK_OK_MS) return ok('clock', figure);
  if (size <= CLOCK_FAIL_MS) return warn('clock', figure, `bar closes and square-off run on this clock; ${advice}`);
  return fail('clock', figure, `the schedule would be minutes off the exchange: ${advice}`);
}

// ---- local ----------------------------------------------------------------------------------

function stateDirRow(dir: string): DoctorRow {
  const probeFile = path.join(dir, `.doctor-${process.pid}.tmp`);
  const started = performance.now();
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = fs.openSync(probeFile, 'w', 0o600);
    try {
      fs.writeSync(fd, 'doctor\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.unlinkSync(probeFile);
    return ok('state_dir', `${dir} writable (write + fsync ${(performance.now() - started).toFixed(1)} ms)`);
  } catch (err) {
    try {
      fs.rmSync(probeFile, { force: true });
    } catch {
      // the directory is not usable at all: nothing was left behind
    }
    const code = (err as NodeJS.ErrnoException).code ?? describeError(err);
    return fail('state_dir', `${dir} not writable (${code})`, 'set STATE_DIR to a directory you own (state and logs live there; crash recovery needs it)');
  }
}

function lockRow(resolved: ResolvedConfig, symbol: string): DoctorRow {
  const c = resolved.config;
  let found;
  try {
    found = inspectInstanceLock(c.STATE_DIR, lockFileName(resolved.mode, c.EXCHANGE, symbol));
  } catch (err) {
    return fail('instance', `lock unreadable: ${describeError(err)}`, 'check the permissions of STATE_DIR');
  }
  if (found.state === 'free') return ok('instance', `no other instance holds ${resolved.mode} ${symbol}@${c.EXCHANGE}`);
  if (found.state === 'stale') return ok('instance', `a lock left by a run that is gone${found.holder ? ` (pid ${found.holder.pid})` : ''}: the next start takes it over`);
  return fail('instance', `held by ${describeHolder(found.holder)}`, `that bot trades this book now: stop it first (kill ${found.holder.pid}), or use another STATE_DIR`);
}

function savedStateRow(resolved: ResolvedConfig, symbol: string): DoctorRow {
  const c = resolved.config;
  const file = path.join(c.STATE_DIR, stateFileName(resolved.mode, c.EXCHANGE, symbol));
  if (!c.PERSIST_STATE) return ok('saved_state', 'PERSIST_STATE=false: nothing saved, nothing adopted');
  if (!fs.existsSync(file)) return ok('saved_state', 'none: a fresh start');
  const state = new JsonStateFile(file, parseEngineState).load();
  if (!state) return warn('saved_state', `${file} does not parse`, 'a start ignores it and begins flat by its books, then reconciles with the broker; move it aside to keep it for a look');
  const held = heldQuantity(state);
  const working = openOrders(state);
  const day = `day ${state.pnl.day}: ${state.pnl.trades} trades, realised ₹${state.pnl.realised.toFixed(2)}`;
  if (held > 0 || working.length > 0) {
    return warn(
      'saved_state',
      `OPEN POSITION: ${held} held${state.openedAt ? ` since ${formatIstDateTime(state.openedAt)}` : ''}, ${working.length} order${working.length === 1 ? '' : 's'} working (${working.map((o) => `${o.role} ${o.orderId ?? '?'}`).join(', ') || 'none'}); ${day}`,
      'a start adopts it: it settles these orders with the broker, reconciles, and re-protects what is held; close it at the broker first if you do not want that',
    );
  }
  return ok('saved_state', `flat; ${day}`);
}

/** The push feed: the bot's own client where it is live; paper needs no socket. */
async function feedRowFor(resolved: ResolvedConfig, earlier: DoctorRow[]): Promise<DoctorRow> {
  const c = resolved.config;
  if (resolved.mode === 'paper') return ok('feed', 'paper market in process: no WebSocket needed');
  if (!earlier.some((r) => r.check === 'key' && r.status === 'ok')) return notChecked('feed', 'the key is not accepted');
  return feedRow({ url: c.OPENALGO_WS_URL, apiKey: c.OPENALGO_API_KEY ?? '', symbol: c.SYMBOL ?? '', exchange: c.EXCHANGE, feedMode: c.FEED as FeedMode, timeoutMs: Math.min(5_000, Math.round(c.API_TIMEOUT_SECONDS * 1000)) });
}
