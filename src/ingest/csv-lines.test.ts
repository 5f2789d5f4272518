import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readCsvRecords, splitCsvRecord } from './csv-lines.js';

async function* chunksOf(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function records(text: string, size = 7) {
  const out = [];
  for await (const r of readCsvRecords(chunksOf(text, size))) out.push(r);
  return out;
}

describe('splitCsvRecord', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c,', ['a', '', 'c', '']],
    ['"a","b,c",d', ['a', 'b,c', 'd']],
    ['"""Name"" <1001>",x', ['"Name" <1001>', 'x']],
    ['"",x', ['', 'x']],
    ['x,""', ['x', '']],
  ])('%s', (text, fields) => {
    expect(splitCsvRecord(text)).toEqual(fields);
  });
});

describe('readCsvRecords', () => {
  it('gives line numbers and raw text, across chunk boundaries, CRLF and blank lines', async () => {
    const got = await records('\uFEFFh1,h2\r\na,1\r\n\r\n"b\nc",2\nd,3');
    expect(got.map((r) => [r.lineNo, r.raw, r.fields])).toEqual([
      [1, 'h1,h2', ['h1', 'h2']],
      [2, 'a,1', ['a', '1']],
      [4, '"b\nc",2', ['b\nc', '2']],
      [6, 'd,3', ['d', '3']],
    ]);
  });

  it('agrees with csv-parse on quoted CSV', async () => {
    const cell = fc.string({ maxLength: 8 }).filter((s) => !s.includes('\r'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 20 }),
        async (rows, size) => {
          const text = `${rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n')}\n`;
          const expected = parse(text, { relax_column_count: true }) as string[][];
          expect((await records(text, size)).map((r) => r.fields)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
