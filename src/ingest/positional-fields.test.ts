import { describe, expect, it } from 'vitest';
import { PositionalFields } from './positional-fields.js';

describe('PositionalFields', () => {
  it('reads the fields of an unquoted line like split does', () => {
    for (const line of ['a,b,c', ',,', 'single', 'x,,y,', '']) {
      const fields = new PositionalFields(line);
      const split = line.split(',');
      expect(fields.length).toBe(split.length);
      expect(Array.from({ length: split.length }, (_, i) => fields.at(i))).toEqual(split);
      expect(fields.at(split.length)).toBeUndefined();
      expect(fields.at(-1)).toBeUndefined();
    }
  });
});
