import { describe, expect, it } from 'vitest';
import { CopyBinaryWriter, recycleCopyBytes } from './copy-binary-writer.js';

describe('CopyBinaryWriter', () => {
  it('writes the signature, a field count per row, length-prefixed fields and the trailer', () => {
    const w = new CopyBinaryWriter(3, 8);
    w.text('ab').text(undefined).int4(-2);
    w.endRow();
    expect(w.rows).toBe(1);
    expect([...w.finish()]).toEqual([
      ...Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      3, // fields in the row
      0,
      0,
      0,
      2,
      0x61,
      0x62, // 'ab'
      0xff,
      0xff,
      0xff,
      0xff, // NULL
      0,
      0,
      0,
      4,
      0xff,
      0xff,
      0xff,
      0xfe, // -2
      0xff,
      0xff, // trailer
    ]);
  });

  it('writes text that is not ASCII as UTF-8 with its byte length', () => {
    const w = new CopyBinaryWriter(1);
    w.text('Zoë €');
    w.endRow();
    const bytes = w.finish();
    expect(bytes.readInt32BE(21)).toBe(Buffer.byteLength('Zoë €'));
    expect(bytes.subarray(25, 25 + Buffer.byteLength('Zoë €')).toString('utf8')).toBe('Zoë €');
  });

  it('refuses a row of the wrong width and numbers its column type cannot hold', () => {
    const w = new CopyBinaryWriter(2);
    w.text('only one');
    expect(() => w.endRow()).toThrow(/1 fields, expected 2/);
    expect(() => new CopyBinaryWriter(1).int4(2 ** 31)).toThrow(RangeError);
    expect(() => new CopyBinaryWriter(1).int8(2 ** 53)).toThrow(RangeError);
    expect(() => new CopyBinaryWriter(1).timestamp(1.5)).toThrow(RangeError);
  });

  it('writes into bytes handed back from a finished writer, and the rows come out as from fresh bytes', () => {
    const rows = (w: CopyBinaryWriter) => {
      for (let i = 0; i < 50; i++)
        w.int8(i * 1_000_003)
          .text(`record-${i}`)
          .timestamp(1_790_000_000_000 + i)
          .endRow();
      return Buffer.from(w.finish());
    };
    const fresh = rows(new CopyBinaryWriter(3, 1 << 16));
    const used = new CopyBinaryWriter(3, 1 << 16);
    used.text('x'.repeat(4000)).int8(-1).timestamp(0).endRow();
    const usedBytes = used.finish().buffer as ArrayBuffer;
    recycleCopyBytes(usedBytes);
    const again = new CopyBinaryWriter(3, 1 << 16);
    expect(again.finish().buffer).toBe(usedBytes); // the same memory, taken again
    recycleCopyBytes(usedBytes);
    expect(rows(new CopyBinaryWriter(3, 1 << 16)).equals(fresh)).toBe(true);
  });
});
