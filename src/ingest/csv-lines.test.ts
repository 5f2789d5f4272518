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

describe('readCsvRecords: bounded records', () => {
  const read = async (text: string, limits = { maxLineChars: 100, maxRecordLines: 3 }) => {
    const records = [];
    for await (const r of readCsvRecords(
      (async function* () {
        yield text;
      })(),
      ',',
      limits,
    ))
      records.push({ lineNo: r.lineNo, raw: r.raw, problem: r.problem });
    return records;
  };

  it('costs a stray quote its own line, and reads on after it', async () => {
    const records = await read('a,1\n"b,2\nc,3\nd,4\ne,5\n"f,6\ng,7\nh,8\ni,9\n');
    expect(records.map((r) => [r.lineNo, r.problem ? 'broken' : r.raw])).toEqual([
      [1, 'a,1'],
      [2, 'broken'],
      [3, 'c,3'],
      [4, 'd,4'],
      [5, 'e,5'],
      [6, 'broken'],
      [7, 'g,7'],
      [8, 'h,8'],
      [9, 'i,9'],
    ]);
  });

  it('joins two stray quotes within the bound as CSV would: the lines between them are one record', async () => {
    const records = await read('a,1\n"b,2\nc,"3\nd,4\n');
    expect(records.map((r) => [r.lineNo, r.problem ? 'broken' : r.raw])).toEqual([
      [1, 'a,1'],
      [2, '"b,2\nc,"3'],
      [4, 'd,4'],
    ]);
  });

  it('still joins a quoted field that spans lines within the bound', async () => {
    expect(await read('a,"x\ny",1\nb,2\n')).toEqual([
      { lineNo: 1, raw: 'a,"x\ny",1', problem: undefined },
      { lineNo: 3, raw: 'b,2', problem: undefined },
    ]);
  });

  it('cuts an over-long line and reads on from the next', async () => {
    const records = await read(`a,1\n${'x'.repeat(500)}\nb,2\n`);
    expect(records.map((r) => [r.lineNo, r.problem ? 'broken' : r.raw])).toEqual([
      [1, 'a,1'],
      [2, 'broken'],
      [3, 'b,2'],
    ]);
  });
});
