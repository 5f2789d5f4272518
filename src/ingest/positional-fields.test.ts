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

describe('PositionalFields.reset', () => {
  it('reads a wider line after a narrower one, and a narrower one after it', () => {
    const fields = new PositionalFields();
    const wide = Array.from({ length: 1500 }, (_, i) => String(i)).join(',');
    expect(fields.reset('a,b').length).toBe(2);
    expect(fields.reset(wide).length).toBe(1500);
    expect(fields.at(1499)).toBe('1499');
    expect(fields.reset('x').at(0)).toBe('x');
    expect(fields.length).toBe(1);
  });
});
