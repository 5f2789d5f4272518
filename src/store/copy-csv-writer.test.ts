import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitCsvRecord } from '../ingest/csv-lines.js';
import { CopyCsvWriter } from './copy-csv-writer.js';

const written = (write: (w: CopyCsvWriter) => void, initialBytes?: number): string => {
  const w = new CopyCsvWriter(initialBytes);
  write(w);
  return w.bytes().toString('utf8');
};

describe('CopyCsvWriter', () => {
  it('writes NULL as nothing, an empty text as "", and quotes only what needs it', () => {
    expect(written((w) => w.text(undefined).text(null).text('').text('plain').endRow())).toBe(',,"",plain\n');
    expect(written((w) => w.text('a,b').text('say "hi"').text('back\\slash').text('two\nlines').text('cr\r').endRow())).toBe(
      '"a,b","say ""hi""","back\\slash","two\nlines","cr\r"\n',
    );
  });

  it('writes text that is not ASCII as UTF-8', () => {
    expect(written((w) => w.text('Zoë').text('€').text('plain').endRow())).toBe('"Zoë","€",plain\n');
  });

  it('writes integers, booleans and NULL integers', () => {
    expect(written((w) => w.int(0).int(7).int(10).int(-42).int(Number.MAX_SAFE_INTEGER).int(undefined).bool(true).bool(false).endRow())).toBe(
      `0,7,10,-42,${Number.MAX_SAFE_INTEGER},,t,f\n`,
    );
    expect(() => new CopyCsvWriter().int(1.5)).toThrow(RangeError);
  });

  it('writes instants as toISOString does, before 1970 too', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        expect(written((w) => w.timestamp(ms))).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
    for (const iso of ['2024-02-29T23:59:59.999Z', '2000-03-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '1900-02-28T12:00:00.001Z']) {
      expect(written((w) => w.timestamp(Date.parse(iso)))).toBe(iso);
    }
  });

  it('grows past its first buffer and counts rows', () => {
    const w = new CopyCsvWriter(16);
    for (let i = 0; i < 1000; i++) w.text(`row ${i}`).int(i).endRow();
    expect(w.rows).toBe(1000);
    const lines = w.bytes().toString('utf8').split('\n');
    expect(lines[999]).toBe('row 999,999');
    expect(splitCsvRecord(lines[500]!)).toEqual(['row 500', '500']);
  });
});
