/**
 * The invoice register: every invoice, corrective invoice and credit note, with its net, VAT and
 * gross amount per VAT rate, from the stored documents. The other finance exports are built on it
 * or reconcile with it. Pure.
 */
import type { CreditNote } from '../billing/build-credit-note.js';
import type { Invoice } from '../billing/build-invoice.js';
import { Decimal, formatEuros } from '../domain/money.js';

export type FinanceDocument = Invoice | CreditNote;

/** Documents as the store keeps them (JSON), parsed once. */
export function parseDocuments(stored: readonly { readonly document: string }[]): FinanceDocument[] {
  return stored.map((s) => JSON.parse(s.document) as FinanceDocument);
}

/** A document without its lines: what the SEPA file and a journal's headers read (small enough to keep for a whole run). */
export type DocumentHead = Omit<Invoice, 'lines' | 'usageByUser'> | Omit<CreditNote, 'lines'>;

export function headOf(doc: FinanceDocument): DocumentHead {
  if (doc.kind === 'credit_note') {
    const { lines: _, ...head } = doc;
    return head;
  }
  const { lines: _, usageByUser: __, ...head } = doc;
  return head;
}

/** The invoice a document refers to: a credit note's credited invoice, a corrective invoice's original. */
export function refersTo(doc: DocumentHead): string | undefined {
  return doc.kind === 'credit_note' ? doc.creditsInvoice : doc.kind === 'corrective' ? doc.corrects : undefined;
}

export interface RegisterRow {
  readonly number: string;
  readonly kind: FinanceDocument['kind'];
  readonly issueDate: string;
  readonly dueDate: string;
  readonly period: string;
  readonly account: string;
  readonly accountName: string;
  readonly refersTo: string;
  readonly vatRate: string;
  readonly net: string;
  readonly vat: string;
  readonly gross: string;
}

/** One row per document and VAT rate, in document order. */
export function buildRegister(docs: readonly FinanceDocument[]): RegisterRow[] {
  return docs.flatMap((doc) =>
    doc.vatBreakdown.map((v) => ({
      number: doc.number,
      kind: doc.kind,
      issueDate: doc.issueDate,
      dueDate: doc.kind === 'credit_note' ? '' : (doc.dueDate ?? ''),
      period: doc.period,
      account: doc.account.id,
      accountName: doc.account.name,
      refersTo: refersTo(doc) ?? '',
      vatRate: v.rate,
      net: formatEuros(new Decimal(v.base)),
      vat: formatEuros(new Decimal(v.amount)),
      gross: formatEuros(new Decimal(v.base).add(v.amount)),
    })),
  );
}

/** Sums of a register's net, VAT and gross. */
export function registerTotals(rows: readonly RegisterRow[]): { net: string; vat: string; gross: string } {
  const sum = (key: 'net' | 'vat' | 'gross') => formatEuros(rows.reduce((s, r) => s.add(r[key]), new Decimal(0)));
  return { net: sum('net'), vat: sum('vat'), gross: sum('gross') };
}
