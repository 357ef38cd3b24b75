// Brokers stamp orders and trades in many shapes: epoch seconds or ms (maybe as strings),
// ISO with a zone, or a naive local time. Indian brokers' naive times are IST.

const IST_OFFSET = '+05:30';
const MONTHS: Record<string, string> = {
  jan: '01', feb: '02', mar: '03', apr: '04', may: '05', jun: '06',
  jul: '07', aug: '08', sep: '09', oct: '10', nov: '11', dec: '12',
};

/** Epoch ms, or null when the value is missing or unreadable. */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return fromEpoch(Number(text));

  // 2024-05-10 09:15:02 / 2024-05-10T09:15:02[.123][Z|+05:30]
  let m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (m) return iso(m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
  // 10-05-2024 09:15:02 or 10/05/2024 09:15:02 (day first)
  m = /^(\d{2})[-/](\d{2})[-/](\d{4})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (m) return iso(m[3], m[2], m[1], m[4], m[5], m[6]);
  // 10-May-2024 09:15:02
  m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (m) {
    const month = MONTHS[(m[2] ?? '').toLowerCase()];
    return month === undefined ? null : iso(m[3], month, (m[1] ?? '').padStart(2, '0'), m[4], m[5], m[6]);
  }
  const parsed = Date.parse(text);
  return Number.isFinite(parsed) ? parsed : null;
}

function fromEpoch(n: number): number | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  // Seconds until the year 33658; anything larger is already ms.
  return n < 1e12 ? Math.round(n * 1000) : Math.round(n);
}

function iso(
  y?: string, mo?: string, d?: string, h?: string, mi?: string, s?: string, frac?: string, zone?: string,
): number | null {
  const z = zone === undefined ? IST_OFFSET : zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const parsed = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${z}`);
  return Number.isFinite(parsed) ? parsed : null;
}
