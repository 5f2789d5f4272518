/**
 * The finance exports: the stored documents of a selection (issue dates or period of supply) read
 * 1,000 at a time and handed to the pure builders of src/exports, so that memory holds one batch of
 * documents (and the exports' own rows), whatever the month's size. Whatever the builders refuse is
 * an input error naming the document.
 */
import { readFileSync } from 'node:fs';
import type { CreditNote } from '../billing/build-credit-note.js';
import { buildJournal, LedgerError, parseLedger, type JournalLine, type Ledger } from '../exports/journal.js';
import { buildRegister, headOf, parseDocuments, type DocumentHead, type FinanceDocument, type RegisterRow } from '../exports/register.js';
import { RevenueTally, type RevenueRow } from '../exports/revenue.js';
import { buildSepa, type SepaBatch } from '../exports/sepa.js';
import { buildUbl, ublObstacle } from '../exports/ubl.js';
import { buildVatReturn, type VatReturnRow } from '../exports/vat-return.js';
import { loadAccounts } from '../store/customer-store.js';
import type { Database } from '../store/database.js';
import { creditNotesOf, firstInvoiceOfMandates, issuedDocumentBatches, type DocumentSelection } from '../store/invoice-store.js';
import { InputError } from './input-error.js';

export type { DocumentSelection };

async function* documentBatches(database: Database, selection: DocumentSelection): AsyncGenerator<FinanceDocument[]> {
  for await (const batch of issuedDocumentBatches(database.db, selection)) yield parseDocuments(batch);
}

export async function exportRegister(database: Database, selection: DocumentSelection): Promise<RegisterRow[]> {
  const rows: RegisterRow[] = [];
  for await (const docs of documentBatches(database, selection)) rows.push(...buildRegister(docs));
  return rows;
}

/** Reads and validates the ledger mapping file. */
export function readLedger(file: string): Ledger {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`${file}: cannot read the ledger mapping file`);
  }
  try {
    return parseLedger(file, text);
  } catch (error) {
    if (error instanceof LedgerError) throw new InputError(error.message, { cause: error });
    throw error;
  }
}

export async function exportJournal(
  database: Database,
  selection: DocumentSelection,
  ledger: Ledger,
): Promise<{ documents: DocumentHead[]; lines: JournalLine[] }> {
  const heads: DocumentHead[] = [];
  const lines: JournalLine[] = [];
  try {
    for await (const docs of documentBatches(database, selection)) {
      lines.push(...buildJournal(docs, ledger));
      heads.push(...docs.map(headOf));
    }
  } catch (error) {
    if (error instanceof LedgerError) throw new InputError(error.message, { cause: error });
    throw error;
  }
  return { documents: heads, lines };
}

export async function exportVatReturn(database: Database, selection: DocumentSelection, by: 'month' | 'quarter'): Promise<VatReturnRow[]> {
  return buildVatReturn(await exportRegister(database, selection), by);
}

export async function exportRevenue(database: Database, selection: DocumentSelection): Promise<RevenueRow[]> {
  const tally = new RevenueTally();
  for await (const docs of documentBatches(database, selection)) tally.add(docs);
  return tally.rows();
}

export interface UblExport {
  /** documents written */
  readonly written: number;
  /** residential documents (no e-invoice) */
  readonly consumers: number;
  /** business documents that cannot be an e-invoice, and why */
  readonly refused: readonly string[];
}

/**
 * SI-UBL documents of the selection's business accounts (`all`: residential ones too, where they
 * can be), each handed to `write` as it is built.
 */
export async function exportUbl(
  database: Database,
  selection: DocumentSelection,
  write: (number: string, xml: string) => void,
  all = false,
): Promise<UblExport> {
  const refused: string[] = [];
  let consumers = 0;
  let written = 0;
  for await (const docs of documentBatches(database, selection)) {
    const segments = new Map((await loadAccounts(database, [...new Set(docs.map((d) => d.account.id))])).map((a) => [a.id, a.segment]));
    for (const doc of docs) {
      if (!all && segments.get(doc.account.id) !== 'business') {
        consumers++;
        continue;
      }
      const obstacle = ublObstacle(doc);
      if (obstacle) refused.push(obstacle);
      else {
        write(doc.number, buildUbl(doc));
        written++;
      }
    }
  }
  return { written, consumers, refused };
}

export async function exportSepa(database: Database, selection: DocumentSelection, collectionDate?: string): Promise<SepaBatch> {
  const docs: DocumentHead[] = [];
  for await (const batch of documentBatches(database, selection)) docs.push(...batch.map(headOf));
  const invoices = docs.filter((d) => d.kind !== 'credit_note').map((d) => d.number);
  // the builder counts those issued by each invoice's collection date
  const creditNotes = parseDocuments(await creditNotesOf(database.db, invoices)) as CreditNote[];
  const mandates = [...new Set(docs.flatMap((d) => (d.kind !== 'credit_note' && d.payment?.method === 'direct_debit' ? [d.payment.mandateId] : [])))];
  return buildSepa({
    documents: docs,
    creditNotes,
    firstInvoiceOfMandate: await firstInvoiceOfMandates(database.db, mandates),
    ...(collectionDate ? { collectionDate } : {}),
  });
}
