/**
 * Issues the invoices of a period: one per billing account with lines in the period or unbilled
 * usage before its end. Each invoice is numbered and stored in its own transaction; an account
 * already invoiced for the period is left alone.
 */
import { buildInvoice, formatMinutes, type ExtraCharge, type Invoice } from '../billing/build-invoice.js';
import { accountsWithPendingFairUse, claimFairUseCharges, pendingFairUseCharges, type FairUseChargeRow } from '../store/fair-use-store.js';
import { recurringCharges } from '../billing/recurring-charges.js';
import { formatPeriod, nextPeriod, periodEnd, type Period } from '../domain/period.js';
import type { Database } from '../store/database.js';
import { loadAccountsActiveBetween, type AccountSubscriptionRow } from '../store/customer-store.js';
import {
  accountsWithUnbilledUsage,
  claimUnbilledUsage,
  findInvoice,
  insertInvoice,
  nextInvoiceNumber,
  peekUnbilledUsage,
} from '../store/invoice-store.js';
import { loadStoredTariffs } from './load-tariffs.js';

export interface IssueInvoicesOptions {
  /** `YYYY-MM-DD`, the date printed on the invoices; its year numbers them */
  readonly issueDate: string;
  readonly dryRun?: boolean;
}

export interface IssuedInvoice {
  readonly invoice: Invoice;
  /** false when it was issued by an earlier run */
  readonly issuedNow: boolean;
}

function fairUseCharge(row: FairUseChargeRow): ExtraCharge {
  const seconds = Number(row.covered_seconds);
  return {
    type: 'fair_use',
    description:
      `Fair use ${row.fair_use_group} ${row.window_start} t/m ${row.window_end}: ${row.calls} gesprekken, ${formatMinutes(seconds)} min ` +
      `onder onbeperkt bellen, ${Number(row.ratio).toFixed(2)}× het gemiddelde per gebruiker; tegen regulier tarief`,
    amountTicks: row.amount_ticks,
    calls: row.calls,
    billedSeconds: seconds,
  };
}

function localDate(period: Period): string {
  return `${formatPeriod(period)}-01`;
}

export async function issueInvoices(database: Database, period: Period, options: IssueInvoicesOptions): Promise<IssuedInvoice[]> {
  const tariffs = await loadStoredTariffs(database);
  const periodText = formatPeriod(period);
  const end = periodEnd(period);
  const active = await loadAccountsActiveBetween(database, localDate(period), localDate(nextPeriod(period)));
  const accounts = new Map<string, { name: string; terms: AccountSubscriptionRow[] }>();
  for (const row of active) {
    const entry = accounts.get(row.accountId) ?? { name: row.name, terms: [] };
    entry.terms.push(row);
    accounts.set(row.accountId, entry);
  }
  const late = [...(await accountsWithUnbilledUsage(database, end)), ...(await accountsWithPendingFairUse(database))];
  const lateIds = [...new Set(late)].filter((id) => !accounts.has(id));
  if (lateIds.length > 0) {
    const names = await database.db.selectFrom('account').select(['id', 'name']).where('id', 'in', lateIds).execute();
    for (const n of names) accounts.set(n.id, { name: n.name, terms: [] });
  }
  const year = Number(options.issueDate.slice(0, 4));
  const results: IssuedInvoice[] = [];
  for (const accountId of [...accounts.keys()].sort()) {
    const { name, terms } = accounts.get(accountId)!;
    const existing = await findInvoice(database.db, accountId, periodText);
    if (existing) {
      results.push({ invoice: JSON.parse(existing.document) as Invoice, issuedNow: false });
      continue;
    }
    const recurring = recurringCharges(
      terms.map((t) => ({ line: t.line, planId: t.planId, validFrom: t.validFrom, validTo: t.validTo })),
      tariffs,
      period,
    );
    const build = (number: string, usage: Parameters<typeof buildInvoice>[0]['usage'], fairUse: readonly FairUseChargeRow[]): Invoice =>
      buildInvoice({
        number,
        issueDate: options.issueDate,
        account: { id: accountId, name },
        period,
        recurring,
        usage,
        extraCharges: fairUse.map(fairUseCharge),
        vatRate: tariffs.vatRate,
      });
    if (options.dryRun) {
      results.push({ invoice: build('(concept)', await peekUnbilledUsage(database, accountId, end), await pendingFairUseCharges(database, accountId)), issuedNow: false });
      continue;
    }
    const invoice = await database.session(async (session) => {
      const number = await nextInvoiceNumber(session, year);
      const usage = await claimUnbilledUsage(session, accountId, end, number);
      const fairUse = await claimFairUseCharges(session, accountId, number);
      const doc = build(number, usage, fairUse);
      await insertInvoice(session, {
        number,
        account_id: accountId,
        period: periodText,
        kind: 'invoice',
        issue_date: options.issueDate,
        subtotal: doc.subtotal,
        vat: doc.vat,
        total: doc.total,
        document: JSON.stringify(doc, null, 2),
      });
      return doc;
    });
    results.push({ invoice, issuedNow: true });
  }
  return results;
}
