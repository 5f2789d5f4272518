/**
 * The month-end run as an operator meets it: only ended periods, never a skipped month, one run at a
 * time, late usage on the next invoice, and every amount shown as in the stored document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInvoiceHtml, formatAmount } from '../../src/billing/render-invoice.js';
import { Decimal } from '../../src/domain/money.js';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { InputError } from '../../src/pipeline/input-error.js';
import { issueInvoices, RunInProgress } from '../../src/pipeline/issue-invoices.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import { LOCK, type Database } from '../../src/store/database.js';
import { tempDir, writeCanonicalFile } from '../support/files.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const LOAD = new Date('2027-01-01T06:00:00Z');
const LINE = '+31201234567'; // R-1001, Basispakket
const dir = tempDir();

const openedOn = (period: string): Date => new Date(`${period}-02T06:00:00Z`);
const month = (text: string) => ({ year: Number(text.slice(0, 4)), month: Number(text.slice(5)) });
const invoice = (database: Database, period: string, now: Date, issueDate = '2026-12-01') =>
  issueInvoices(database, month(period), { issueDate, now, rangeSize: 2 });

async function snapshot(database: Database) {
  const invoices = await database.db.selectFrom('invoice').select(['number', 'account_id', 'period']).orderBy('number').execute();
  const sequence = await database.db.selectFrom('invoice_sequence').selectAll().execute();
  const claims = await database.db.selectFrom('usage_claim').select(['account_id', 'invoice_number']).execute();
  return { invoices, sequence, claims };
}

async function ingest(database: Database, name: string, rows: string[]): Promise<void> {
  const [report] = await ingestFiles(database, [writeCanonicalFile(dir, name, rows)], { format: 'canonical', now: LOAD });
  expect(report).toMatchObject({ rejected: 0 });
}

describe(`the invoice run (${TEST_BACKEND})`, () => {
  let test: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    test = await createTestDatabase();
    database = test.database;
    await loadTariffs(database, 'tariffs', LOAD);
    await loadCustomers(database, 'fixtures/customers.json');
    await ingest(database, 'sep-oct.csv', [
      `s-1,2026-09-10T10:00:00+02:00,61,${LINE},0612345678,outgoing,${LINE},fixed,`,
      `o-1,2026-10-10T10:00:00+02:00,120,${LINE},0612345678,outgoing,${LINE},fixed,`,
      `o-2,2026-10-12T20:00:00+02:00,3601,${LINE},0044201234567,outgoing,${LINE},fixed,`,
    ]);
  });
  afterAll(async () => test?.drop());

  it('refuses a period that has not ended, and changes nothing; a dry run is allowed', async () => {
    const before = await snapshot(database);
    await expect(invoice(database, '2026-09', new Date('2026-09-30T21:59:59Z'))).rejects.toThrow(
      /2026-09 has not ended yet \(it ends 2026-10-01 00:00 Europe\/Amsterdam\)/,
    );
    expect(await snapshot(database)).toEqual(before);
    const dry = await issueInvoices(database, month('2026-09'), { issueDate: '2026-09-15', now: new Date('2026-09-15T12:00:00Z'), dryRun: true });
    expect(dry.length).toBeGreaterThan(0);
    expect(dry.every((d) => !d.issuedNow && d.invoice.number === '(concept)')).toBe(true);
    expect(await snapshot(database)).toEqual(before);
  });

  it('refuses to skip a month an account was billable in, saying which, and changes nothing', async () => {
    const september = await invoice(database, '2026-09', openedOn('2026-10'), '2026-10-01');
    expect(september.filter((i) => i.issuedNow).length).toBeGreaterThan(2);
    const before = await snapshot(database);
    const refused = invoice(database, '2026-11', openedOn('2026-12'));
    await expect(refused).rejects.toBeInstanceOf(InputError);
    await expect(invoice(database, '2026-11', openedOn('2026-12'))).rejects.toThrow(/R-1001 \(2026-10\).*invoice 2026-10 first/);
    expect(await snapshot(database)).toEqual(before);
  });

  it('invoices the months in order, puts late usage on the next invoice, and refuses an earlier month after a later one', async () => {
    const october = await invoice(database, '2026-10', openedOn('2026-11'), '2026-11-01');
    const r1001 = october.find((i) => i.invoice.account.id === 'R-1001')!.invoice;
    expect(r1001.lines.filter((l) => l.type === 'usage').map((l) => [l.period, l.category, l.calls])).toEqual(
      expect.arrayContaining([
        ['2026-10', 'international', 1],
        ['2026-10', 'mobile', 1],
      ]),
    );
    await ingest(database, 'late.csv', [`o-late,2026-10-30T10:00:00+01:00,60,${LINE},0612345678,outgoing,${LINE},fixed,`]);
    const november = await invoice(database, '2026-11', openedOn('2026-12'));
    const late = november.find((i) => i.invoice.account.id === 'R-1001')!.invoice;
    expect(late.lines.filter((l) => l.type === 'usage').map((l) => [l.period, l.calls])).toEqual([['2026-10', 1]]);
    await expect(invoice(database, '2026-10', openedOn('2026-12'))).resolves.toSatisfy((again: { issuedNow: boolean }[]) => again.every((i) => !i.issuedNow));
    const before = await snapshot(database);
    await expect(invoice(database, '2026-08', openedOn('2026-12'))).rejects.toThrow(
      /2026-08 cannot be invoiced after a later month: [BR]-\d+ was invoiced for 2026-09 already/,
    );
    expect(await snapshot(database)).toEqual(before);
    const numbers = before.invoices.map((i) => Number(i.number.slice(5)));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it('lets one run at a time hold the database: another either waits its turn or is told so', async () => {
    await ingest(database, 'dec.csv', [`d-1,2026-12-10T10:00:00+01:00,60,${LINE},0612345678,outgoing,${LINE},fixed,`]);
    const held = await database.exclusively(LOCK.invoiceRun, async () => {
      const second = issueInvoices(database, month('2026-12'), { issueDate: '2027-01-01', now: openedOn('2027-01') });
      if (TEST_BACKEND === 'postgres') {
        await expect(second).rejects.toBeInstanceOf(RunInProgress);
        return 'refused';
      }
      // the embedded database is one process: the second run waits for this one
      const raced = await Promise.race([second.then(() => 'ran'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
      expect(raced).toBe('waiting');
      void second.catch(() => undefined);
      return 'waiting';
    });
    expect(['refused', 'waiting']).toContain(held.acquired && held.value);
    const [a, b] = await Promise.allSettled([
      issueInvoices(database, month('2026-12'), { issueDate: '2027-01-01', now: openedOn('2027-01') }),
      issueInvoices(database, month('2026-12'), { issueDate: '2027-01-01', now: openedOn('2027-01') }),
    ]);
    const december = await database.db.selectFrom('invoice').select(['number', 'account_id']).where('period', '=', '2026-12').execute();
    expect(december.length).toBeGreaterThan(2);
    expect(new Set(december.map((d) => d.account_id)).size).toBe(december.length);
    for (const result of [a, b]) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(RunInProgress);
  });

  it('shows every amount of the stored documents in the HTML exactly as stored, rounded half-up', async () => {
    const rows = await database.db.selectFrom('invoice').select('document').execute();
    for (const row of rows) {
      const doc = JSON.parse(row.document) as Awaited<ReturnType<typeof issueInvoices>>[number]['invoice'];
      const html = renderInvoiceHtml(doc);
      for (const amount of [doc.subtotal, doc.vat, doc.total, ...doc.lines.map((l) => l.amount)]) expect(html).toContain(formatAmount(amount, 'nl'));
      for (const line of doc.lines.filter((l) => l.listPrice !== undefined)) {
        expect(html).toContain(formatAmount(new Decimal(line.listPrice!).toFixed(2, Decimal.ROUND_HALF_UP), 'nl'));
      }
    }
  });
});
