/**
 * A credit note: the negation of some or all lines of an issued invoice, numbered in the same
 * sequence, referring to it. VAT is computed per rate on the credited lines, so crediting a whole
 * invoice gives back exactly its total. Pure.
 */
import { Decimal, formatEuros, roundToCents } from '../domain/money.js';
import type { Invoice, InvoiceLine } from './build-invoice.js';

export interface CreditNote {
  readonly number: string;
  readonly kind: 'credit_note';
  readonly creditsInvoice: string;
  readonly reason: string;
  readonly seller?: Invoice['seller'];
  readonly account: Invoice['account'];
  readonly period: string;
  readonly issueDate: string;
  readonly language?: Invoice['language'];
  readonly currency: 'EUR';
  readonly lines: readonly (InvoiceLine & { readonly creditsLine: number })[];
  readonly vatBreakdown: Invoice['vatBreakdown'];
  readonly subtotal: string;
  readonly vat: string;
  readonly total: string;
}

function negate(amount: string): string {
  return formatEuros(new Decimal(amount).negated());
}

/** Sums lines into VAT per rate and totals, as an invoice does. */
export function totalsOf(lines: readonly InvoiceLine[]): Pick<Invoice, 'vatBreakdown' | 'subtotal' | 'vat' | 'total'> {
  const bases = new Map<string, Decimal>();
  for (const line of lines) bases.set(line.vatRate, (bases.get(line.vatRate) ?? new Decimal(0)).add(line.amount));
  const vatBreakdown = [...bases].map(([rate, base]) => ({ rate, base: formatEuros(base), amount: formatEuros(roundToCents(base.mul(rate))) }));
  const subtotal = lines.reduce((sum, l) => sum.add(l.amount), new Decimal(0));
  const vat = vatBreakdown.reduce((sum, v) => sum.add(v.amount), new Decimal(0));
  return { vatBreakdown, subtotal: formatEuros(subtotal), vat: formatEuros(vat), total: formatEuros(subtotal.add(vat)) };
}

/**
 * Credits the given 1-based lines of `invoice` (all when `lineNumbers` is empty).
 * @throws Error when a line number is not on the invoice
 */
export function buildCreditNote(invoice: Invoice, lineNumbers: readonly number[], number: string, issueDate: string, reason: string): CreditNote {
  const chosen = lineNumbers.length === 0 ? invoice.lines.map((_, i) => i + 1) : [...new Set(lineNumbers)].sort((a, b) => a - b);
  for (const n of chosen) if (!invoice.lines[n - 1]) throw new Error(`invoice ${invoice.number} has no line ${n} (it has ${invoice.lines.length})`);
  const lines = chosen.map((n) => {
    const line = invoice.lines[n - 1]!;
    return { ...line, unitPrice: negate(line.unitPrice), amount: negate(line.amount), creditsLine: n };
  });
  return {
    number,
    kind: 'credit_note',
    creditsInvoice: invoice.number,
    reason,
    ...(invoice.seller ? { seller: invoice.seller } : {}),
    account: invoice.account,
    period: invoice.period,
    issueDate,
    ...(invoice.language ? { language: invoice.language } : {}),
    currency: 'EUR',
    lines,
    ...totalsOf(lines),
  };
}
