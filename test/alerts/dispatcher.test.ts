import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { webhookChannel, type WebhookBody } from '../../src/alerts/channel-webhook.js';
import { terminalChannel, type TerminalAlert } from '../../src/alerts/channel-terminal.js';
import { AlertDispatcher, type AlertChannel } from '../../src/alerts/dispatcher.js';
import { parseAlertLevels, type AlertLevels } from '../../src/alerts/levels.js';
import { FakeClock } from '../../src/time/clock.js';
import type { EngineEvent } from '../../src/engine/events.js';

// The alert path as a trader meets it: engine events in, what a loopback webhook and the
// terminal receive out, on a fake clock for the minute-long rules.

const KEY = 'alert-test-key-Z9Y8X7W6';
const SUBJECT = { mode: 'live' as const, symbol: 'NIFTY28NOV2525000CE', exchange: 'NFO' };
const T0 = Date.UTC(2026, 11, 1, 4, 0, 0);

interface Hook {
  url: string;
  bodies: WebhookBody[];
  raw: string[];
  server: Server;
  /** Answer with this status from now on. */
  status: number;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
});

async function webhook(status = 200, port = 0): Promise<Hook> {
  const hook = { bodies: [], raw: [], status } as unknown as Hook;
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (d: Buffer) => { text += d.toString(); });
    req.on('end', () => {
      hook.raw.push(text);
      hook.bodies.push(JSON.parse(text) as WebhookBody);
      res.writeHead(hook.status).end();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  servers.push(server);
  hook.server = server;
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return hook;
}

function setup(opts: { channels: AlertChannel[]; levels?: string; clock?: FakeClock }) {
  const clock = opts.clock ?? new FakeClock(T0);
  const logs: string[] = [];
  const dispatcher = new AlertDispatcher({
    clock,
    levels: parseAlertLevels(opts.levels ?? 'all:on') as AlertLevels,
    channels: opts.channels,
    subject: SUBJECT,
    log: { info: (tag, text) => logs.push(`INFO [${tag}] ${text}`), warn: (tag, text) => logs.push(`WARN [${tag}] ${text}`) },
    secrets: [KEY],
    feedDownMs: 60_000,
  });
  return { clock, logs, dispatcher };
}

const critical = (at: number, message: string): EngineEvent => ({ type: 'notable', at, kind: 'critical', message });
const trade = (at: number, net: number): EngineEvent => ({
  type: 'trade_closed',
  at,
  trade: { openedAt: at - 5000, closedAt: at, entry: 100, exit: 100 + net / 75, quantity: 75, reason: 'target', gross: net, costs: 0, net },
});

/** Real I/O settles in real time; fake time only moves when told. */
async function until(done: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('alerts reach a loopback webhook', () => {
  it('each class at its level: on and silent are posted (silent marked), off is not; the terminal rings for on only', async () => {
    const hook = await webhook();
    const rung: TerminalAlert[] = [];
    const { dispatcher } = setup({
      channels: [webhookChannel(hook.url, SUBJECT), terminalChannel({ bell: true, desktop: 'osc777', tmux: false }, (a) => rung.push(a), false)],
      levels: 'critical:on,trade:silent,summary:off',
    });
    dispatcher.observe(critical(T0, 'position UNPROTECTED'));
    dispatcher.observe(trade(T0 + 1, 150));
    dispatcher.observe({ type: 'notable', at: T0 + 2, kind: 'day_summary', message: 'day' });
    dispatcher.observe({ type: 'fill', at: T0, role: 'entry', orderId: '1', action: 'BUY', quantity: 75, price: 100, source: 'poll' });
    await until(() => hook.bodies.length === 2);
    await dispatcher.close();
    expect(hook.bodies.map((b) => [b.class, b.level, b.silent])).toEqual([['critical', 'on', false], ['trade', 'silent', true]]);
    expect(hook.bodies[1]).toMatchObject({ source: 'random-scalp', mode: 'live', symbol: SUBJECT.symbol, exchange: 'NFO', text: 'TRADE closed 75 100.00 → 102.00 (target) net +₹150.00' });
    expect(hook.bodies[0]?.at).toBe(new Date(T0).toISOString());
    expect(rung.map((a) => a.text)).toEqual(['CRITICAL position UNPROTECTED']);
    expect(rung[0]).toMatchObject({ bell: true, desktop: 'osc777' });
  });

  it('the same alert within 5 minutes goes out once; after that, again', async () => {
    const hook = await webhook();
    const { dispatcher, clock } = setup({ channels: [webhookChannel(hook.url, SUBJECT)] });
    dispatcher.observe(critical(clock.now(), 'legs cannot be placed'));
    dispatcher.observe(critical(clock.now() + 1000, 'legs cannot be placed'));
    dispatcher.observe(critical(clock.now() + 2000, 'something else'));
    await until(() => hook.bodies.length === 2);
    await clock.advance(5 * 60_000);
    dispatcher.observe(critical(clock.now(), 'legs cannot be placed'));
    await until(() => hook.bodies.length === 3);
    expect(hook.bodies.map((b) => b.text)).toEqual(['CRITICAL legs cannot be placed', 'CRITICAL something else', 'CRITICAL legs cannot be placed']);
    expect(dispatcher.suppressed).toBe(1);
    await dispatcher.close();
  });

  it('at most 30 a minute per channel; the rest wait for the window, none is lost', async () => {
    const hook = await webhook();
    const { dispatcher, clock } = setup({ channels: [webhookChannel(hook.url, SUBJECT)] });
    for (let i = 0; i < 40; i++) dispatcher.observe(trade(clock.now(), i + 1));
    await until(() => hook.bodies.length === 30);
    await new Promise((r) => setTimeout(r, 100));
    expect(hook.bodies).toHaveLength(30);
    await clock.advance(60_000);
    await until(() => hook.bodies.length === 40);
    expect(hook.bodies.map((b) => b.text.match(/net \+₹(\d+)/)?.[1])).toEqual(Array.from({ length: 40 }, (_, i) => String(i + 1)));
    await dispatcher.close();
  });

  it('a failing webhook is logged once, not per alert, and once more when it works again', async () => {
    const hook = await webhook(500);
    const { dispatcher, logs, clock } = setup({ channels: [webhookChannel(hook.url, SUBJECT)] });
    for (let i = 0; i < 6; i++) dispatcher.observe(trade(clock.now(), i + 1));
    await until(() => hook.bodies.length === 6);
    await new Promise((r) => setTimeout(r, 50));
    expect(logs).toEqual([`WARN [ALERT] webhook 127.0.0.1:${new URL(hook.url).port}: delivery failed (HTTP 500); trading goes on, further failures are not logged until it works again`]);
    hook.status = 204;
    dispatcher.observe(trade(clock.now(), 99));
    await until(() => logs.length === 2);
    expect(logs[1]).toBe(`INFO [ALERT] webhook 127.0.0.1:${new URL(hook.url).port} delivers again (6 alerts lost meanwhile)`);
    await dispatcher.close();
  });

  it('a webhook that never answers does not hold up the engine: observe returns at once, the send times out', async () => {
    const hanging = createServer(() => { /* never answers */ });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    servers.push(hanging);
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
    const { dispatcher, logs, clock } = setup({ channels: [webhookChannel(url, SUBJECT, 150)] });
    const started = performance.now();
    for (let i = 0; i < 20; i++) dispatcher.observe(trade(clock.now(), i + 1));
    expect(performance.now() - started).toBeLessThan(50);
    await until(() => logs.length === 1);
    expect(logs[0]).toMatch(/delivery failed \(webhook: no response within \d+ ms/);
    await dispatcher.close(10);
  });

  it('a connection refused is logged once with its code, and the URL path (a token) never appears', async () => {
    const hook = await webhook();
    const port = new URL(hook.url).port;
    await new Promise<void>((r) => { hook.server.close(() => r()); });
    servers.splice(servers.indexOf(hook.server), 1);
    const { dispatcher, logs, clock } = setup({ channels: [webhookChannel(`http://127.0.0.1:${port}/T0KEN/secret-path`, SUBJECT)] });
    for (let i = 0; i < 3; i++) dispatcher.observe(trade(clock.now(), i + 1));
    await until(() => logs.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('(ECONNREFUSED)');
    expect(logs[0]).not.toContain('T0KEN');
    await dispatcher.close(10);
  });

  it('the API key never leaves in an alert, whatever the message held', async () => {
    const hook = await webhook();
    const { dispatcher, clock } = setup({ channels: [webhookChannel(hook.url, SUBJECT)] });
    dispatcher.observe(critical(clock.now(), `broker said: bad apikey ${KEY} in request`));
    await until(() => hook.bodies.length === 1);
    expect(hook.raw[0]).not.toContain(KEY);
    expect(hook.bodies[0]?.text).toBe('CRITICAL broker said: bad apikey *** in request');
    await dispatcher.close();
  });
});

describe('feed down is an alert after a minute, not before', () => {
  const feed = (at: number, kind: 'feed_down' | 'feed_up', message = ''): EngineEvent => ({ type: 'notable', at, kind, message });

  it('a reconnect within the minute says nothing; a longer outage says down, then back', async () => {
    const sent: Alert[] = [];
    const channel: AlertChannel = { name: 'record', takesSilent: true, send: async (a) => { sent.push(a); } };
    const { dispatcher, clock } = setup({ channels: [channel] });
    dispatcher.observe(feed(clock.now(), 'feed_down', 'socket closed 1006'));
    await clock.advance(59_000);
    dispatcher.observe(feed(clock.now(), 'feed_up'));
    await clock.advance(120_000);
    expect(sent).toEqual([]);

    dispatcher.observe(feed(clock.now(), 'feed_down', 'socket closed 1006'));
    await clock.advance(30_000);
    dispatcher.observe(feed(clock.now(), 'feed_down', 'reconnect failed')); // still the same outage
    await clock.advance(30_000);
    expect(sent.map((a) => a.text)).toEqual(['FEED down for 1 min: socket closed 1006 (polling carries on)']);
    await clock.advance(65_000);
    dispatcher.observe(feed(clock.now(), 'feed_up', 'resubscribed'));
    await clock.settle();
    expect(sent.map((a) => a.text)).toEqual([
      'FEED down for 1 min: socket closed 1006 (polling carries on)',
      'FEED back after 2 min 5 s: resubscribed',
    ]);
    expect(sent.every((a) => a.cls === 'feed')).toBe(true);
    await dispatcher.close();
  });
});

describe('ALERTS setting', () => {
  it('parses classes and levels, all: first, later items win; rejects what it does not know', () => {
    expect(parseAlertLevels('all:off,critical:on')).toEqual({ critical: 'on', halt: 'off', feed: 'off', trade: 'off', summary: 'off' });
    expect(parseAlertLevels('')).toEqual({ critical: 'on', halt: 'on', feed: 'on', trade: 'silent', summary: 'on' });
    expect(parseAlertLevels('Trade=ON')).toMatchObject({ trade: 'on' });
    expect(parseAlertLevels('trade:loud')).toBeNull();
    expect(parseAlertLevels('orders:on')).toBeNull();
    expect(parseAlertLevels('trade')).toBeNull();
  });
});
