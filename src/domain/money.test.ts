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
    // as numbers and decimal strings (the history's amounts): in doubles while they are safe integers
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }), fc.constantFrom(0, 2, 6), (ticks, places) => {
        const expected = formatEuros(ticksToEuros(ticks), places);
        expect(formatTicks(ticks.toString(), places)).toBe(expected);
        if (Number.isSafeInteger(Number(ticks))) expect(formatTicks(Number(ticks), places)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
    for (const ticks of [
      0,
      1,
      -1,
      29,
      30,
      -30,
      59_999_970,
      300_000,
      -300_000,
      '123456789012',
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      '9007199254740993',
    ] as const) {
      for (const places of [0, 2, 6]) expect(formatTicks(ticks, places)).toBe(formatEuros(ticksToEuros(ticks), places));
    }
  });
});
