/**
 * Accounts, the dated subscriptions of their lines, the PBX structure and the billing items.
 */
import { amsterdamMidnightUtc } from '../domain/amsterdam-time.js';
import type { BillingDetails } from '../billing/parties.js';
import type { CustomerFile } from '../billing/customer-file.js';
import type { SubscriptionTerm } from '../rating/rate-cdr.js';
import { sql } from 'kysely';
import { groupBy } from '../domain/collections.js';
import type { Database, Session } from './database.js';

/**
 * Inserts rows with one statement whatever their number: each column is sent as one array parameter
 * and unnested (no per-row round trip, no limit of 65,535 parameters).
 */
async function insertUnnested(
  db: Session['db'],
  table: string,
  columns: readonly (readonly [name: string, type: 'text' | 'date', cast?: string])[],
  rows: readonly (readonly (string | null)[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((_, i) => rows.map((r) => r[i] ?? null));
  const unnest = sql.join(columns.map(([, type], i) => sql`${arrays[i]}::${sql.raw(type)}[]`));
  const names = sql.join(columns.map(([name]) => sql.ref(name)));
  const values = sql.join(columns.map(([name, , cast]) => (cast ? sql`${sql.ref(name)}::${sql.raw(cast)}` : sql.ref(name))));
  await sql`INSERT INTO ${sql.table(table)} (${names}) SELECT ${values} FROM unnest(${unnest}) AS u(${names})`.execute(db);
}

/** Inserts or replaces the file's accounts with everything that hangs off them, in one transaction, set-based. */
export async function replaceCustomers(database: Database, file: CustomerFile): Promise<void> {
  await database.session(async ({ db }) => {
    const ids = file.accounts.map((a) => a.id);
    await sql`INSERT INTO enterprise (id, name) SELECT * FROM unnest(${file.enterprises.map((e) => e.id)}::text[], ${file.enterprises.map((e) => e.name)}::text[])
      ON CONFLICT (id) DO UPDATE SET name = excluded.name`.execute(db);
    await sql`INSERT INTO account (id, name, segment, billing)
      SELECT * FROM unnest(${ids}::text[], ${file.accounts.map((a) => a.name)}::text[], ${file.accounts.map((a) => a.segment)}::text[],
                           ${file.accounts.map((a) => JSON.stringify(a.billing ?? {}))}::text[])
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, segment = excluded.segment, billing = excluded.billing`.execute(db);
    await sql`DELETE FROM subscription WHERE account_id = ANY(${ids}::text[])`.execute(db);
    await sql`DELETE FROM billing_item WHERE account_id = ANY(${ids}::text[])`.execute(db);
    await sql`DELETE FROM pbx_user WHERE pbx_id IN (SELECT id FROM pbx WHERE account_id = ANY(${ids}::text[]))`.execute(db);
    await sql`DELETE FROM pbx WHERE account_id = ANY(${ids}::text[])`.execute(db);
    await insertUnnested(
      db,
      'pbx',
      [
        ['id', 'text'],
        ['account_id', 'text'],
        ['enterprise_id', 'text'],
        ['name', 'text'],
      ],
      file.pbxs.map((p) => [p.id, p.account, p.enterprise ?? null, p.name]),
    );
    await insertUnnested(
      db,
      'pbx_user',
      [
        ['pbx_id', 'text'],
        ['user_id', 'text'],
        ['name', 'text'],
        ['number', 'text'],
        ['extension', 'text'],
        ['valid_from', 'date'],
        ['valid_to', 'date'],
      ],
      file.pbxs.flatMap((p) => p.users.map((u) => [p.id, u.id, u.name, u.number, u.extension ?? null, u.from, u.to ?? null])),
    );
    await insertUnnested(
      db,
      'subscription',
      [
        ['account_id', 'text'],
        ['line', 'text'],
        ['plan_id', 'text'],
        ['mobile_plan_id', 'text'],
        ['pbx_id', 'text'],
        ['valid_from', 'date'],
        ['valid_to', 'date'],
        ['barred', 'text', 'text[]'],
      ],
      file.accounts.flatMap((a) =>
        a.lines.map((l) => [a.id, l.number, l.plan, l.mobilePlan ?? null, l.pbx ?? null, l.from, l.to ?? null, `{${(l.barred ?? []).join(',')}}`]),
      ),
    );
    await insertUnnested(
      db,
      'billing_item',
      [
        ['account_id', 'text'],
        ['item_id', 'text'],
        ['label', 'text'],
        ['pbx_id', 'text'],
        ['user_id', 'text'],
        ['valid_from', 'date'],
        ['valid_to', 'date'],
      ],
      file.accounts.flatMap((a) => (a.items ?? []).map((i) => [a.id, i.item, i.label, i.pbx ?? null, i.user ?? null, i.from, i.to ?? null])),
    );
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

/** A range of account ids, inclusive. */
export interface IdRange {
  readonly first: string;
  readonly last: string;
}

/** Accounts with their subscriptions that overlap [fromDate, toDate) (local dates), optionally of a range of accounts. */
export async function loadAccountsActiveBetween(db: Database['db'], fromDate: string, toDate: string, range?: IdRange): Promise<AccountSubscriptionRow[]> {
  let query = db
    .selectFrom('subscription as s')
    .innerJoin('account as a', 'a.id', 's.account_id')
    .select(['a.id', 'a.name', 'a.segment', 's.line', 's.plan_id', 's.valid_from', 's.valid_to'])
    .where('s.valid_from', '<', toDate)
    .where((eb) => eb.or([eb('s.valid_to', 'is', null), eb('s.valid_to', '>', fromDate)]));
  if (range) query = query.where('s.account_id', '>=', range.first).where('s.account_id', '<=', range.last);
  const rows = await query.orderBy('a.id').orderBy('s.line').orderBy('s.valid_from').execute();
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

export interface AccountRow {
  readonly id: string;
  readonly name: string;
  readonly segment: 'residential' | 'business';
  readonly billing: BillingDetails;
}

/** The accounts of a range, in id order. */
export async function loadAccountRange(db: Database['db'], range: IdRange): Promise<AccountRow[]> {
  const rows = await db
    .selectFrom('account')
    .select(['id', 'name', 'segment', 'billing'])
    .where('id', '>=', range.first)
    .where('id', '<=', range.last)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, billing: JSON.parse(r.billing) as BillingDetails }));
}

/**
 * Months in [fromPeriod, toPeriod) (YYYY-MM) in which an account had a line or a billing item and has
 * no invoice: at most `limit`, oldest first.
 */
export async function billableMonthsWithoutInvoice(
  db: Database['db'],
  fromPeriod: string,
  toPeriod: string,
  limit: number,
): Promise<{ account_id: string; period: string }[]> {
  const result = await sql<{ account_id: string; period: string }>`
    WITH month AS (
      SELECT m::date AS first_day, (m + interval '1 month')::date AS next_first_day, to_char(m, 'YYYY-MM') AS period
      FROM generate_series(${`${fromPeriod}-01`}::date, ${`${toPeriod}-01`}::date - interval '1 month', interval '1 month') AS m
    ), billable AS (
      SELECT s.account_id, m.period FROM month m JOIN subscription s ON s.valid_from < m.next_first_day AND (s.valid_to IS NULL OR s.valid_to > m.first_day)
      UNION
      SELECT b.account_id, m.period FROM month m JOIN billing_item b ON b.valid_from < m.next_first_day AND (b.valid_to IS NULL OR b.valid_to > m.first_day)
    )
    SELECT b.account_id, b.period FROM billable b
    WHERE NOT EXISTS (SELECT 1 FROM invoice i WHERE i.account_id = b.account_id AND i.period = b.period AND i.kind = 'invoice')
    ORDER BY b.period, b.account_id LIMIT ${limit}`.execute(db);
  return result.rows;
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

/** The billing items of a range of accounts that overlap [fromDate, toDate), by account, in a stable order. */
export async function loadBillingItems(db: Database['db'], range: IdRange, fromDate: string, toDate: string): Promise<Map<string, BillingItemTerm[]>> {
  const rows = await db
    .selectFrom('billing_item as b')
    .leftJoin('pbx as p', 'p.id', 'b.pbx_id')
    .select(['b.account_id', 'b.item_id', 'b.label', 'b.pbx_id', 'p.name as pbx_name', 'b.user_id', 'b.valid_from', 'b.valid_to'])
    .where('b.account_id', '>=', range.first)
    .where('b.account_id', '<=', range.last)
    .where('b.valid_from', '<', toDate)
    .where((eb) => eb.or([eb('b.valid_to', 'is', null), eb('b.valid_to', '>', fromDate)]))
    .orderBy('b.account_id')
    .orderBy('b.pbx_id')
    .orderBy('b.user_id')
    .orderBy('b.item_id')
    .orderBy('b.valid_from')
    .execute();
  return new Map(
    [...groupBy(rows, (r) => r.account_id)].map(([id, list]) => [
      id,
      list.map((r) => ({ itemId: r.item_id, label: r.label, pbxId: r.pbx_id, pbxName: r.pbx_name, validFrom: r.valid_from, validTo: r.valid_to })),
    ]),
  );
}

/** Accounts with billing items overlapping [fromDate, toDate). */
export async function accountsWithBillingItems(db: Database['db'], fromDate: string, toDate: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('billing_item as b')
    .innerJoin('account as a', 'a.id', 'b.account_id')
    .select(['a.id', 'a.name'])
    .distinct()
    .where('b.valid_from', '<', toDate)
    .where((eb) => eb.or([eb('b.valid_to', 'is', null), eb('b.valid_to', '>', fromDate)]))
    .execute();
}

/**
 * A stamp of what rating reads from the database (the tariff set in force, subscriptions, PBXs and
 * their users): a long-running worker rates with what it loaded while the stamp stays the same.
 */
export async function ratingReferenceStamp(database: Database): Promise<string> {
  const result = await sql<{ stamp: string }>`
    SELECT concat_ws('/',
      (SELECT max(id) FROM tariff_set),
      (SELECT count(*) || ':' || coalesce(sum(hashtext(s::text)::bigint), 0) FROM subscription s),
      (SELECT count(*) || ':' || coalesce(sum(hashtext(p::text)::bigint), 0) FROM pbx p),
      (SELECT count(*) || ':' || coalesce(sum(hashtext(u::text)::bigint), 0) FROM pbx_user u)) AS stamp`.execute(database.db);
  return result.rows[0]!.stamp;
}
