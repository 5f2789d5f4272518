/** Rows written by CopyBinaryWriter read back from the database as they were written, every type. */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyBinaryWriter } from '../../src/store/copy-binary-writer.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Row {
  t: string | null;
  at: number;
  i4: number | null;
  i8: number | null;
  b: boolean;
}

describe('binary COPY', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it('stores text, timestamps, integers, booleans and NULLs exactly', async () => {
    const row = fc.record({
      t: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: null }),
      at: fc.integer({ min: Date.parse('1900-01-01T00:00:00Z'), max: Date.parse('2200-01-01T00:00:00Z') }),
      i4: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
      i8: fc.option(fc.maxSafeInteger(), { nil: null }),
      b: fc.boolean(),
    });
    const rows: Row[] = [
      { t: '', at: Date.parse('2026-10-05T08:02:11.105Z'), i4: 0, i8: Number.MIN_SAFE_INTEGER, b: true },
      { t: 'a,"quoted"\\\nline', at: Date.parse('1999-12-31T23:59:59.999Z'), i4: -1, i8: -1, b: false },
      ...fc.sample(row, 300),
    ];
    const w = new CopyBinaryWriter(6, 64);
    rows.forEach((r, n) => {
      w.int4(n)
        .text(r.t)
        .timestamp(r.at)
        .int4(r.i4 ?? undefined)
        .int8(r.i8 ?? undefined)
        .bool(r.b)
        .endRow();
    });
    await test.database.session(async (session) => {
      await sql`CREATE TEMP TABLE copied (n integer, t text, at timestamptz, i4 integer, i8 bigint, b boolean)`.execute(session.db);
      await session.copyFrom('copied', ['n', 't', 'at', 'i4', 'i8', 'b'], w.finish(), 'binary');
      const back = await sql<{
        t: string | null;
        at: Date;
        i4: number | null;
        i8: string | null;
        b: boolean;
      }>`SELECT t, at, i4, i8, b FROM copied ORDER BY n`.execute(session.db);
      expect(back.rows.map((r) => ({ t: r.t, at: r.at.getTime(), i4: r.i4, i8: r.i8 === null ? null : Number(r.i8), b: r.b }))).toEqual(rows);
      await sql`DROP TABLE copied`.execute(session.db);
    });
  });
});
