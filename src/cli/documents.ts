/** Issued documents as files: JSON for machines and HTML for people, and the invoice summary. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreditNote } from '../billing/build-credit-note.js';
import type { Invoice } from '../billing/build-invoice.js';
import { renderInvoiceHtml, type Language } from '../billing/render-invoice.js';
import type { IssuedInvoice } from '../pipeline/issue-invoices.js';
import type { Field } from './output.js';

/** Writes each document as `<number>.json` and `<number>.html`. */
export function writeDocuments(dir: string, docs: readonly (Invoice | CreditNote)[], language: Language): void {
  mkdirSync(dir, { recursive: true });
  for (const doc of docs) {
    writeFileSync(join(dir, `${doc.number}.json`), `${JSON.stringify(doc, null, 2)}\n`);
    writeFileSync(join(dir, `${doc.number}.html`), renderInvoiceHtml(doc, language));
  }
}

/** The invoice run's summary, one record per invoice. */
export const INVOICE_SUMMARY: readonly Field<IssuedInvoice>[] = [
  { key: 'number', header: 'invoice', value: (i) => i.invoice.number },
  { key: 'account', value: (i) => i.invoice.account.id },
  { key: 'name', value: (i) => i.invoice.account.name },
  { key: 'period', value: (i) => i.invoice.period },
  { key: 'subtotal', value: (i) => i.invoice.subtotal, align: 'right' },
  { key: 'vat', value: (i) => i.invoice.vat, align: 'right' },
  { key: 'total', value: (i) => i.invoice.total, align: 'right' },
  { key: 'status', value: (i) => (i.issuedNow ? 'issued' : i.invoice.number === '(concept)' ? 'dry run' : 'issued earlier') },
];
