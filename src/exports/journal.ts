/**
 * The sales journal: per document a debtor line and credit lines per revenue account and VAT
 * account (debit and credit swap for a credit note), from a ledger mapping kept as validated data
 * (finance/ledger.json). Debits equal credits per document by construction: the debtor line is the
 * document's total, the revenue lines its lines' amounts, the VAT lines its VAT per rate. Two layouts:
 * a generic one (CSV/JSON rows) and Twinfield's XML import of sales transactions. Pure.
 */
import { create } from 'xmlbuilder2';
import { z } from 'zod';
import { parseJsonFile } from '../domain/json-file.js';
import { Decimal, formatEuros } from '../domain/money.js';
import type { DocumentHead, FinanceDocument } from './register.js';

const LEDGER_ACCOUNT = z.string().regex(/^[0-9A-Za-z.-]{1,20}$/, 'expected a ledger account code such as 8000');
const RATE = z.string().regex(/^(0|0\.\d{1,4})$/, 'expected a VAT rate as a fraction such as 0.21');

const LEDGER = z
  .object({
    $comment: z.string().optional(),
    journal: z.string().regex(/^[A-Z0-9]{1,10}$/, 'expected a journal code such as VRK'),
    debtors: LEDGER_ACCOUNT,
    revenue: z
      .object({
        recurring: z.object({ default: LEDGER_ACCOUNT, byKind: z.record(z.string(), LEDGER_ACCOUNT).default({}) }).strict(),
        usage: z.object({ default: LEDGER_ACCOUNT, byCategory: z.record(z.string(), LEDGER_ACCOUNT).default({}) }).strict(),
        fairUse: LEDGER_ACCOUNT,
      })
      .strict(),
    vat: z
      .array(z.object({ rate: RATE, account: LEDGER_ACCOUNT, code: z.string().regex(/^[A-Z0-9]{1,10}$/, 'expected a VAT code such as VH') }).strict())
      .nonempty()
      .superRefine((rates, ctx) => {
        const seen = new Set<string>();
        rates.forEach((r, i) => {
          const key = new Decimal(r.rate).toString();
          if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'rate'], message: `rate ${r.rate} is mapped twice` });
          seen.add(key);
        });
      }),
    twinfield: z.object({ office: z.string().regex(/^[A-Z0-9]{1,16}$/, 'expected a Twinfield office code such as NLA000001') }).strict(),
  })
  .strict();

export type Ledger = z.infer<typeof LEDGER>;

export class LedgerError extends Error {}

/**
 * Validates a ledger mapping file.
 * @throws LedgerError naming the file and the field
 */
export function parseLedger(fileName: string, content: string): Ledger {
  const parsed = parseJsonFile(fileName, content, LEDGER);
  if ('problem' in parsed) throw new LedgerError(parsed.problem);
  return parsed.value;
}

export interface JournalLine {
  readonly entry: string;
  readonly date: string;
  readonly journal: string;
  readonly kind: FinanceDocument['kind'];
  readonly ledgerAccount: string;
  /** the customer (on the debtor line) */
  readonly relation: string;
  readonly description: string;
  readonly debit: string;
  readonly credit: string;
  readonly vatCode: string;
  /** the Twinfield line type: total (debtor), detail (revenue), vat */
  readonly lineType: 'total' | 'detail' | 'vat';
}

function vatOf(ledger: Ledger, rate: string, doc: string): Ledger['vat'][number] {
  const found = ledger.vat.find((v) => new Decimal(v.rate).eq(rate));
  if (!found) throw new LedgerError(`${doc}: VAT rate ${rate} has no account in the ledger mapping (vat[].rate)`);
  return found;
}

/** The revenue account of an invoice line. */
function revenueAccount(ledger: Ledger, line: FinanceDocument['lines'][number]): string {
  const r = ledger.revenue;
  if (line.type === 'recurring') return r.recurring.byKind[line.productKind ?? ''] ?? r.recurring.default;
  if (line.type === 'usage') return r.usage.byCategory[line.category ?? ''] ?? r.usage.default;
  return r.fairUse;
}

const KIND_TEXT: Record<FinanceDocument['kind'], string> = { invoice: 'Factuur', corrective: 'Correctiefactuur', credit_note: 'Creditfactuur' };
const TYPE_TEXT: Record<string, string> = { recurring: 'abonnementen', usage: 'gesprekken', fair_use: 'fair use' };

/** The journal lines of the documents, in document order; each document balances. */
export function buildJournal(docs: readonly FinanceDocument[], ledger: Ledger): JournalLine[] {
  const out: JournalLine[] = [];
  for (const doc of docs) {
    const base = { entry: doc.number, date: doc.issueDate, journal: ledger.journal, kind: doc.kind };
    /** positive: debit */
    const push = (ledgerAccount: string, signed: Decimal, description: string, lineType: JournalLine['lineType'], extra: Partial<JournalLine> = {}) => {
      out.push({
        ...base,
        ledgerAccount,
        relation: '',
        description,
        debit: signed.gt(0) ? formatEuros(signed) : '0.00',
        credit: signed.lt(0) ? formatEuros(signed.negated()) : '0.00',
        vatCode: '',
        lineType,
        ...extra,
      });
    };
    push(ledger.debtors, new Decimal(doc.total), `${KIND_TEXT[doc.kind]} ${doc.number} ${doc.account.name}`, 'total', { relation: doc.account.id });
    // revenue per (account, rate, type) in first-seen order
    const groups = new Map<string, { account: string; rate: string; type: string; amount: Decimal }>();
    for (const line of doc.lines) {
      const account = revenueAccount(ledger, line);
      const key = `${account}|${line.vatRate}|${line.type}`;
      const group = groups.get(key) ?? { account, rate: line.vatRate, type: line.type, amount: new Decimal(0) };
      group.amount = group.amount.add(line.amount);
      groups.set(key, group);
    }
    for (const g of groups.values()) {
      if (g.amount.isZero()) continue;
      push(g.account, g.amount.negated(), `Omzet ${TYPE_TEXT[g.type] ?? g.type} ${doc.number}`, 'detail', { vatCode: vatOf(ledger, g.rate, doc.number).code });
    }
    for (const v of doc.vatBreakdown) {
      const mapped = vatOf(ledger, v.rate, doc.number);
      if (new Decimal(v.amount).isZero()) continue;
      push(mapped.account, new Decimal(v.amount).negated(), `Btw ${new Decimal(v.rate).times(100).toString()}% ${doc.number}`, 'vat', { vatCode: mapped.code });
    }
  }
  return out;
}

/** Debits minus credits per entry (all zero for a balanced journal) and in total. */
export function journalBalance(lines: readonly JournalLine[]): { byEntry: Map<string, Decimal>; debit: string; credit: string } {
  const byEntry = new Map<string, Decimal>();
  let debit = new Decimal(0);
  let credit = new Decimal(0);
  for (const l of lines) {
    byEntry.set(l.entry, (byEntry.get(l.entry) ?? new Decimal(0)).add(l.debit).sub(l.credit));
    debit = debit.add(l.debit);
    credit = credit.add(l.credit);
  }
  return { byEntry, debit: formatEuros(debit), credit: formatEuros(credit) };
}

/**
 * The journal in Twinfield's XML import of sales transactions (`<transactions>`, one
 * `<transaction destiny="temporary">` per document: a total line on the debtors account with the
 * customer as dim2, detail lines per revenue account with their VAT code, VAT lines), as documented
 * in Twinfield's web services documentation, Transactions → Sales transactions.
 */
export function twinfieldXml(docs: readonly DocumentHead[], lines: readonly JournalLine[], ledger: Ledger): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('transactions');
  const byEntry = new Map<string, JournalLine[]>();
  for (const l of lines) byEntry.set(l.entry, [...(byEntry.get(l.entry) ?? []), l]);
  for (const doc of docs) {
    const tx = root.ele('transaction', { destiny: 'temporary' });
    const header = tx.ele('header');
    header.ele('office').txt(ledger.twinfield.office);
    header.ele('code').txt(ledger.journal);
    header.ele('currency').txt(doc.currency);
    header.ele('date').txt(doc.issueDate.replace(/-/g, ''));
    header.ele('period').txt(`${doc.issueDate.slice(0, 4)}/${doc.issueDate.slice(5, 7)}`);
    header.ele('invoicenumber').txt(doc.number);
    if (doc.kind !== 'credit_note' && doc.dueDate) header.ele('duedate').txt(doc.dueDate.replace(/-/g, ''));
    const xmlLines = tx.ele('lines');
    for (const l of byEntry.get(doc.number) ?? []) {
      const line = xmlLines.ele('line', { type: l.lineType });
      line.ele('dim1').txt(l.ledgerAccount);
      if (l.relation) line.ele('dim2').txt(l.relation);
      const debit = new Decimal(l.debit).gt(0);
      line.ele('debitcredit').txt(debit ? 'debit' : 'credit');
      line.ele('value').txt(debit ? l.debit : l.credit);
      line.ele('description').txt(l.description.slice(0, 40));
      if (l.vatCode) line.ele('vatcode').txt(l.vatCode);
    }
  }
  return `${root.end({ prettyPrint: true })}\n`;
}
