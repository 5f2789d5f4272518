/**
 * Credit notes, and the corrective invoice after a rerate: an issued invoice never changes; a
 * correction is a credit note that refers to it plus, when asked, a new invoice.
 */
import { buildCorrectiveInvoice, type Invoice } from '../billing/build-invoice.js';
import { buildCreditNote, type CreditNote } from '../billing/build-credit-note.js';
import type { Database } from '../store/database.js';
import {
  findByNumber,
  insertInvoice,
  moveCallsToInvoice,
  nextInvoiceNumber,
  referringTo,
  usageOfInvoice,
  usageOfInvoiceByLine,
} from '../store/invoice-store.js';
import { InputError } from './input-error.js';
import { loadStoredTariffs } from './load-tariffs.js';

export interface CreditOptions {
  readonly invoiceNumber: string;
  readonly reason: string;
  /** 1-based line numbers; empty = the whole invoice */
  readonly lines: readonly number[];
  readonly issueDate: string;
  /** after a rerate: also issue a corrective invoice with the calls at their prices now */
  readonly reissue: boolean;
}

export interface CreditResult {
  readonly creditNote: CreditNote;
  readonly corrective?: Invoice;
}

export async function creditInvoice(database: Database, options: CreditOptions): Promise<CreditResult> {
  if (!options.reason.trim()) throw new InputError('a credit note needs a reason (--reason)');
  const tariffs = await loadStoredTariffs(database);
  return database.session(async (session) => {
    const row = await findByNumber(session.db, options.invoiceNumber);
    if (!row) throw new InputError(`no invoice ${options.invoiceNumber}`);
    if (row.kind === 'credit_note') throw new InputError(`${options.invoiceNumber} is a credit note; credit the invoice it refers to`);
    const invoice = JSON.parse(row.document) as Invoice;
    const earlier = await referringTo(session.db, invoice.number);
    const replacedBy = earlier.find((d) => d.kind === 'corrective');
    if (replacedBy) throw new InputError(`invoice ${invoice.number} was replaced by ${replacedBy.number}; credit that one`);
    const credited = new Set(
      earlier.filter((d) => d.kind === 'credit_note').flatMap((d) => (JSON.parse(d.document) as CreditNote).lines.map((l) => l.creditsLine)),
    );
    const wanted = options.lines.length === 0 ? invoice.lines.map((_, i) => i + 1).filter((n) => !credited.has(n)) : options.lines;
    if (wanted.length === 0) throw new InputError(`invoice ${invoice.number} is credited in full already`);
    const again = wanted.filter((n) => credited.has(n));
    if (again.length > 0) throw new InputError(`line ${again.join(', ')} of invoice ${invoice.number} was credited already`);
    for (const n of wanted) if (!invoice.lines[n - 1]) throw new InputError(`invoice ${invoice.number} has no line ${n} (it has ${invoice.lines.length})`);
    if (options.reissue && (credited.size > 0 || wanted.length !== invoice.lines.length)) {
      throw new InputError(`--reissue credits the whole invoice; ${invoice.number} is partly credited already or lines were chosen`);
    }
    const year = Number(options.issueDate.slice(0, 4));
    const creditNote = buildCreditNote(invoice, wanted, await nextInvoiceNumber(session, year), options.issueDate, options.reason);
    await insertInvoice(session, {
      number: creditNote.number,
      account_id: invoice.account.id,
      period: invoice.period,
      kind: 'credit_note',
      issue_date: options.issueDate,
      subtotal: creditNote.subtotal,
      vat: creditNote.vat,
      total: creditNote.total,
      document: JSON.stringify(creditNote, null, 2),
      refers_to: invoice.number,
    });
    if (!options.reissue) return { creditNote };
    const number = await nextInvoiceNumber(session, year);
    const usage = await usageOfInvoice(session, invoice.number);
    const usageByUser = invoice.usageByUser ? await usageOfInvoiceByLine(session, invoice.number) : [];
    const corrective = buildCorrectiveInvoice(invoice, { number, issueDate: options.issueDate, usage, usageByUser, vatRate: tariffs.vatRate });
    await insertInvoice(session, {
      number,
      account_id: invoice.account.id,
      period: invoice.period,
      kind: 'corrective',
      issue_date: options.issueDate,
      subtotal: corrective.subtotal,
      vat: corrective.vat,
      total: corrective.total,
      document: JSON.stringify(corrective, null, 2),
      refers_to: invoice.number,
    });
    await moveCallsToInvoice(session, invoice.number, number);
    return { creditNote, corrective };
  });
}
