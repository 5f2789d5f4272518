/**
 * Finance as a finance team checks it, on the golden cases and on a generated month: the register
 * sums to the documents; the journal balances per document and in total, and its revenue equals the
 * register's net; the VAT return equals the register's VAT; every business document's SI-UBL passes
 * the official validation (zero fatal assertions), credit notes and corrective invoices included;
 * the pain.008 file parses, its control sum equals the collected invoices, and its IBANs and
 * creditor id are valid. Exports re-run byte-identically.
 */
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { isValidIBAN } from 'ibantools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCustomers, seededRandom, writeMonth } from '../../bench/generate-month.js';
import type { Invoice } from '../../src/billing/build-invoice.js';
import type { CreditNote } from '../../src/billing/build-credit-note.js';
import { isValidCreditorId } from '../../src/billing/parties.js';
import { journalBalance } from '../../src/exports/journal.js';
import { registerTotals } from '../../src/exports/register.js';
import { ublObstacle } from '../../src/exports/ubl.js';
import { Decimal } from '../../src/domain/money.js';
import { creditInvoice } from '../../src/pipeline/credit-invoice.js';
import {
  exportJournal,
  exportRegister,
  exportRevenue,
  exportSepa,
  exportUbl,
  exportVatReturn,
  readLedger,
  type DocumentSelection,
} from '../../src/pipeline/finance-exports.js';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { issueInvoices } from '../../src/pipeline/issue-invoices.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import type { Database } from '../../src/store/database.js';
import { replaceCustomers } from '../../src/store/customer-store.js';
import { issuedDocumentBatches } from '../../src/store/invoice-store.js';
import { compiledValidator, validateUbl } from '../support/einvoice.js';
import { tempDir } from '../support/files.js';
import { CASES, goldenCases, runCase } from '../support/golden-cases.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const ALL: DocumentSelection = { from: '2000-01-01', to: '2099-12-31' };
const ledger = readLedger('finance/ledger.json');
let sef: string;

const sum = (values: readonly string[]) => values.reduce((s, v) => s.add(v), new Decimal(0));

/** Every check a finance team makes of one database's documents. */
async function checkFinance(database: Database, docs: readonly (Invoice | CreditNote)[]): Promise<{ validated: number; collected: number }> {
  // register = documents
  const register = await exportRegister(database, ALL);
  const totals = registerTotals(register);
  expect(totals.gross).toBe(sum(docs.map((d) => d.total)).toFixed(2));
  expect(totals.net).toBe(sum(docs.map((d) => d.subtotal)).toFixed(2));
  expect(totals.vat).toBe(sum(docs.map((d) => d.vat)).toFixed(2));
  expect(new Set(register.map((r) => r.number)).size).toBe(docs.length);

  // journal balances per document and in total; its revenue is the register's net
  const { lines } = await exportJournal(database, ALL, ledger);
  const balance = journalBalance(lines);
  for (const [entry, difference] of balance.byEntry) expect(difference.toFixed(2), `entry ${entry}`).toBe('0.00');
  expect(balance.debit).toBe(balance.credit);
  const revenueAccounts = new Set([
    ledger.revenue.recurring.default,
    ...Object.values(ledger.revenue.recurring.byKind),
    ledger.revenue.usage.default,
    ...Object.values(ledger.revenue.usage.byCategory),
    ledger.revenue.fairUse,
  ]);
  const revenue = lines.filter((l) => revenueAccounts.has(l.ledgerAccount)).reduce((s, l) => s.add(l.credit).sub(l.debit), new Decimal(0));
  expect(revenue.toFixed(2)).toBe(totals.net);
  const vatLines = lines.filter((l) => l.lineType === 'vat').reduce((s, l) => s.add(l.credit).sub(l.debit), new Decimal(0));
  expect(vatLines.toFixed(2)).toBe(totals.vat);

  // VAT return = register, by month and by quarter
  for (const by of ['month', 'quarter'] as const) {
    const vat = await exportVatReturn(database, ALL, by);
    expect(sum(vat.map((r) => r.vat)).toFixed(2)).toBe(totals.vat);
    expect(sum(vat.map((r) => r.turnover)).toFixed(2)).toBe(totals.net);
  }
  // revenue per product and category = register net
  expect(sum((await exportRevenue(database, ALL)).map((r) => r.net)).toFixed(2)).toBe(totals.net);

  // UBL of every document that can be an e-invoice validates
  const files: { number: string; xml: string }[] = [];
  const ubl = await exportUbl(database, ALL, (number, xml) => files.push({ number, xml }), true);
  expect(ubl.refused.every((r) => /has no KvK number/.test(r))).toBe(true);
  for (const file of files) {
    const failed = validateUbl(sef, file.xml);
    expect(
      failed.filter((f) => f.flag === 'fatal'),
      `${file.number}`,
    ).toEqual([]);
  }
  expect(ubl.written).toBe(docs.filter((d) => !ublObstacle(d)).length);
  expect(files).toHaveLength(ubl.written);

  // SEPA: parses, control sum, valid IBANs and creditor id
  const sepa = await exportSepa(database, ALL);
  if (sepa.xml) {
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['PmtInf', 'DrctDbtTxInf'].includes(name), parseTagValue: false }).parse(
      sepa.xml,
    );
    const root = parsed.Document.CstmrDrctDbtInitn;
    expect(parsed.Document['@_xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.008.001.08');
    const txs = root.PmtInf.flatMap((p: { DrctDbtTxInf: unknown[] }) => p.DrctDbtTxInf) as {
      InstdAmt: { '#text': string };
      DbtrAcct: { Id: { IBAN: string } };
    }[];
    expect(root.GrpHdr.CtrlSum).toBe(sum(txs.map((t) => t.InstdAmt['#text'])).toFixed(2));
    expect(root.GrpHdr.CtrlSum).toBe(sepa.controlSum);
    expect(Number(root.GrpHdr.NbOfTxs)).toBe(txs.length);
    for (const t of txs) expect(isValidIBAN(t.DbtrAcct.Id.IBAN)).toBe(true);
    for (const p of root.PmtInf) {
      expect(isValidIBAN(p.CdtrAcct.Id.IBAN)).toBe(true);
      expect(isValidCreditorId(p.CdtrSchmeId.Id.PrvtId.Othr.Id)).toBe(true);
    }
    // the collected invoices: direct debit, less the credit notes issued by their collection (due) date, positive
    const creditNotes = docs.filter((d): d is CreditNote => d.kind === 'credit_note');
    const expected = docs
      .filter((d): d is Invoice => d.kind !== 'credit_note' && d.payment?.method === 'direct_debit')
      .map((d) => creditNotes.filter((c) => c.creditsInvoice === d.number && c.issueDate <= d.dueDate!).reduce((a, c) => a.add(c.total), new Decimal(d.total)))
      .filter((a) => a.gt(0));
    expect(sepa.controlSum).toBe(sum(expected.map((a) => a.toFixed(2))).toFixed(2));
  }
  // documents read in small batches are the documents read at once, in order
  const batched: string[] = [];
  for await (const batch of issuedDocumentBatches(database.db, ALL, 7)) batched.push(...batch.map((d) => d.number));
  const whole: string[] = [];
  for await (const batch of issuedDocumentBatches(database.db, ALL, 100_000)) whole.push(...batch.map((d) => d.number));
  expect(batched).toEqual(whole);
  expect(batched).toHaveLength(docs.length);
  // re-run: the same bytes
  expect(JSON.stringify(await exportRegister(database, ALL))).toBe(JSON.stringify(register));
  expect((await exportSepa(database, ALL)).xml).toBe(sepa.xml);
  return { validated: ubl.written, collected: sepa.collections.length };
}

describe(`finance exports (${TEST_BACKEND})`, () => {
  beforeAll(() => {
    sef = compiledValidator();
  }, 180_000);

  it('hold for every golden case: register, journal, VAT, revenue, UBL, SEPA', async () => {
    let validated = 0;
    let collected = 0;
    for (const name of goldenCases()) {
      await runCase(join(CASES, name), undefined, async (database, docs) => {
        const all = [...docs.values()];
        // a business invoice credited and reissued before it was collected: a CreditNote (381) that cancels
        // its collection and a corrective Invoice (384)
        const business = all.find((d): d is Invoice => d.kind === 'invoice' && d.account.kvkNumber !== undefined);
        if (business) {
          const result = await creditInvoice(database, {
            invoiceNumber: business.number,
            reason: 'Correctie',
            lines: [],
            issueDate: business.issueDate,
            reissue: true,
          });
          all.push(result.creditNote, result.corrective!);
        }
        const checked = await checkFinance(database, all);
        validated += checked.validated;
        collected += checked.collected;
      });
    }
    expect(validated).toBeGreaterThanOrEqual(10);
    expect(collected).toBeGreaterThanOrEqual(4);
  }, 240_000);

  describe('a generated month', () => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await createTestDatabase();
      const random = seededRandom(17);
      const customers = makeCustomers(300, random);
      await loadTariffs(test.database, 'tariffs', new Date('2026-10-01T00:00:00Z'));
      await replaceCustomers(test.database, { accounts: customers.accounts, pbxs: [], enterprises: [] });
      const dir = tempDir('cdrbill-finance-');
      const [canonical, broadworks] = [join(dir, 'month.csv'), join(dir, 'month-bw.csv')];
      await writeMonth(canonical, broadworks, 6_000, customers, random);
      await ingestFiles(test.database, [canonical, broadworks], { format: 'auto', now: new Date('2026-11-01T06:00:00Z') });
      await issueInvoices(test.database, { year: 2026, month: 10 }, { issueDate: '2026-11-01', now: new Date('2026-11-01T06:00:00Z') });
    }, 120_000);
    afterAll(async () => test?.drop());

    it('register, journal, VAT, UBL and SEPA agree', async () => {
      const docs = (await test.database.db.selectFrom('invoice').select('document').orderBy('number').execute()).map(
        (r) => JSON.parse(r.document) as Invoice | CreditNote,
      );
      expect(docs.length).toBe(300);
      const checked = await checkFinance(test.database, docs);
      expect(checked.validated).toBe(100); // the business accounts
      expect(checked.collected).toBe(150); // every other account pays by direct debit
    }, 240_000);
  });
});
