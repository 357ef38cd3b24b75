import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/broker/openalgo/timestamp.js';

const IST = Date.parse('2025-12-01T09:15:02+05:30');

describe('parseTimestamp', () => {
  it.each([
    ['2025-12-01 09:15:02', IST],
    ['2025-12-01T09:15:02', IST],
    ['2025-12-01T03:45:02Z', IST],
    ['2025-12-01T09:15:02+0530', IST],
    ['01-12-2025 09:15:02', IST],
    ['01/12/2025 09:15:02', IST],
    ['1-Dec-2025 09:15:02', IST],
    [IST / 1000, IST],
    [String(IST / 1000), IST],
    [IST, IST],
  ] as const)('%s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([[null], [undefined], [''], ['09:15:03'], ['garbage'], [0], [{}]])('%s → null', (input) => {
    expect(parseTimestamp(input)).toBeNull();
  });
});
