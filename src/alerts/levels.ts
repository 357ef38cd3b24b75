// What the trader asked to hear about, per kind of alert (Freqtrade's notification_settings):
// `on` reaches every channel and makes the terminal ring; `silent` reaches Telegram and the
// webhook without a sound in the terminal (the webhook body says silent: true); `off` is not sent.

export const ALERT_CLASSES = ['critical', 'halt', 'feed', 'trade', 'summary'] as const;
export type AlertClass = (typeof ALERT_CLASSES)[number];

export const ALERT_LEVELS = ['on', 'silent', 'off'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export type AlertLevels = Record<AlertClass, AlertLevel>;

export const DEFAULT_ALERTS = 'critical:on,halt:on,feed:on,trade:silent,summary:on';

/**
 * Parse `critical:on,trade:silent,…`; `all:LEVEL` sets every class first, later items override.
 * Classes not named keep their defaults. Returns null with nothing more when the text is wrong;
 * the config layer says what is allowed.
 */
export function parseAlertLevels(raw: string, base: AlertLevels = defaultLevels()): AlertLevels | null {
  const levels: AlertLevels = { ...base };
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z]+)\s*[:=]\s*([a-z]+)$/i.exec(part);
    if (!m) return null;
    const cls = (m[1] as string).toLowerCase();
    const level = (m[2] as string).toLowerCase() as AlertLevel;
    if (!(ALERT_LEVELS as readonly string[]).includes(level)) return null;
    if (cls === 'all') {
      for (const c of ALERT_CLASSES) levels[c] = level;
    } else if ((ALERT_CLASSES as readonly string[]).includes(cls)) {
      levels[cls as AlertClass] = level;
    } else {
      return null;
    }
  }
  return levels;
}

function defaultLevels(): AlertLevels {
  return { critical: 'on', halt: 'on', feed: 'on', trade: 'silent', summary: 'on' };
}

export const ALERTS_ALLOWED = `comma-separated CLASS:LEVEL with CLASS one of ${['all', ...ALERT_CLASSES].join(', ')} and LEVEL one of ${ALERT_LEVELS.join(', ')}, e.g. ${DEFAULT_ALERTS}`;
