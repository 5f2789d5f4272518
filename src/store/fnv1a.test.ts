import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a, fnv1aJoined } from './fnv1a.js';

describe('fnv1aJoined', () => {
  it('hashes texts and whole numbers joined by | as fnv1a of the joined text (stored fingerprints stay valid)', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat(), fc.string(), (a, ms, s, b) => {
        expect(fnv1aJoined(a, ms, s, b)).toBe(fnv1a(`${a}|${ms}|${s}|${b}`));
      }),
    );
    expect(fnv1aJoined('R-1', 0, 10, '')).toBe(fnv1a('R-1|0|10|'));
  });
});
