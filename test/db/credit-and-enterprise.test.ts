import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.js';
import { creditInvoice } from '../../src/pipeline/credit-invoice.js';
import { enterpriseOverview } from '../../src/pipeline/enterprise-overview.js';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { issueInvoices } from '../../src/pipeline/issue-invoices.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const CASE = 'test/cases/enterprise-two-groups';
const NOW = new Date('2026-11-01T06:00:00Z');

describe(`credit notes and the enterprise overview (${TEST_BACKEND})`, () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
    await loadTariffs(test.database, 'tariffs', NOW);
    await loadCustomers(test.database, `${CASE}/customers.json`);
    await ingestFiles(test.database, [`${CASE}/cdrs/oktober.csv`], { format: 'auto', now: NOW });
    await issueInvoices(test.database, { year: 2026, month: 10 }, { issueDate: '2026-11-01', now: new Date('2026-11-01T12:00:00Z') });
  });
  afterAll(async () => test?.drop());

  it('shows each group with its billing account, users and invoice', async () => {
    const overview = await enterpriseOverview(test.database, 'ENT-NOORD', { year: 2026, month: 10 });
    expect(overview.name).toBe('Holding Noord BV');
    expect(overview.groups).toEqual([
      { pbx: 'PBX-AMS', pbxName: 'Vestiging Amsterdam', account: 'E-AMS', users: 2, invoice: '2026-000001', subtotal: '30.00', total: '36.30' },
      { pbx: 'PBX-RTM', pbxName: 'Vestiging Rotterdam', account: 'E-RTM', users: 2, invoice: '2026-000002', subtotal: '32.61', total: '39.46' },
    ]);
    await expect(enterpriseOverview(test.database, 'NOPE', { year: 2026, month: 10 })).rejects.toThrow(/no enterprise NOPE/);
  });

  it('credits chosen lines once each, then the rest, and nothing more', async () => {
    const first = await creditInvoice(test.database, {
      invoiceNumber: '2026-000002',
      reason: 'Fax naar e-mail niet geleverd',
      lines: [3],
      issueDate: '2026-11-03',
      reissue: false,
    });
    expect(first.creditNote).toMatchObject({ number: '2026-000003', creditsInvoice: '2026-000002', subtotal: '-2.50', vat: '-0.53', total: '-3.03' });
    await expect(
      creditInvoice(test.database, { invoiceNumber: '2026-000002', reason: 'x', lines: [3], issueDate: '2026-11-03', reissue: false }),
    ).rejects.toThrow(/line 3 of invoice 2026-000002 was credited already/);
    await expect(
      creditInvoice(test.database, { invoiceNumber: '2026-000002', reason: 'x', lines: [], issueDate: '2026-11-03', reissue: true }),
    ).rejects.toThrow(/--reissue credits the whole invoice/);
    const rest = await creditInvoice(test.database, {
      invoiceNumber: '2026-000002',
      reason: 'Contract ontbonden',
      lines: [],
      issueDate: '2026-11-04',
      reissue: false,
    });
    expect(rest.creditNote.lines.map((l) => l.creditsLine)).toEqual([1, 2, 4, 5]);
    // together the two credit notes take back the invoice's subtotal exactly
    expect(new Decimal(first.creditNote.subtotal).add(rest.creditNote.subtotal).toFixed(2)).toBe('-32.61');
    await expect(
      creditInvoice(test.database, { invoiceNumber: '2026-000002', reason: 'x', lines: [], issueDate: '2026-11-04', reissue: false }),
    ).rejects.toThrow(/credited in full already/);
    await expect(
      creditInvoice(test.database, { invoiceNumber: '2026-000003', reason: 'x', lines: [], issueDate: '2026-11-04', reissue: false }),
    ).rejects.toThrow(/is a credit note/);
    await expect(
      creditInvoice(test.database, { invoiceNumber: '2026-000002', reason: ' ', lines: [], issueDate: '2026-11-04', reissue: false }),
    ).rejects.toThrow(/needs a reason/);
    const numbers = await test.database.db.selectFrom('invoice').select(['number', 'kind', 'refers_to']).orderBy('number').execute();
    expect(numbers).toEqual([
      { number: '2026-000001', kind: 'invoice', refers_to: null },
      { number: '2026-000002', kind: 'invoice', refers_to: null },
      { number: '2026-000003', kind: 'credit_note', refers_to: '2026-000002' },
      { number: '2026-000004', kind: 'credit_note', refers_to: '2026-000002' },
    ]);
  });
});
