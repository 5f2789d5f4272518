/** Issued documents as files: JSON for machines, HTML (and PDF when asked) for people, and the invoice summary. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CreditNote } from '../billing/build-credit-note.js';
import type { Invoice } from '../billing/build-invoice.js';
import { renderInvoiceHtml, type Language } from '../billing/render-invoice.js';
import type { IssuedInvoice } from '../pipeline/issue-invoices.js';
import type { Field } from './output.js';

/** A document's files: `<number>.json` (as stored, when its stored text is at hand) and `<number>.html`. */
function documentFiles(dir: string, doc: Invoice | CreditNote, language: Language | undefined, stored?: string): [path: string, text: string][] {
  return [
    [join(dir, `${doc.number}.json`), `${stored ?? JSON.stringify(doc, null, 2)}\n`],
    [join(dir, `${doc.number}.html`), renderInvoiceHtml(doc, language)],
  ];
}

/** Writes each document as `<number>.json` and `<number>.html` (in `language`, else the document's own). */
export function writeDocuments(dir: string, docs: readonly (Invoice | CreditNote)[], language?: Language): void {
  mkdirSync(dir, { recursive: true });
  for (const doc of docs) for (const [path, text] of documentFiles(dir, doc, language)) writeFileSync(path, text);
}

/** The PDF renderer, loaded when first asked for (pdfkit costs every other command 0.1 s and 27 MB to load). */
export async function pdfRenderer(): Promise<typeof import('../billing/render-invoice-pdf.js').renderInvoicePdf> {
  return (await import('../billing/render-invoice-pdf.js')).renderInvoicePdf;
}

/** At most this many document files being written at once. */
const WRITES_IN_FLIGHT = 64;

/** One line of an invoice run's summary. */
export interface InvoiceSummaryRow {
  readonly number: string;
  readonly account: string;
  readonly name: string;
  readonly period: string;
  readonly subtotal: string;
  readonly vat: string;
  readonly total: string;
  readonly status: 'issued' | 'issued earlier' | 'dry run';
  /** what the account lacks for a complete invoice (address) */
  readonly missing: string;
}

/**
 * Takes the invoices of a run as they come: writes each as files (unless `dir` is undefined, for a
 * dry run) and keeps only its summary line, so that memory does not grow with the documents.
 */
export function invoiceCollector(
  dir: string | undefined,
  language?: Language,
  pdf = false,
): { take: (issued: IssuedInvoice) => Promise<void>; finish: () => Promise<void>; rows: InvoiceSummaryRow[] } {
  const rows: InvoiceSummaryRow[] = [];
  if (dir) mkdirSync(dir, { recursive: true });
  // files are written while the run reads the next range from the database
  const writing = new Set<Promise<void>>();
  const write = (path: string, text: string | Buffer): Promise<void> => {
    const done = writeFile(path, text).finally(() => writing.delete(done));
    writing.add(done);
    return done;
  };
  const take = async ({ invoice, issuedNow, document, missing }: IssuedInvoice): Promise<void> => {
    if (dir) {
      while (writing.size >= WRITES_IN_FLIGHT) await Promise.race(writing);
      for (const [path, text] of documentFiles(dir, invoice, language, document)) void write(path, text);
      if (pdf) void write(join(dir, `${invoice.number}.pdf`), await (await pdfRenderer())(invoice, language));
    }
    rows.push({
      number: invoice.number,
      account: invoice.account.id,
      name: invoice.account.name,
      period: invoice.period,
      subtotal: invoice.subtotal,
      vat: invoice.vat,
      total: invoice.total,
      status: issuedNow ? 'issued' : dir ? 'issued earlier' : 'dry run',
      missing: missing.join(' '),
    });
  };
  const finish = async (): Promise<void> => {
    await Promise.all(writing);
  };
  return { take, finish, rows };
}

/** The invoice run's summary, one record per invoice. */
export const INVOICE_SUMMARY: readonly Field<InvoiceSummaryRow>[] = [
  { key: 'number', header: 'invoice', value: (i) => i.number },
  { key: 'account', value: (i) => i.account },
  { key: 'name', value: (i) => i.name },
  { key: 'period', value: (i) => i.period },
  { key: 'subtotal', value: (i) => i.subtotal, align: 'right' },
  { key: 'vat', value: (i) => i.vat, align: 'right' },
  { key: 'total', value: (i) => i.total, align: 'right' },
  { key: 'status', value: (i) => i.status },
  { key: 'missing', value: (i) => i.missing },
];
