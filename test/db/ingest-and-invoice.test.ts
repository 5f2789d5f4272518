import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.js';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { issueInvoices } from '../../src/pipeline/issue-invoices.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import type { Database } from '../../src/store/database.js';
import { TARIFF_VERSION_LABEL } from '../../src/store/tariff-version-store.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';
import { tempDir, writeCanonicalFile } from '../support/files.js';
import { callTotalsDrift } from '../support/call-totals.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const ingest = (database: Database, paths: string[]) => ingestFiles(database, paths, { format: 'canonical', now: NOW });

describe(`ingest and invoice on ${TEST_BACKEND}`, () => {
  let test: TestDatabase;
  let database: Database;
  const dir = tempDir();

  beforeAll(async () => {
    test = await createTestDatabase();
    database = test.database;
    await loadTariffs(database, 'tariffs', NOW);
    await loadCustomers(database, 'fixtures/customers.json');
  });
  afterAll(async () => test?.drop());

  it('rates the good lines of a file and rejects each bad one with its line and reason', async () => {
    const path = writeCanonicalFile(dir, 'mixed.csv', [
      't-1,2026-10-05T10:00:00+02:00,61,+31201234567,6231234,outgoing,+31201234567,fixed,',
      't-2,2026-10-05T10:05:00+02:00,30,+31201234567,0612345678,outgoing,+31201234567,fixed,,extra',
      't-3,2026-10-05 10:99:00,30,+31201234567,0612345678,outgoing,+31201234567,fixed,',
      't-4,2026-10-05T10:10:00+02:00,-5,+31201234567,0612345678,outgoing,+31201234567,fixed,',
      't-5,2026-10-05T10:15:00+02:00,30,+31201234567,,outgoing,+31201234567,fixed,',
      't-6,2026-10-05T10:20:00+02:00,30,+31201234567,0676123456,outgoing,+31201234567,fixed,',
      't-7,2026-10-05T10:25:00+02:00,30,+31209999999,0612345678,outgoing,+31209999999,fixed,',
      't-8,2026-10-05T10:30:00+02:00,125,+31201234567,0044201234567,outgoing,+31201234567,fixed,',
    ]);
    const [report] = await ingest(database, [path]);
    expect(report).toMatchObject({ read: 9, rated: 2, rejected: 6, duplicates: 0, skipped: 1 });
    expect(report!.read).toBe(report!.rated + report!.rejected + report!.duplicates + report!.skipped);
    expect(report!.rejects.map((r) => [r.lineNo, r.reason])).toEqual([
      [3, 'wrong_column_count'],
      [4, 'bad_time'],
      [5, 'bad_duration'],
      [6, 'missing_field'],
      [7, 'unknown_destination'],
      [8, 'unknown_line'],
    ]);
    const stored = await database.db.selectFrom('cdr_reject').select(['line_no', 'reason', 'raw', 'file_name']).orderBy('line_no').execute();
    expect(stored).toHaveLength(6);
    expect(stored[0]).toMatchObject({ line_no: 3, file_name: 'mixed.csv', raw: expect.stringContaining('t-2,') });

    const calls = await database.db
      .selectFrom('rated_call as c')
      .selectAll()
      .select(TARIFF_VERSION_LABEL.as('tariff_version'))
      .where('source', '=', 'canonical')
      .orderBy('record_id')
      .execute();
    expect(calls.map((c) => [c.record_id, c.category, c.billed_seconds])).toEqual([
      ['t-1', 'local', 120],
      ['t-8', 'international', 180],
    ]);
    // local peak 0.0200/min × 2 min + setup 0.0450 = 0.0850 EUR = 5_100_000 ticks
    expect(calls[0]).toMatchObject({ destination: '+31206231234', list_price_ticks: '5100000', charged_ticks: '5100000', rate_match: 'local' });
    expect(calls[1]).toMatchObject({ rate_match: '+44', tariff_version: 'basis@2026-01-01 xms-standard@2026-01-01' });
  });

  it('stores nothing twice when the same file is ingested again', async () => {
    const path = writeCanonicalFile(dir, 'again.csv', [
      'a-1,2026-10-06T10:00:00+02:00,61,+31201234567,0612345678,outgoing,+31201234567,fixed,',
      'a-2,2026-10-06T10:05:00+02:00,,+31201234567,0612345678,outgoing,+31201234567,fixed,',
      'a-1,2026-10-06T10:00:00+02:00,61,+31201234567,0612345678,outgoing,+31201234567,fixed,',
      'a-3,2026-10-06T10:05:00+02:00,30,+31201234567,0,outgoing,+31201234567,fixed,',
    ]);
    const count = async () => Number((await sql<{ n: string }>`select count(*)::text as n from rated_call`.execute(database.db)).rows[0]!.n);
    const rejects = async () => Number((await sql<{ n: string }>`select count(*)::text as n from cdr_reject`.execute(database.db)).rows[0]!.n);
    const before = await count();
    const rejectsBefore = await rejects();
    const [first] = await ingest(database, [path]);
    expect(first).toMatchObject({ read: 5, rated: 2, duplicates: 1, rejected: 1, skipped: 1 });
    const after = await count();
    expect(after).toBe(before + 2);
    const [second] = await ingest(database, [path]);
    expect(second).toMatchObject({ read: 5, rated: 0, duplicates: 3, rejected: 1, skipped: 1 });
    expect(await count()).toBe(after);
    expect(await rejects()).toBe(rejectsBefore + 1);
    expect(await callTotalsDrift(database)).toEqual([]);
  });

  it('takes a record re-sent with a corrected start or for another line as a duplicate, and says its fields differ', async () => {
    const count = async () => Number((await sql<{ n: string }>`select count(*)::text as n from rated_call`.execute(database.db)).rows[0]!.n);
    const before = await count();
    const resent = writeCanonicalFile(dir, 'resent.csv', [
      'a-1,2026-10-07T11:00:00+02:00,61,+31201234567,0612345678,outgoing,+31201234567,fixed,',
      'a-2,2026-10-06T10:05:00+02:00,,+31201234567,0612345678,outgoing,+31201234567,fixed,',
      't-1,2026-10-03T10:00:00+02:00,61,+31104567890,6231234,outgoing,+31104567890,fixed,',
    ]);
    const [report] = await ingest(database, [resent]);
    expect(report).toMatchObject({ read: 4, rated: 0, duplicates: 3, duplicatesDiffering: 2, skipped: 1 });
    expect(await count()).toBe(before);
    expect(await callTotalsDrift(database)).toEqual([]);
  });

  it('refuses a file with a wrong header and stores nothing from it', async () => {
    const path = `${dir}/bad-header.csv`;
    (await import('node:fs')).writeFileSync(path, 'id,when\nx,y\n');
    const before = await database.db.selectFrom('ingest_file').select('id').execute();
    const [report] = await ingest(database, [path]);
    expect(report!.fileError).toMatch(/^line 1: expected the header record_id,started_at/);
    expect(await database.db.selectFrom('ingest_file').select('id').execute()).toHaveLength(before.length);
  });

  it('issues numbered invoices whose totals are the sum of their lines, once', async () => {
    const [fileA, fileB] = [readFileSync('fixtures/cdrs/xms-2026-10-a.csv', 'utf8'), readFileSync('fixtures/cdrs/xms-2026-10-b.csv', 'utf8')];
    expect(fileA.length + fileB.length).toBeGreaterThan(0);
    await ingest(database, ['fixtures/cdrs/xms-2026-10-a.csv', 'fixtures/cdrs/xms-2026-10-b.csv']);
    const issued = await issueInvoices(database, { year: 2026, month: 10 }, { issueDate: '2026-11-01', now: new Date('2026-11-01T12:00:00Z') });
    expect(issued.map((i) => i.invoice.number)).toEqual(['2026-000001', '2026-000002', '2026-000003', '2026-000004', '2026-000005', '2026-000006']);
    for (const { invoice } of issued) {
      const sum = invoice.lines.reduce((s, l) => s.add(l.amount), new Decimal(0));
      expect(sum.toFixed(2)).toBe(invoice.subtotal);
      expect(new Decimal(invoice.subtotal).add(invoice.vat).toFixed(2)).toBe(invoice.total);
      expect(invoice.vat).toBe(new Decimal(invoice.subtotal).mul('0.21').toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2));
    }
    // R-1004 started on the 10th: 22 of 31 days of 4.95
    const bakker = issued.find((i) => i.invoice.account.id === 'R-1004')!.invoice;
    expect(bakker.lines[0]).toMatchObject({ type: 'recurring', amount: '3.51', description: expect.stringContaining('22/31 dagen') });
    // R-1005 switched plan on the 16th: two prorated fees
    const visser = issued.find((i) => i.invoice.account.id === 'R-1005')!.invoice;
    expect(visser.lines.filter((l) => l.type === 'recurring').map((l) => l.amount)).toEqual(['2.40', '9.03']);

    const again = await issueInvoices(database, { year: 2026, month: 10 }, { issueDate: '2026-11-02', now: new Date('2026-11-02T12:00:00Z') });
    expect(again.every((i) => !i.issuedNow)).toBe(true);
    expect(again.map((i) => i.invoice)).toEqual(issued.map((i) => i.invoice));
    const sequence = await database.db.selectFrom('invoice_sequence').selectAll().execute();
    expect(sequence).toEqual([{ year: 2026, last_number: 6 }]);
  });

  it('never changes an issued invoice', async () => {
    await expect(sql`update invoice set total = 0`.execute(database.db)).rejects.toThrow(/issued and cannot be changed/);
    await expect(sql`delete from invoice`.execute(database.db)).rejects.toThrow(/issued and cannot be changed/);
  });

  it('puts a late CDR on the next invoice, dated to its own month', async () => {
    const path = writeCanonicalFile(dir, 'late.csv', ['late-1,2026-10-30T12:00:00+01:00,120,+31201234567,0612345678,outgoing,+31201234567,fixed,']);
    const [report] = await ingest(database, [path]);
    expect(report!.rated).toBe(1);
    const november = await issueInvoices(database, { year: 2026, month: 11 }, { issueDate: '2026-12-01', now: new Date('2026-12-01T12:00:00Z') });
    const devries = november.find((i) => i.invoice.account.id === 'R-1001')!.invoice;
    const late = devries.lines.filter((l) => l.period === '2026-10');
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ category: 'mobile', calls: 1, description: expect.stringMatching(/^Laat verbruik 2026-10/) });
  });
});
