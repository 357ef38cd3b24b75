import { describeError } from '../broker/errors.js';
import type { Alert } from './alert.js';
import type { AlertChannel } from './dispatcher.js';

// OpenAlgo's own Telegram bot: the trader linked their Telegram to their OpenAlgo login there,
// so the bot needs no token of ours, only that login name. The client keeps the route's limit
// (30 a minute) and sends each message once.

export interface TelegramSender {
  telegramNotify(username: string, message: string): Promise<void>;
}

export function telegramChannel(sender: TelegramSender, username: string): AlertChannel {
  return {
    name: `telegram (OpenAlgo user ${username})`,
    takesSilent: true,
    async send(alert: Alert) {
      try {
        await sender.telegramNotify(username, `${alert.title}\n${alert.text}`);
      } catch (err) {
        // BrokerError messages never carry the key; anything else is reduced to its kind.
        throw new Error(describeError(err));
      }
    },
  };
}
