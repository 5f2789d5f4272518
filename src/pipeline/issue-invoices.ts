/**
 * Issues the invoices of a period, set-based: one per billing account with lines, products,
 * unbilled usage or pending fair-use charges. Accounts are taken a range at a time (by id, so every
 * query is an index range of the history); each range is read with a handful of queries, its
 * invoices numbered and stored, and its calls claimed with one row per invoice, in one transaction.
 * A crash leaves whole ranges issued and the rest not; a re-run issues the rest. Memory holds one
 * range.
 *
 * Refused before anything is written (exit 1, saying why): a period that has not ended in
 * Europe/Amsterdam; a period before one that an account was invoiced for already; a month between the
 * first invoiced month and this one in which an account was billable but never invoiced. A dry run
 * is always allowed. One run at a time per database.
 */
import {
  buildInvoice,
  formatDurationInWords,
  type ExtraCharge,
  type Invoice,
  type RecurringCharge,
  type UsageSummary,
  type UserUsage,
} from '../billing/build-invoice.js';
import { missingForInvoice, type Seller } from '../billing/parties.js';
import { itemCharges, planFeeCharges } from '../billing/recurring-charges.js';
import { groupBy } from '../domain/collections.js';
import { formatPeriod, nextPeriod, periodEnd, periodFirstDay as localDate, type Period } from '../domain/period.js';
import {
  accountsWithBillingItems,
  billableMonthsWithoutInvoice,
  loadAccountRange,
  loadAccountsActiveBetween,
  loadBillingItems,
  type AccountRow,
} from '../store/customer-store.js';
import { analyzeChangedTables, LOCK, type Database, type Session } from '../store/database.js';
import { accountsWithPendingFairUse, claimFairUseChargesOf, pendingFairUseChargesOf, type FairUseChargeRow } from '../store/fair-use-store.js';
import { ingestWatermark } from '../store/call-store.js';
import {
  clearRunUsage,
  firstInvoicedPeriod,
  insertClaims,
  laterInvoice,
  insertInvoices,
  invoicesOfPeriod,
  prepareRunUsage,
  reserveInvoiceNumbers,
  runLineUsage,
  runUsage,
  type AccountRange,
} from '../store/invoice-store.js';
import { currentSeller } from '../store/seller-store.js';
import type { TariffSet } from '../tariffs/tariff-set.js';
import { InputError } from './input-error.js';
import { loadStoredTariffs } from './load-tariffs.js';

export interface IssueInvoicesOptions {
  /** `YYYY-MM-DD`, the date printed on the invoices; its year numbers them */
  readonly issueDate: string;
  /** the clock: a period can be invoiced once it has ended */
  readonly now: Date;
  readonly dryRun?: boolean;
  /** accounts per transaction (default 1,000) */
  readonly rangeSize?: number;
  /** each invoice as soon as its range is committed; when given, nothing is kept and [] is returned */
  readonly onInvoice?: (issued: IssuedInvoice) => void | Promise<void>;
  /** accounts done so far, and in all */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface IssuedInvoice {
  readonly invoice: Invoice;
  /** the document as stored (JSON text), when it was */
  readonly document?: string;
  /** false when it was issued by an earlier run (or this is a dry run) */
  readonly issuedNow: boolean;
  /** what the account lacks for a complete invoice (its address), from the customers file */
  readonly missing: readonly string[];
}

/** Another invoice run holds the database's invoice lock. */
export class RunInProgress extends Error {}

function fairUseCharge(row: FairUseChargeRow): ExtraCharge {
  const seconds = Number(row.covered_seconds);
  return {
    type: 'fair_use',
    description:
      `Fair use ${row.fair_use_group} ${row.window_start} t/m ${row.window_end}: ${row.calls} ${row.calls === 1 ? 'gesprek' : 'gesprekken'}, ${formatDurationInWords(seconds)} ` +
      `onder onbeperkt bellen, ${Number(row.ratio).toFixed(2)}× het gemiddelde per gebruiker; tegen regulier tarief`,
    amountTicks: row.amount_ticks,
    calls: row.calls,
    billedSeconds: seconds,
  };
}

interface InvoiceParts {
  readonly recurring: readonly RecurringCharge[];
  readonly usage: readonly UsageSummary[];
  readonly fairUse: readonly FairUseChargeRow[];
  readonly usageByUser: readonly UserUsage[];
}

/** Builds an account's invoice document from its parts. */
function composeInvoice(context: RunContext, account: AccountRow, number: string, parts: InvoiceParts): Invoice {
  const { tariffs, period, issueDate, seller } = context;
  return buildInvoice({
    number,
    issueDate,
    seller,
    account,
    period,
    recurring: parts.recurring,
    usage: parts.usage,
    extraCharges: parts.fairUse.map(fairUseCharge),
    ...(account.segment === 'business' ? { usageByUser: parts.usageByUser } : {}),
    vatRate: tariffs.vatRate,
  });
}

/** Refuses a period that has not ended, or one that would leave an earlier billable month uninvoiced. */
async function checkPeriod(database: Database, period: Period, now: Date, accountIds: readonly string[]): Promise<void> {
  const periodText = formatPeriod(period);
  if (periodEnd(period).getTime() > now.getTime()) {
    throw new InputError(
      `${periodText} has not ended yet (it ends ${localDate(nextPeriod(period))} 00:00 Europe/Amsterdam): a period is invoiced after it ended; --dry-run shows what it holds so far`,
    );
  }
  const later = await laterInvoice(database.db, periodText, accountIds);
  if (later) throw new InputError(`${periodText} cannot be invoiced after a later month: ${later.account_id} was invoiced for ${later.period} already`);
  const first = await firstInvoicedPeriod(database.db);
  if (!first || first >= periodText) return;
  const missing = await billableMonthsWithoutInvoice(database.db, first, periodText, 11);
  if (missing.length === 0) return;
  const shown = missing
    .slice(0, 10)
    .map((m) => `${m.account_id} (${m.period})`)
    .join(', ');
  throw new InputError(
    `${periodText} cannot be invoiced yet: accounts were billable in earlier months that were never invoiced: ${shown}${missing.length > 10 ? ', …' : ''}; invoice ${missing[0]!.period} first (cdrbill invoice --period ${missing[0]!.period})`,
  );
}

/** The accounts the run invoices, in id order: lines or items in the period, unbilled calls, pending fair use. */
async function accountsToInvoice(database: Database, period: Period, withCalls: readonly string[]): Promise<string[]> {
  const from = localDate(period);
  const to = localDate(nextPeriod(period));
  const ids = new Set<string>([
    ...(await loadAccountsActiveBetween(database.db, from, to)).map((t) => t.accountId),
    ...(await accountsWithBillingItems(database.db, from, to)).map((a) => a.id),
    ...withCalls,
    ...(await accountsWithPendingFairUse(database.db)),
  ]);
  return [...ids].sort();
}

interface RunContext {
  readonly tariffs: TariffSet;
  readonly seller: Seller;
  readonly period: Period;
  readonly watermark: number;
  readonly issueDate: string;
}

/** Reads one range of accounts and builds its invoices; stores them unless it is a dry run. */
async function invoiceRange(
  db: Session['db'],
  session: Session | undefined,
  context: RunContext,
  accountIds: ReadonlySet<string>,
  range: AccountRange,
): Promise<IssuedInvoice[]> {
  const { tariffs, period, watermark, issueDate } = context;
  const periodText = formatPeriod(period);
  const end = periodEnd(period);
  const from = localDate(period);
  const to = localDate(nextPeriod(period));
  const accounts = (await loadAccountRange(db, range)).filter((a) => accountIds.has(a.id));
  const earlier = new Map((await invoicesOfPeriod(db, range, periodText)).map((r) => [r.account_id, r]));
  const lines = await loadAccountsActiveBetween(db, from, to, range);
  const items = await loadBillingItems(db, range, from, to);
  const usage = await runUsage(db, range);
  const byLine = await runLineUsage(db, range);
  const fairUse = await pendingFairUseChargesOf(db, range);

  const toIssue = accounts.filter((a) => !earlier.has(a.id));
  const year = Number(issueDate.slice(0, 4));
  const numbers = session ? await reserveInvoiceNumbers(session, year, toIssue.length) : toIssue.map(() => '(concept)');
  const issued = new Map<string, Invoice>();
  const linesOf = groupBy(lines, (l) => l.accountId);
  toIssue.forEach((account, i) => {
    const recurring = [...planFeeCharges(linesOf.get(account.id) ?? [], tariffs, period), ...itemCharges(items.get(account.id) ?? [], tariffs, period)];
    const parts: InvoiceParts = {
      recurring,
      usage: usage.get(account.id) ?? [],
      fairUse: fairUse.get(account.id) ?? [],
      usageByUser: byLine.get(account.id) ?? [],
    };
    issued.set(account.id, composeInvoice(context, account, numbers[i]!, parts));
  });
  const stored = new Map<string, string>();
  if (session && issued.size > 0) {
    const docs = [...issued.values()];
    for (const doc of docs) stored.set(doc.account.id, JSON.stringify(doc, null, 2));
    await insertInvoices(
      session,
      docs.map((doc) => ({
        number: doc.number,
        account_id: doc.account.id,
        period: periodText,
        kind: 'invoice',
        issue_date: issueDate,
        subtotal: doc.subtotal,
        vat: doc.vat,
        total: doc.total,
        document: stored.get(doc.account.id)!,
      })),
    );
    await insertClaims(
      session,
      docs.map((doc) => ({ accountId: doc.account.id, invoiceNumber: doc.number, before: end, throughSeq: watermark })),
    );
    await claimFairUseChargesOf(session, new Map(docs.filter((d) => fairUse.has(d.account.id)).map((d) => [d.account.id, d.number])));
  }
  return accounts.map((a) => {
    const missing = missingForInvoice(a.billing);
    const before = earlier.get(a.id);
    if (before) return { invoice: JSON.parse(before.document) as Invoice, issuedNow: false, document: before.document, missing };
    const document = stored.get(a.id);
    return { invoice: issued.get(a.id)!, issuedNow: session !== undefined, missing, ...(document ? { document } : {}) };
  });
}

export async function issueInvoices(database: Database, period: Period, options: IssueInvoicesOptions): Promise<IssuedInvoice[]> {
  const run = async (): Promise<IssuedInvoice[]> => {
    const tariffs = await loadStoredTariffs(database);
    const seller = await currentSeller(database.db);
    if (!seller) {
      throw new InputError(
        'no seller details loaded: an invoice must name the supplier, its address, VAT and KvK numbers (art. 35a Wet OB); load them with cdrbill load seller FILE',
      );
    }
    await analyzeChangedTables(database);
    const watermark = await ingestWatermark(database);
    const ids = await accountsToInvoice(database, period, await prepareRunUsage(database, periodEnd(period), watermark));
    if (!options.dryRun) await checkPeriod(database, period, options.now, ids);
    const context: RunContext = { tariffs, seller, period, watermark, issueDate: options.issueDate };
    const rangeSize = options.rangeSize ?? 1_000;
    const kept: IssuedInvoice[] = [];
    const emit = options.onInvoice ?? ((issued: IssuedInvoice) => void kept.push(issued));
    for (let from = 0; from < ids.length; from += rangeSize) {
      const chunk = ids.slice(from, from + rangeSize);
      const range = { first: chunk[0]!, last: chunk.at(-1)! };
      const wanted = new Set(chunk);
      const invoices = options.dryRun
        ? await invoiceRange(database.db, undefined, context, wanted, range)
        : await database.session((session) => invoiceRange(session.db, session, context, wanted, range));
      for (const issued of invoices) await emit(issued);
      options.onProgress?.(Math.min(ids.length, from + rangeSize), ids.length);
    }
    return kept;
  };
  const result = await database.exclusively(LOCK.invoiceRun, async () => {
    try {
      return await run();
    } finally {
      await clearRunUsage(database.db);
    }
  });
  if (!result.acquired) throw new RunInProgress('another invoice run is in progress on this database; wait for it to finish and run again');
  return result.value;
}
