import type { OpenAlgoClient } from '../broker/openalgo/client.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../time/clock.js';
import type { AlertSubject } from './alert.js';
import { telegramChannel, type TelegramSender } from './channel-telegram.js';
import { terminalChannel, type TerminalAlert } from './channel-terminal.js';
import { webhookChannel } from './channel-webhook.js';
import { AlertDispatcher, type AlertChannel, type AlertLog } from './dispatcher.js';
import { ALERT_CLASSES } from './levels.js';
import { terminalStyle, type TerminalSetting } from './terminal-notify.js';

/** Short: a notification that waits longer than this is worth less than the trading it would slow. */
const ALERT_TIMEOUT_MS = 5_000;

export interface AlertsSetup {
  dispatcher: AlertDispatcher;
  /** One line for the start log: channels and levels. */
  summary: string;
  /** Settings that cannot work as given, for a warning at start. */
  warnings: string[];
  close(): Promise<void>;
}

export function setupAlerts(opts: {
  config: Config;
  subject: AlertSubject;
  clock: Clock;
  log: AlertLog;
  secrets: string[];
  env: Partial<Record<string, string>>;
  /** Where terminal alerts go: the store (dashboard), the TTY (headless), or nowhere. */
  terminal: ((alert: TerminalAlert) => void) | null;
  criticalRingsAlready: boolean;
}): AlertsSetup {
  const c = opts.config;
  const channels: AlertChannel[] = [];
  const warnings: string[] = [];
  let client: Promise<OpenAlgoClient> | null = null;
  if (c.ALERT_TELEGRAM_USER) {
    const apiKey = c.OPENALGO_API_KEY;
    if (!apiKey) {
      warnings.push('ALERT_TELEGRAM_USER is set but OPENALGO_API_KEY is not: OpenAlgo\'s Telegram bot needs the key, so Telegram alerts are off');
    } else {
      // The HTTP client is loaded on the first alert, not at every start.
      const sender: TelegramSender = {
        telegramNotify: async (user, message) => {
          client ??= import('../broker/openalgo/client.js').then(
            (m) =>
              new m.OpenAlgoClient({
                host: c.OPENALGO_API_HOST,
                apiKey,
                strategy: c.STRATEGY_NAME,
                timeoutMs: Math.min(ALERT_TIMEOUT_MS, Math.round(c.API_TIMEOUT_SECONDS * 1000)),
                readRetries: 0,
              }),
          );
          await (await client).telegramNotify(user, message);
        },
      };
      channels.push(telegramChannel(sender, c.ALERT_TELEGRAM_USER));
    }
  }
  if (c.ALERT_WEBHOOK_URL) channels.push(webhookChannel(c.ALERT_WEBHOOK_URL, opts.subject, ALERT_TIMEOUT_MS));
  const style = terminalStyle(c.ALERT_TERMINAL as TerminalSetting, opts.env);
  if (style && opts.terminal) {
    channels.push(terminalChannel(style, opts.terminal, opts.criticalRingsAlready));
  }
  const dispatcher = new AlertDispatcher({
    clock: opts.clock,
    levels: c.ALERTS,
    channels,
    subject: opts.subject,
    log: opts.log,
    secrets: opts.secrets,
    feedDownMs: Math.round(c.ALERT_FEED_DOWN_SECONDS * 1000),
  });
  const levels = ALERT_CLASSES.map((k) => `${k}:${c.ALERTS[k]}`).join(',');
  const names = channels.map((ch) => (ch.name === 'terminal' && style ? `terminal (bell${style.desktop ? ` + ${style.desktop.toUpperCase()}` : ''})` : ch.name));
  return {
    dispatcher,
    summary: channels.length ? `alerts to ${names.join(', ')}; ${levels}` : 'alerts: no channel (set ALERT_TELEGRAM_USER or ALERT_WEBHOOK_URL)',
    warnings,
    close: async () => {
      await dispatcher.close();
      if (client) await (await client).close();
    },
  };
}
