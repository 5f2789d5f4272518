/**
 * The finance exports: the stored documents of a selection (issue dates or period of supply) read
 * once, handed to the pure builders of src/exports. Whatever the builders refuse is an input error
 * naming the document.
 */
import { readFileSync } from 'node:fs';
import type { CreditNote } from '../billing/build-credit-note.js';
import { buildJournal, LedgerError, parseLedger, type JournalLine, type Ledger } from '../exports/journal.js';
import { buildRegister, parseDocuments, type FinanceDocument, type RegisterRow } from '../exports/register.js';
import { buildRevenue, type RevenueRow } from '../exports/revenue.js';
import { buildSepa, type SepaBatch } from '../exports/sepa.js';
import { buildUbl, ublObstacle } from '../exports/ubl.js';
import { buildVatReturn, type VatReturnRow } from '../exports/vat-return.js';
import { loadAccounts } from '../store/customer-store.js';
import type { Database } from '../store/database.js';
import { creditNotesOf, firstInvoiceOfMandates, issuedDocuments, type DocumentSelection } from '../store/invoice-store.js';
import { InputError } from './input-error.js';

export type { DocumentSelection };

async function documents(database: Database, selection: DocumentSelection): Promise<FinanceDocument[]> {
  return parseDocuments(await issuedDocuments(database.db, selection));
}

export async function exportRegister(database: Database, selection: DocumentSelection): Promise<RegisterRow[]> {
  return buildRegister(await documents(database, selection));
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
): Promise<{ documents: FinanceDocument[]; lines: JournalLine[] }> {
  const docs = await documents(database, selection);
  try {
    return { documents: docs, lines: buildJournal(docs, ledger) };
  } catch (error) {
    if (error instanceof LedgerError) throw new InputError(error.message, { cause: error });
    throw error;
  }
}

export async function exportVatReturn(database: Database, selection: DocumentSelection, by: 'month' | 'quarter'): Promise<VatReturnRow[]> {
  return buildVatReturn(buildRegister(await documents(database, selection)), by);
}

export async function exportRevenue(database: Database, selection: DocumentSelection): Promise<RevenueRow[]> {
  return buildRevenue(await documents(database, selection));
}

export interface UblExport {
  readonly files: readonly { readonly number: string; readonly xml: string }[];
  /** residential documents (no e-invoice) */
  readonly consumers: number;
  /** business documents that cannot be an e-invoice, and why */
  readonly refused: readonly string[];
}

/** SI-UBL documents of the selection's business accounts (`all`: residential ones too, where they can be). */
export async function exportUbl(database: Database, selection: DocumentSelection, all = false): Promise<UblExport> {
  const docs = await documents(database, selection);
  const segments = new Map((await loadAccounts(database, [...new Set(docs.map((d) => d.account.id))])).map((a) => [a.id, a.segment]));
  const files: { number: string; xml: string }[] = [];
  const refused: string[] = [];
  let consumers = 0;
  for (const doc of docs) {
    if (!all && segments.get(doc.account.id) !== 'business') {
      consumers++;
      continue;
    }
    const obstacle = ublObstacle(doc);
    if (obstacle) refused.push(obstacle);
    else files.push({ number: doc.number, xml: buildUbl(doc) });
  }
  return { files, consumers, refused };
}

export async function exportSepa(database: Database, selection: DocumentSelection, collectionDate?: string): Promise<SepaBatch> {
  const docs = await documents(database, selection);
  const invoices = docs.filter((d) => d.kind !== 'credit_note').map((d) => d.number);
  const through = collectionDate ?? '9999-12-31';
  const creditNotes = parseDocuments(await creditNotesOf(database.db, invoices, through)) as CreditNote[];
  const mandates = [...new Set(docs.flatMap((d) => (d.kind !== 'credit_note' && d.payment?.method === 'direct_debit' ? [d.payment.mandateId] : [])))];
  return buildSepa({
    documents: docs,
    creditNotes,
    firstInvoiceOfMandate: await firstInvoiceOfMandates(database.db, mandates),
    ...(collectionDate ? { collectionDate } : {}),
  });
}
