/**
 * Accounts and the dated subscriptions of their lines.
 */
import { amsterdamMidnightUtc } from '../domain/amsterdam-time.js';
import type { CustomerAccount } from '../billing/customer-file.js';
import type { SubscriptionTerm } from '../rating/rate-cdr.js';
import type { Database } from './database.js';

/** Inserts or replaces the given accounts and all their subscriptions, in one transaction. */
export async function replaceAccounts(database: Database, accounts: readonly CustomerAccount[]): Promise<void> {
  await database.session(async ({ db }) => {
    for (const account of accounts) {
      await db
        .insertInto('account')
        .values({ id: account.id, name: account.name, segment: account.segment })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: account.name, segment: account.segment }))
        .execute();
      await db.deleteFrom('subscription').where('account_id', '=', account.id).execute();
      await db
        .insertInto('subscription')
        .values(
          account.lines.map((l) => ({
            account_id: account.id,
            line: l.number,
            plan_id: l.plan,
            mobile_plan_id: l.mobilePlan ?? null,
            valid_from: l.from,
            valid_to: l.to ?? null,
          })),
        )
        .execute();
    }
  });
}

function dateToMs(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return amsterdamMidnightUtc(y!, m!, d!).getTime();
}

/** Every subscription term, by line: loaded once per run for rating. */
export async function loadSubscriptionTerms(database: Database): Promise<Map<string, SubscriptionTerm[]>> {
  const rows = await database.db.selectFrom('subscription').selectAll().orderBy('line').orderBy('valid_from').execute();
  const byLine = new Map<string, SubscriptionTerm[]>();
  for (const r of rows) {
    const terms = byLine.get(r.line) ?? [];
    terms.push({
      accountId: r.account_id,
      line: r.line,
      planId: r.plan_id,
      mobilePlanId: r.mobile_plan_id ?? undefined,
      fromMs: dateToMs(r.valid_from),
      toMs: r.valid_to ? dateToMs(r.valid_to) : Number.POSITIVE_INFINITY,
    });
    byLine.set(r.line, terms);
  }
  return byLine;
}

export interface AccountSubscriptionRow {
  readonly accountId: string;
  readonly name: string;
  readonly segment: 'residential' | 'business';
  readonly line: string;
  readonly planId: string;
  readonly validFrom: string;
  readonly validTo: string | null;
}

/** Accounts with their subscriptions that overlap [fromDate, toDate) (local dates). */
export async function loadAccountsActiveBetween(database: Database, fromDate: string, toDate: string): Promise<AccountSubscriptionRow[]> {
  const rows = await database.db
    .selectFrom('subscription as s')
    .innerJoin('account as a', 'a.id', 's.account_id')
    .select(['a.id', 'a.name', 'a.segment', 's.line', 's.plan_id', 's.valid_from', 's.valid_to'])
    .where('s.valid_from', '<', toDate)
    .where((eb) => eb.or([eb('s.valid_to', 'is', null), eb('s.valid_to', '>', fromDate)]))
    .orderBy('a.id')
    .orderBy('s.line')
    .orderBy('s.valid_from')
    .execute();
  return rows.map((r) => ({
    accountId: r.id,
    name: r.name,
    segment: r.segment,
    line: r.line,
    planId: r.plan_id,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  }));
}
