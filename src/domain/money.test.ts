import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEuros, formatTicks, ticksToEuros } from './money.js';

describe('formatTicks', () => {
  it('writes what Decimal writes, rounding half away from zero, for any whole number of ticks', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.constantFrom(0, 2, 6), (ticks, places) => {
        expect(formatTicks(ticks, places)).toBe(formatEuros(ticksToEuros(ticks), places));
      }),
      { numRuns: 5000 },
    );
    for (const ticks of [0, 1, -1, 29, 30, -30, 59_999_970, 300_000, -300_000, '123456789012'] as const) {
      for (const places of [0, 2, 6]) expect(formatTicks(ticks, places)).toBe(formatEuros(ticksToEuros(ticks), places));
    }
  });
});
