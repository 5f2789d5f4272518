/**
 * Issues the invoices of a period: one per billing account with lines, products or unbilled usage
 * in the period (or pending fair-use charges). Each invoice is numbered and stored in its own
 * transaction; an account already invoiced for the period is left alone.
 */
import {
  buildInvoice,
  formatMinutes,
  type ExtraCharge,
  type Invoice,
  type RecurringCharge,
  type UsageSummary,
  type UserUsage,
} from '../billing/build-invoice.js';
import { itemCharges, planFeeCharges } from '../billing/recurring-charges.js';
import { formatPeriod, nextPeriod, periodEnd, periodFirstDay as localDate, type Period } from '../domain/period.js';
import type { TariffSet } from '../tariffs/tariff-set.js';
import type { Database } from '../store/database.js';
import { accountsWithBillingItems, loadAccounts, loadAccountsActiveBetween, loadBillingItems } from '../store/customer-store.js';
import { accountsWithPendingFairUse, claimFairUseCharges, pendingFairUseCharges, type FairUseChargeRow } from '../store/fair-use-store.js';
import {
  accountsWithUnbilledUsage,
  claimUnbilledUsage,
  findInvoice,
  insertInvoice,
  nextInvoiceNumber,
  peekUnbilledUsage,
  usageByLine,
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
      `Fair use ${row.fair_use_group} ${row.window_start} t/m ${row.window_end}: ${row.calls} ${row.calls === 1 ? 'gesprek' : 'gesprekken'}, ${formatMinutes(seconds)} min ` +
      `onder onbeperkt bellen, ${Number(row.ratio).toFixed(2)}× het gemiddelde per gebruiker; tegen regulier tarief`,
    amountTicks: row.amount_ticks,
    calls: row.calls,
    billedSeconds: seconds,
  };
}

/** The recurring charges of one account for a period: plan fees of its lines, then its products. */
export async function accountRecurringCharges(database: Database, tariffs: TariffSet, accountId: string, period: Period): Promise<RecurringCharge[]> {
  const from = localDate(period);
  const to = localDate(nextPeriod(period));
  const lines = (await loadAccountsActiveBetween(database, from, to)).filter((t) => t.accountId === accountId);
  const items = await loadBillingItems(database, accountId, from, to);
  return [...planFeeCharges(lines, tariffs, period), ...itemCharges(items, tariffs, period)];
}

export interface InvoiceParts {
  readonly recurring: readonly RecurringCharge[];
  readonly usage: readonly UsageSummary[];
  readonly fairUse: readonly FairUseChargeRow[];
  readonly usageByUser: readonly UserUsage[];
}

/** Builds an account's invoice document from its parts. */
export function composeInvoice(
  tariffs: TariffSet,
  account: { id: string; name: string; segment: string },
  period: Period,
  number: string,
  issueDate: string,
  parts: InvoiceParts,
): Invoice {
  return buildInvoice({
    number,
    issueDate,
    account: { id: account.id, name: account.name },
    period,
    recurring: parts.recurring,
    usage: parts.usage,
    extraCharges: parts.fairUse.map(fairUseCharge),
    ...(account.segment === 'business' ? { usageByUser: parts.usageByUser } : {}),
    vatRate: tariffs.vatRate,
  });
}

export async function issueInvoices(database: Database, period: Period, options: IssueInvoicesOptions): Promise<IssuedInvoice[]> {
  const tariffs = await loadStoredTariffs(database);
  const periodText = formatPeriod(period);
  const end = periodEnd(period);
  const ids = new Set<string>([
    ...(await loadAccountsActiveBetween(database, localDate(period), localDate(nextPeriod(period)))).map((t) => t.accountId),
    ...(await accountsWithBillingItems(database, localDate(period), localDate(nextPeriod(period)))).map((a) => a.id),
    ...(await accountsWithUnbilledUsage(database, end)),
    ...(await accountsWithPendingFairUse(database)),
  ]);
  const accounts = await loadAccounts(database, [...ids]);
  const year = Number(options.issueDate.slice(0, 4));
  const results: IssuedInvoice[] = [];
  for (const account of accounts) {
    const existing = await findInvoice(database.db, account.id, periodText);
    if (existing) {
      results.push({ invoice: JSON.parse(existing.document) as Invoice, issuedNow: false });
      continue;
    }
    const recurring = await accountRecurringCharges(database, tariffs, account.id, period);
    if (options.dryRun) {
      const parts = {
        recurring,
        usage: await peekUnbilledUsage(database, account.id, end),
        fairUse: await pendingFairUseCharges(database, account.id),
        usageByUser: await usageByLine(database.db, { accountId: account.id, before: end }),
      };
      results.push({ invoice: composeInvoice(tariffs, account, period, '(concept)', options.issueDate, parts), issuedNow: false });
      continue;
    }
    const invoice = await database.session(async (session) => {
      const number = await nextInvoiceNumber(session, year);
      const parts = {
        recurring,
        usage: await claimUnbilledUsage(session, account.id, end, number),
        fairUse: await claimFairUseCharges(session, account.id, number),
        usageByUser: await usageByLine(session.db, { invoiceNumber: number }),
      };
      const doc = composeInvoice(tariffs, account, period, number, options.issueDate, parts);
      await insertInvoice(session, {
        number,
        account_id: account.id,
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
