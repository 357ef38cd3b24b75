import { z } from 'zod';

// paper-server's stand-in for OpenAlgo's Telegram bot: `POST /api/v1/telegram/notify` is
// validated like OpenAlgo's (strict fields, the key, 30 a minute per user) and each message is
// kept, so tests and a newcomer can see what the bot would have sent: `GET /paper/telegram`
// lists them, and paper-server prints one line per message.

export const telegramNotifySchema = z.strictObject({
  apikey: z.string({ error: 'Missing data for required field.' }),
  username: z.string({ error: 'Missing data for required field.' }).refine((v) => v.trim() !== '', 'Username and message are required'),
  message: z.string({ error: 'Missing data for required field.' }).refine((v) => v.trim() !== '', 'Username and message are required'),
  priority: z.number().int().min(1).max(10).optional(),
});

export interface TelegramMessage {
  /** Epoch ms when the server got it. */
  at: number;
  username: string;
  message: string;
  priority: number | null;
}

const PER_MINUTE = 30;
const KEEP = 1_000;

export class TelegramInbox {
  readonly messages: TelegramMessage[] = [];
  private readonly recent = new Map<string, number[]>();
  refused = 0;

  constructor(private readonly onMessage?: (m: TelegramMessage) => void) {}

  /** Record one message; false when this user is over 30 in the last minute (a 429). */
  receive(username: string, message: string, priority: number | null, now: number): boolean {
    const hits = (this.recent.get(username) ?? []).filter((t) => now - t < 60_000);
    if (hits.length >= PER_MINUTE) {
      this.recent.set(username, hits);
      this.refused++;
      return false;
    }
    hits.push(now);
    this.recent.set(username, hits);
    const m: TelegramMessage = { at: now, username, message, priority };
    this.messages.push(m);
    if (this.messages.length > KEEP) this.messages.shift();
    try {
      this.onMessage?.(m);
    } catch {
      // printing must not break the route
    }
    return true;
  }
}
