/**
 * Accounts, the dated subscriptions of their lines, the PBX structure and the billing items.
 */
import { amsterdamMidnightUtc } from '../domain/amsterdam-time.js';
import type { CustomerFile } from '../billing/customer-file.js';
import type { SubscriptionTerm } from '../rating/rate-cdr.js';
import type { Database } from './database.js';

/** Inserts or replaces the file's accounts with everything that hangs off them, in one transaction. */
export async function replaceCustomers(database: Database, file: CustomerFile): Promise<void> {
  await database.session(async ({ db }) => {
    for (const e of file.enterprises) {
      await db
        .insertInto('enterprise')
        .values(e)
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: e.name }))
        .execute();
    }
    for (const account of file.accounts) {
      await db
        .insertInto('account')
        .values({ id: account.id, name: account.name, segment: account.segment })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: account.name, segment: account.segment }))
        .execute();
      await db.deleteFrom('subscription').where('account_id', '=', account.id).execute();
      await db.deleteFrom('billing_item').where('account_id', '=', account.id).execute();
      await db
        .deleteFrom('pbx_user')
        .where('pbx_id', 'in', db.selectFrom('pbx').select('id').where('account_id', '=', account.id))
        .execute();
      await db.deleteFrom('pbx').where('account_id', '=', account.id).execute();
    }
    for (const pbx of file.pbxs) {
      await db
        .insertInto('pbx')
        .values({ id: pbx.id, account_id: pbx.account, enterprise_id: pbx.enterprise ?? null, name: pbx.name })
        .execute();
      if (pbx.users.length > 0) {
        await db
          .insertInto('pbx_user')
          .values(
            pbx.users.map((u) => ({
              pbx_id: pbx.id,
              user_id: u.id,
              name: u.name,
              number: u.number,
              extension: u.extension ?? null,
              valid_from: u.from,
              valid_to: u.to ?? null,
            })),
          )
          .execute();
      }
    }
    for (const account of file.accounts) {
      if (account.lines.length > 0) {
        await db
          .insertInto('subscription')
          .values(
            account.lines.map((l) => ({
              account_id: account.id,
              line: l.number,
              plan_id: l.plan,
              mobile_plan_id: l.mobilePlan ?? null,
              pbx_id: l.pbx ?? null,
              valid_from: l.from,
              valid_to: l.to ?? null,
            })),
          )
          .execute();
      }
      if (account.items && account.items.length > 0) {
        await db
          .insertInto('billing_item')
          .values(
            account.items.map((i) => ({
              account_id: account.id,
              item_id: i.item,
              label: i.label,
              pbx_id: i.pbx ?? null,
              user_id: i.user ?? null,
              valid_from: i.from,
              valid_to: i.to ?? null,
            })),
          )
          .execute();
      }
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
      pbxId: r.pbx_id ?? undefined,
      fromMs: dateToMs(r.valid_from),
      toMs: r.valid_to ? dateToMs(r.valid_to) : Number.POSITIVE_INFINITY,
    });
    byLine.set(r.line, terms);
  }
  return byLine;
}

/** What makes calls on-net, per PBX: its users' extensions, and the numbers of its enterprise. */
export interface OnNetView {
  readonly extensions: ReadonlyMap<string, string>;
  readonly onNetNumbers: ReadonlySet<string>;
}

/**
 * Extensions and on-net numbers per PBX. A user's extension resolves within its PBX; every number of
 * the PBX's enterprise (or of the PBX alone) is on-net. Users of all dates are included: numbers are
 * not reused between users of one customer within a month in practice.
 */
export async function loadOnNetViews(database: Database): Promise<Map<string, OnNetView>> {
  const users = await database.db
    .selectFrom('pbx_user as u')
    .innerJoin('pbx as p', 'p.id', 'u.pbx_id')
    .select(['u.pbx_id', 'u.number', 'u.extension', 'p.enterprise_id'])
    .execute();
  const numbersByScope = new Map<string, Set<string>>();
  const extensionsByPbx = new Map<string, Map<string, string>>();
  const scopeOf = new Map<string, string>();
  for (const u of users) {
    const scope = u.enterprise_id ? `enterprise:${u.enterprise_id}` : `pbx:${u.pbx_id}`;
    scopeOf.set(u.pbx_id, scope);
    const numbers = numbersByScope.get(scope) ?? new Set<string>();
    numbers.add(u.number);
    numbersByScope.set(scope, numbers);
    const extensions = extensionsByPbx.get(u.pbx_id) ?? new Map<string, string>();
    if (u.extension) extensions.set(u.extension, u.number);
    extensionsByPbx.set(u.pbx_id, extensions);
  }
  const views = new Map<string, OnNetView>();
  for (const [pbxId, scope] of scopeOf) {
    views.set(pbxId, { extensions: extensionsByPbx.get(pbxId) ?? new Map(), onNetNumbers: numbersByScope.get(scope) ?? new Set() });
  }
  return views;
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

/** Accounts by id, in id order. */
export async function loadAccounts(database: Database, ids: readonly string[]): Promise<{ id: string; name: string; segment: 'residential' | 'business' }[]> {
  if (ids.length === 0) return [];
  return database.db
    .selectFrom('account')
    .select(['id', 'name', 'segment'])
    .where('id', 'in', [...ids])
    .orderBy('id')
    .execute();
}

export interface BillingItemTerm {
  readonly itemId: string;
  readonly label: string;
  readonly pbxId: string | null;
  readonly pbxName: string | null;
  readonly validFrom: string;
  readonly validTo: string | null;
}

/** An account's billing items that overlap [fromDate, toDate), in a stable order. */
export async function loadBillingItems(database: Database, accountId: string, fromDate: string, toDate: string): Promise<BillingItemTerm[]> {
  const rows = await database.db
    .selectFrom('billing_item as b')
    .leftJoin('pbx as p', 'p.id', 'b.pbx_id')
    .select(['b.item_id', 'b.label', 'b.pbx_id', 'p.name as pbx_name', 'b.user_id', 'b.valid_from', 'b.valid_to'])
    .where('b.account_id', '=', accountId)
    .where('b.valid_from', '<', toDate)
    .where((eb) => eb.or([eb('b.valid_to', 'is', null), eb('b.valid_to', '>', fromDate)]))
    .orderBy('b.pbx_id')
    .orderBy('b.user_id')
    .orderBy('b.item_id')
    .orderBy('b.valid_from')
    .execute();
  return rows.map((r) => ({ itemId: r.item_id, label: r.label, pbxId: r.pbx_id, pbxName: r.pbx_name, validFrom: r.valid_from, validTo: r.valid_to }));
}

/** Accounts with billing items overlapping [fromDate, toDate). */
export async function accountsWithBillingItems(database: Database, fromDate: string, toDate: string): Promise<{ id: string; name: string }[]> {
  return database.db
    .selectFrom('billing_item as b')
    .innerJoin('account as a', 'a.id', 'b.account_id')
    .select(['a.id', 'a.name'])
    .distinct()
    .where('b.valid_from', '<', toDate)
    .where((eb) => eb.or([eb('b.valid_to', 'is', null), eb('b.valid_to', '>', fromDate)]))
    .execute();
}
