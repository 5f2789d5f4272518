/**
 * Call history as customers query it: a filtered range of one or more accounts' calls, read a page
 * at a time by a keyset (answer time, source, record id: unique, and the history's index order),
 * with totals per category over the whole filtered set, and usage per line (user). Every value
 * reaches SQL as a parameter.
 */
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Database } from './database.js';
import type { RatedCallRow } from './schema.js';
import { tariffVersionLabel } from './tariff-version-store.js';

export interface HistoryFilter {
  readonly accountIds: readonly string[];
  /** [from, to) instants */
  readonly from: Date;
  readonly to: Date;
  /** the Amsterdam month (YYYY-MM) that from and to bound, when they bound one */
  readonly period?: string | undefined;
  readonly category?: string | undefined;
  readonly direction?: 'outgoing' | 'incoming' | undefined;
  readonly answered?: boolean | undefined;
  /** digits the from or to number contains */
  readonly number?: string | undefined;
  /** lines (users) of the accounts, when only some */
  readonly lines?: readonly string[] | undefined;
}

/** Where a page ends: the last call's key. */
export interface HistoryKey {
  readonly startedAt: Date;
  readonly source: string;
  readonly recordId: string;
}

/** The WHERE of a filter (calls as alias c). */
function conditions(filter: HistoryFilter) {
  const parts = [
    // one account (the common case) as a plain equality: a cheaper plan than = ANY(array)
    filter.accountIds.length === 1 ? sql`c.account_id = ${filter.accountIds[0]!}` : sql`c.account_id = ANY(${filter.accountIds as string[]}::text[])`,
    sql`c.started_at >= ${filter.from}`,
    sql`c.started_at < ${filter.to}`,
  ];
  // what a call's profile holds, as the profiles that hold it (a list computed once): the calls are
  // then filtered as the account's index reads them in start order, and a page stops when it is full
  // (as a join, PostgreSQL reads all the account's calls of the month and sorts them)
  const profiles = (condition: RawBuilder<unknown>) => sql`c.profile_id = ANY(ARRAY(SELECT p.id FROM call_profile p WHERE ${condition}))`;
  if (filter.category !== undefined) parts.push(profiles(filter.category === 'incoming' ? sql`p.category IS NULL` : sql`p.category = ${filter.category}`));
  if (filter.direction !== undefined) parts.push(profiles(sql`p.direction = ${filter.direction}`));
  if (filter.answered !== undefined) parts.push(sql`c.answered = ${filter.answered}`);
  if (filter.number !== undefined) {
    const like = `%${filter.number.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    parts.push(sql`(c.calling_number LIKE ${like} OR c.called_number LIKE ${like} OR c.destination LIKE ${like})`);
  }
  if (filter.lines !== undefined) parts.push(sql`c.line = ANY(${filter.lines as string[]}::text[])`);
  return sql.join(parts, sql` AND `);
}

/** A call as the history shows it; `to`: the destination (E.164), else the number as dialled (SHOWN_TO). */
export type HistoryRow = { readonly tariff_version: string; readonly to: string } & Pick<
  Selectable<RatedCallRow>,
  | 'account_id'
  | 'started_at'
  | 'setup_at'
  | 'source'
  | 'record_id'
  | 'line'
  | 'calling_number'
  | 'category'
  | 'direction'
  | 'answered'
  | 'forwarded_from'
  | 'device'
  | 'answered_seconds'
  | 'billed_seconds'
  | 'list_price_ticks'
  | 'charged_ticks'
  | 'allowance'
  | 'rate_match'
>;

/** What the history shows as where a call went: the destination (E.164), else the number as dialled. */
const SHOWN_TO = 'coalesce(c.destination, c.called_number)';

/** A page's columns that are the call's own (call_record, alias c; `to` is SHOWN_TO); the rest are its profile's. */
const RECORD_COLUMNS = [
  'account_id',
  'started_at',
  'setup_at',
  'source',
  'record_id',
  'line',
  'calling_number',
  'to',
  'answered',
  'forwarded_from',
  'answered_seconds',
  'billed_seconds',
  'list_price_ticks',
  'charged_ticks',
  'profile_id',
] as const;
type RecordRow = Omit<HistoryRow, 'category' | 'direction' | 'device' | 'allowance' | 'tariff_version' | 'rate_match'> & { readonly profile_id: number };
/** What a page shows of a call's profile. */
type ShownProfile = Pick<HistoryRow, 'category' | 'direction' | 'device' | 'allowance' | 'tariff_version' | 'rate_match'>;

/** Ticks arrive as JSON numbers: exact while below 2^53 (a call's price is far below; checked as read). */
function ticks(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`a stored call's ${what} (${String(value)} ticks) is not a safe integer`);
  return value;
}

const KEY_SEPARATOR = '\x1f';

/** A call of a portal page: what the page shows of it, and its key (for the next page's cursor). */
export interface PageCallRow {
  readonly account_id: string;
  readonly started_at: Date;
  readonly source: string;
  readonly record_id: string;
  readonly line: string;
  readonly calling_number: string;
  /** the destination (E.164), else the number as dialled */
  readonly to: string;
  readonly answered: boolean;
  readonly forwarded: boolean;
  readonly answered_seconds: number;
  readonly list_price_ticks: number;
  readonly charged_ticks: number;
  readonly category: string | null;
  readonly direction: 'outgoing' | 'incoming';
  readonly device: 'fixed' | 'mobile';
  readonly allowance: string | null;
}

/**
 * A page's calls as one JSON array per call (no keys to parse), for JSON.parse: only what a page
 * shows; times as epoch milliseconds; amounts as numbers (see ticks); the feed and record id as one
 * text, split again as read; the account only when the page has several. V8's JSON.parse interns
 * every text shorter than ten characters (the feed, short record ids, amounts as text, the account),
 * and finding them in its string table was an eighth of the portal server's CPU a page.
 */
function pageCallsAsJson(withAccount: boolean) {
  return sql.raw(`json_build_array(round(date_part('epoch', c.started_at) * 1000)::int8, c.source || chr(31) || c.record_id, c.line,
    c.calling_number, ${SHOWN_TO}, c.answered, c.forwarded_from IS NOT NULL, c.answered_seconds,
    c.list_price_ticks, c.charged_ticks, c.profile_id${withAccount ? ', c.account_id' : ''})`);
}

/** A call from its pageCallsAsJson array; `accountId`: the page's one account, else the array's last element. */
function pageCallOf(a: readonly unknown[], accountId: string | undefined, profile: ShownProfile): PageCallRow {
  // a record id has no control characters (inertText writes them out), so the last separator is the one
  const key = a[1] as string;
  const cut = key.lastIndexOf(KEY_SEPARATOR);
  return {
    account_id: accountId ?? (a[11] as string),
    started_at: new Date(a[0] as number),
    source: key.slice(0, cut),
    record_id: key.slice(cut + 1),
    line: a[2] as string,
    calling_number: a[3] as string,
    to: a[4] as string,
    answered: a[5] as boolean,
    forwarded: a[6] as boolean,
    answered_seconds: a[7] as number,
    list_price_ticks: ticks(a[8], 'list price'),
    charged_ticks: ticks(a[9], 'charge'),
    category: profile.category,
    direction: profile.direction,
    device: profile.device,
    allowance: profile.allowance,
  };
}

/**
 * Profiles as pages show them, per database, remembered: a profile's id is the hash of its fields
 * (call-profile-store.ts), so that an id, once seen, always stands for the same profile. A page then
 * reads only its calls; joined to call_profile in SQL, the join and the tariff version's label cost
 * PostgreSQL more than the page itself.
 */
const shownProfiles = new WeakMap<object, Map<number, ShownProfile>>();

/** The shown profiles of these ids (those not yet remembered read in one query). */
async function profilesOf(db: Database['db'], ids: readonly number[]): Promise<(id: number) => ShownProfile> {
  let known = shownProfiles.get(db);
  if (!known || known.size > 100_000) {
    known = new Map();
    shownProfiles.set(db, known);
  }
  const missing = [...new Set(ids.filter((id) => !known.has(id)))];
  if (missing.length > 0) {
    const found = await sql<ShownProfile & { id: string }>`
      SELECT p.id, p.category, p.direction, p.device, p.allowance, ${tariffVersionLabel('p.tariff_version_id')} AS tariff_version, p.rate_match
      FROM call_profile p WHERE p.id = ANY(${missing.map(String)}::int8[])`.execute(db);
    for (const p of found.rows)
      known.set(Number(p.id), {
        category: p.category,
        direction: p.direction,
        device: p.device,
        allowance: p.allowance,
        tariff_version: p.tariff_version,
        rate_match: p.rate_match,
      });
  }
  const profiles = known;
  return (id) => {
    const p = profiles.get(id);
    if (!p) throw new Error(`call profile ${id} is not stored`);
    return p;
  };
}

/** The page's calls with their profiles' fields. */
async function withProfiles(db: Database['db'], rows: readonly RecordRow[]): Promise<HistoryRow[]> {
  const profile = await profilesOf(
    db,
    rows.map((r) => r.profile_id),
  );
  return rows.map((c) => {
    const p = profile(c.profile_id);
    // spelled out: one object shape for every row (spreads made slow dictionary objects)
    return {
      account_id: c.account_id,
      started_at: c.started_at,
      setup_at: c.setup_at,
      source: c.source,
      record_id: c.record_id,
      line: c.line,
      calling_number: c.calling_number,
      to: c.to,
      category: p.category,
      direction: p.direction,
      answered: c.answered,
      forwarded_from: c.forwarded_from,
      device: p.device,
      answered_seconds: c.answered_seconds,
      billed_seconds: c.billed_seconds,
      list_price_ticks: c.list_price_ticks,
      charged_ticks: c.charged_ticks,
      allowance: p.allowance,
      tariff_version: p.tariff_version,
      rate_match: p.rate_match,
    };
  });
}

/** Calls after a page's last key, in the history's order (index order: account, start). */
const after = (key: HistoryKey | undefined) =>
  key ? sql` AND (c.started_at, c.source, c.record_id) > (${key.startedAt}, ${key.source}, ${key.recordId})` : sql``;
const PAGE_ORDER = sql.raw('ORDER BY c.started_at, c.source, c.record_id');

/** A page of calls (alias c): the account's index read in start order until the page is full. */
const page = (filter: HistoryFilter, key: HistoryKey | undefined, limit: number) =>
  sql`(SELECT * FROM call_record c WHERE ${conditions(filter)}${after(key)} ${PAGE_ORDER} LIMIT ${limit}) c`;

/** Up to `limit` calls after `after` (oldest first). */
export async function historyPage(db: Database['db'], filter: HistoryFilter, key: HistoryKey | undefined, limit: number): Promise<HistoryRow[]> {
  // int8 arrives as text (database.ts); a profile's id is below 2^52
  const result = await sql<Omit<RecordRow, 'profile_id'> & { profile_id: string }>`
    SELECT ${sql.join(RECORD_COLUMNS.map((c) => sql.raw(c === 'to' ? `${SHOWN_TO} AS to` : `c.${c}`)))} FROM ${page(filter, key, limit)} ${PAGE_ORDER}`.execute(
    db,
  );
  return withProfiles(
    db,
    result.rows.map((r) => ({ ...r, profile_id: Number(r.profile_id) })),
  );
}

export interface CategoryTotalRow {
  readonly category: string | null;
  readonly calls: string;
  readonly seconds: string;
  readonly list_price_ticks: string;
  readonly charged_ticks: string;
}

export interface LineUsageRow {
  readonly account_id: string;
  readonly line: string;
  readonly category: string | null;
  readonly calls: string;
  readonly seconds: string;
  readonly charged_ticks: string;
  readonly unlimited_seconds: string;
  readonly bundle: string | null;
  readonly bundle_seconds: string;
}

/**
 * Usage per line and category, with the seconds an unlimited plan or a bundle covered. The calls are
 * summed per line and profile first, from call_record alone; the few sums are then joined to their
 * profiles (joined per call, PostgreSQL hashed the profiles for every call: 4.2 against 1.7 ms for a
 * 1,773-call month). Who the line's user is: subscribedLines.
 */
export async function lineUsage(db: Database['db'], filter: HistoryFilter): Promise<LineUsageRow[]> {
  const result = await sql<LineUsageRow>`
    SELECT g.account_id, g.line, p.category, sum(g.calls)::text AS calls,
           sum(g.seconds)::text AS seconds, sum(g.charged_ticks)::text AS charged_ticks,
           coalesce(sum(g.covered_seconds) FILTER (WHERE p.allowance = 'unlimited'), 0)::text AS unlimited_seconds,
           max(p.allowance) FILTER (WHERE p.allowance LIKE 'bundle:%') AS bundle,
           coalesce(sum(g.covered_seconds) FILTER (WHERE p.allowance LIKE 'bundle:%'), 0)::text AS bundle_seconds
    FROM (SELECT c.account_id, c.line, c.profile_id, count(*) AS calls, sum(c.answered_seconds) AS seconds,
                 sum(c.charged_ticks) AS charged_ticks, sum(c.covered_seconds) AS covered_seconds
          FROM call_record c WHERE ${conditions(filter)} GROUP BY c.account_id, c.line, c.profile_id) g
    JOIN call_profile p ON p.id = g.profile_id
    GROUP BY g.account_id, g.line, p.category ORDER BY g.account_id, g.line, p.category NULLS LAST`.execute(db);
  return result.rows;
}

export interface SubscribedLineRow {
  readonly account_id: string;
  readonly line: string;
  readonly user_name: string | null;
  readonly pbx_name: string | null;
  /** the plans of the line's terms in the range, its mobile plans (Vast-Mobiel) too */
  readonly plan_ids: string[];
}

/**
 * The lines (users) of accounts that had a subscription in [fromDate, toDate) (Amsterdam days), with
 * the PBX user of the line then and the plans of its terms: the users of a summary, those without a
 * call too.
 */
export async function subscribedLines(db: Database['db'], accountIds: readonly string[], fromDate: string, toDate: string): Promise<SubscribedLineRow[]> {
  const result = await sql<SubscribedLineRow>`
    SELECT s.account_id, s.line, max(u.name) AS user_name, max(x.name) AS pbx_name,
           array_remove(array_agg(DISTINCT s.plan_id) || array_agg(DISTINCT s.mobile_plan_id), NULL) AS plan_ids
    FROM subscription s
    LEFT JOIN pbx_user u ON u.pbx_id = s.pbx_id AND u.number = s.line AND u.valid_from < ${toDate} AND (u.valid_to IS NULL OR u.valid_to > ${fromDate})
    LEFT JOIN pbx x ON x.id = s.pbx_id
    WHERE s.account_id = ANY(${accountIds as string[]}::text[]) AND s.valid_from < ${toDate} AND (s.valid_to IS NULL OR s.valid_to > ${fromDate})
    GROUP BY s.account_id, s.line ORDER BY s.account_id, s.line`.execute(db);
  return result.rows;
}

/** The accounts whose PBXs belong to an enterprise (its groups' billing accounts). */
export async function enterpriseAccounts(db: Database['db'], enterpriseId: string): Promise<string[]> {
  const rows = await db.selectFrom('pbx').select('account_id').distinct().where('enterprise_id', '=', enterpriseId).orderBy('account_id').execute();
  return rows.map((r) => r.account_id);
}

/**
 * Totals per category of the filtered set: of a month, without a number or line filter, from the
 * account's few call_total rows; else from the calls of the account's range.
 */
function categoryTotals(filter: HistoryFilter, where: ReturnType<typeof conditions>) {
  if (filter.period !== undefined && filter.number === undefined && filter.lines === undefined) {
    const parts = [
      filter.accountIds.length === 1 ? sql`t.account_id = ${filter.accountIds[0]!}` : sql`t.account_id = ANY(${filter.accountIds as string[]}::text[])`,
      sql`t.period = ${filter.period}`,
    ];
    if (filter.category !== undefined) parts.push(sql`t.category = ${filter.category}`);
    if (filter.direction !== undefined) parts.push(sql`t.direction = ${filter.direction}`);
    if (filter.answered !== undefined) parts.push(sql`t.answered = ${filter.answered}`);
    return sql`
      SELECT nullif(t.category, 'incoming') AS category, sum(t.calls)::text AS calls, sum(t.seconds)::text AS seconds,
             sum(t.list_price_ticks)::text AS list_price_ticks, sum(t.charged_ticks)::text AS charged_ticks
      FROM call_total t WHERE ${sql.join(parts, sql` AND `)} GROUP BY t.category`;
  }
  // summed per profile from call_record first, the few sums then joined to their profiles (as lineUsage)
  return sql`
    SELECT p.category, sum(g.calls)::text AS calls, sum(g.seconds)::text AS seconds,
           sum(g.list_price_ticks)::text AS list_price_ticks, sum(g.charged_ticks)::text AS charged_ticks
    FROM (SELECT c.profile_id, count(*) AS calls, sum(c.answered_seconds) AS seconds, sum(c.list_price_ticks) AS list_price_ticks,
                 sum(c.charged_ticks) AS charged_ticks
          FROM call_record c WHERE ${where} GROUP BY c.profile_id) g
    JOIN call_profile p ON p.id = g.profile_id GROUP BY p.category`;
}

/**
 * A page of calls and the filtered set's totals per category in one statement (one round trip):
 * the portal's hot path. The page reads the account's index in start order and stops after
 * `limit` calls (0 for the totals alone); the totals, calls, seconds, list price and charge per
 * category of the whole filtered set (categoryTotals).
 */
export async function historyPageWithTotals(
  database: Database,
  filter: HistoryFilter,
  key: HistoryKey | undefined,
  limit: number,
): Promise<{ rows: PageCallRow[]; totals: CategoryTotalRow[] }> {
  const where = conditions(filter);
  const oneAccount = filter.accountIds.length === 1 ? filter.accountIds[0] : undefined;
  // prepared: planning this statement cost more than running it (0.4 of 0.6 ms). The calls as JSON
  // arrays: parsed by JSON.parse, cheaper for the server than the driver's rows (measured: 0.44
  // against 0.54 ms of the server's CPU a page of 50).
  const result = await database.prepared<{
    calls: unknown[][] | null;
    totals: CategoryTotalRow[] | null;
  }>(
    sql`
    SELECT
      (SELECT json_agg(page.call) FROM (
         SELECT ${pageCallsAsJson(oneAccount === undefined)} AS call FROM ${page(filter, key, limit)} ${PAGE_ORDER}) page) AS calls,
      (SELECT json_agg(g) FROM (${categoryTotals(filter, where)}) g) AS totals`.compile(database.db),
  );
  const row = result[0]!;
  // json_agg keeps the subquery's order
  const calls = row.calls ?? [];
  const profile = await profilesOf(
    database.db,
    calls.map((a) => a[10] as number),
  );
  return { rows: calls.map((a) => pageCallOf(a, oneAccount, profile(a[10] as number))), totals: row.totals ?? [] };
}
