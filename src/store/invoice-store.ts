/**
 * Invoices: gapless numbers per year, usage taken from unbilled calls by claims (see
 * migrations/0006_usage_claims.sql), immutable once issued. The invoice run reads and writes a range
 * of accounts at a time, set-based.
 */
import { sql } from 'kysely';
import type { UsageSummary, UserUsage } from '../billing/build-invoice.js';
import { groupBy } from '../domain/collections.js';
import type { Database, Session } from './database.js';
import type { InvoiceRow } from './schema.js';
import type { Insertable, Selectable } from 'kysely';

/** `count` consecutive invoice numbers of a year; gapless because they roll back with the transaction. */
export async function reserveInvoiceNumbers(session: Session, year: number, count: number): Promise<string[]> {
  if (count === 0) return [];
  const result = await sql<{ last_number: number }>`
    INSERT INTO invoice_sequence (year, last_number) VALUES (${year}, ${count})
    ON CONFLICT (year) DO UPDATE SET last_number = invoice_sequence.last_number + ${count}
    RETURNING last_number`.execute(session.db);
  const last = result.rows[0]!.last_number;
  return Array.from({ length: count }, (_, i) => `${year}-${String(last - count + 1 + i).padStart(6, '0')}`);
}

/** Stores issued invoices, one statement for all. */
export async function insertInvoices(session: Session, rows: readonly Insertable<InvoiceRow>[]): Promise<void> {
  for (let from = 0; from < rows.length; from += 1_000)
    await session.db
      .insertInto('invoice')
      .values(rows.slice(from, from + 1_000))
      .execute();
}

/** The invoices of a period already issued to accounts of a range. */
export async function invoicesOfPeriod(db: Session['db'], range: AccountRange, period: string): Promise<Selectable<InvoiceRow>[]> {
  return db
    .selectFrom('invoice')
    .selectAll()
    .where('account_id', '>=', range.first)
    .where('account_id', '<=', range.last)
    .where('period', '=', period)
    .where('kind', '=', 'invoice')
    .execute();
}

/** The next invoice number of a year; gapless because it rolls back with the transaction. */
export async function nextInvoiceNumber(session: Session, year: number): Promise<string> {
  const result = await sql<{ last_number: number }>`
    INSERT INTO invoice_sequence (year, last_number) VALUES (${year}, 1)
    ON CONFLICT (year) DO UPDATE SET last_number = invoice_sequence.last_number + 1
    RETURNING last_number`.execute(session.db);
  return `${year}-${String(result.rows[0]!.last_number).padStart(6, '0')}`;
}

interface UsageRow {
  period: string;
  category: string | null;
  calls: string;
  billed_seconds: string;
  duration_seconds: string;
  list_price_ticks: string;
  charged_ticks: string;
  covered_calls: string;
  covered_seconds: string;
  bundle_seconds: string;
}

function toUsage(rows: readonly UsageRow[]): UsageSummary[] {
  return rows.map((r) => ({
    period: r.period,
    category: r.category ?? 'incoming',
    calls: Number(r.calls),
    billedSeconds: Number(r.billed_seconds),
    durationSeconds: Number(r.duration_seconds),
    listPriceTicks: r.list_price_ticks,
    chargedTicks: r.charged_ticks,
    coveredCalls: Number(r.covered_calls),
    coveredSeconds: Number(r.covered_seconds),
    bundleSeconds: Number(r.bundle_seconds),
  }));
}

const USAGE_AGGREGATE = sql.raw(`
  to_char(started_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM') AS period,
  category,
  count(*)::text AS calls,
  sum(billed_seconds)::text AS billed_seconds,
  sum(answered_seconds)::text AS duration_seconds,
  sum(list_price_ticks)::text AS list_price_ticks,
  sum(charged_ticks)::text AS charged_ticks,
  count(*) FILTER (WHERE allowance = 'unlimited')::text AS covered_calls,
  coalesce(sum(covered_seconds) FILTER (WHERE allowance = 'unlimited'), 0)::text AS covered_seconds,
  coalesce(sum(covered_seconds) FILTER (WHERE allowance LIKE 'bundle:%'), 0)::text AS bundle_seconds`);

/** A range of account ids, inclusive: the invoice run's unit of work (an index range of the history). */
export interface AccountRange {
  readonly first: string;
  readonly last: string;
}

/** Each account's latest claim. */
const LATEST_CLAIMS = sql.raw('SELECT DISTINCT ON (account_id) account_id, before, through_seq FROM usage_claim ORDER BY account_id, before DESC');

/** Calls (alias c, latest claim alias l) that no invoice has taken. */
const UNBILLED = sql.raw('c.invoice_number IS NULL AND (l.before IS NULL OR c.started_at >= l.before OR c.store_seq > l.through_seq)');

/** The calls (c) an invoice run up to `before` and `watermark` takes, with their latest claim (l). */
const takenCalls = (before: Date, watermark: number) =>
  sql`rated_call c LEFT JOIN (${LATEST_CLAIMS}) l ON l.account_id = c.account_id
  WHERE c.started_at < ${before} AND c.store_seq <= ${watermark} AND ${UNBILLED}`;

const LINE_AGGREGATE = sql.raw(`c.line, max(u.name) AS user_name, max(p.name) AS pbx_name, count(*)::text AS calls,
  sum(c.billed_seconds)::text AS billed, sum(c.answered_seconds)::text AS duration, sum(c.charged_ticks)::text AS charged`);
const LINE_JOIN = sql.raw(`LEFT JOIN pbx_user u ON u.number = c.line AND u.pbx_id IN (SELECT id FROM pbx WHERE account_id = c.account_id)
  LEFT JOIN pbx p ON p.id = u.pbx_id`);

interface LineRow {
  line: string;
  user_name: string | null;
  pbx_name: string | null;
  calls: string;
  billed: string;
  duration: string;
  charged: string;
}

function toLineUsage(rows: readonly LineRow[]): UserUsage[] {
  return rows.map((r) => ({
    line: r.line,
    user: r.user_name,
    group: r.pbx_name,
    calls: Number(r.calls),
    billedSeconds: Number(r.billed),
    durationSeconds: Number(r.duration),
    chargedTicks: r.charged,
  }));
}

function groupByAccount<R extends { account_id: string }, T>(rows: readonly R[], convert: (rows: R[]) => T[]): Map<string, T[]> {
  return new Map([...groupBy(rows, (r) => r.account_id)].map(([id, list]) => [id, convert(list)]));
}

/**
 * Aggregates, in one pass over the history, the usage an invoice run takes (per account, line, month
 * and category) into the run's working table; returns the accounts with such calls. The caller
 * holds the invoice-run lock.
 */
export async function prepareRunUsage(database: Database, before: Date, watermark: number): Promise<string[]> {
  return database.session(async ({ db }) => {
    await sql`SET LOCAL work_mem = '128MB'`.execute(db); // hash the groups in memory, not sort them on disk
    await sql`TRUNCATE invoice_run_usage`.execute(db);
    await sql`
      INSERT INTO invoice_run_usage (account_id, line, period, category, calls, billed_seconds, duration_seconds, list_price_ticks, charged_ticks, covered_calls, covered_seconds, bundle_seconds)
      SELECT c.account_id, c.line, to_char(c.started_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM'), c.category, count(*), sum(c.billed_seconds), sum(c.answered_seconds),
             sum(c.list_price_ticks), sum(c.charged_ticks), count(*) FILTER (WHERE c.allowance = 'unlimited'),
             coalesce(sum(c.covered_seconds) FILTER (WHERE c.allowance = 'unlimited'), 0),
             coalesce(sum(c.covered_seconds) FILTER (WHERE c.allowance LIKE 'bundle:%'), 0)
      FROM ${takenCalls(before, watermark)}
      GROUP BY 1, 2, 3, 4`.execute(db);
    const accounts = await sql<{ account_id: string }>`SELECT DISTINCT account_id FROM invoice_run_usage`.execute(db);
    return accounts.rows.map((r) => r.account_id);
  });
}

/** Empties the run's working table. */
export async function clearRunUsage(db: Database['db']): Promise<void> {
  await sql`TRUNCATE invoice_run_usage`.execute(db);
}

/** The run's usage of a range of accounts, by account (months and categories in order). */
export async function runUsage(db: Session['db'], range: AccountRange): Promise<Map<string, UsageSummary[]>> {
  const result = await sql<UsageRow & { account_id: string }>`
    SELECT account_id, period, category, sum(calls)::text AS calls, sum(billed_seconds)::text AS billed_seconds, sum(duration_seconds)::text AS duration_seconds,
           sum(list_price_ticks)::text AS list_price_ticks, sum(charged_ticks)::text AS charged_ticks, sum(covered_calls)::text AS covered_calls,
           sum(covered_seconds)::text AS covered_seconds, sum(bundle_seconds)::text AS bundle_seconds
    FROM invoice_run_usage WHERE account_id BETWEEN ${range.first} AND ${range.last} AND category IS NOT NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
  return groupByAccount(result.rows, (rows) => toUsage(rows));
}

/** The run's usage per line (with the PBX user) of the business accounts of a range, by account. */
export async function runLineUsage(db: Session['db'], range: AccountRange): Promise<Map<string, UserUsage[]>> {
  const result = await sql<LineRow & { account_id: string }>`
    SELECT c.account_id, c.line, max(u.name) AS user_name, max(p.name) AS pbx_name, sum(c.calls)::text AS calls,
           sum(c.billed_seconds)::text AS billed, sum(c.duration_seconds)::text AS duration, sum(c.charged_ticks)::text AS charged
    FROM invoice_run_usage c JOIN account a ON a.id = c.account_id AND a.segment = 'business' ${LINE_JOIN}
    WHERE c.account_id BETWEEN ${range.first} AND ${range.last} AND c.category IS NOT NULL
    GROUP BY c.account_id, c.line ORDER BY c.account_id, max(p.name), c.line`.execute(db);
  return groupByAccount(result.rows, (rows) => toLineUsage(rows));
}

export interface UsageClaim {
  readonly accountId: string;
  readonly invoiceNumber: string;
  readonly before: Date;
  readonly throughSeq: number;
}

/** Records what each invoice of a run took: one row per invoice, chained to the account's previous claim. */
export async function insertClaims(session: Session, claims: readonly UsageClaim[]): Promise<void> {
  if (claims.length === 0) return;
  await sql`
    INSERT INTO usage_claim (account_id, before, through_seq, prev_before, prev_through_seq, invoice_number)
    SELECT n.account_id, n.before, n.through_seq, coalesce(l.before, '-infinity'), coalesce(l.through_seq, 0), n.invoice_number
    FROM unnest(${claims.map((c) => c.accountId)}::text[], ${claims.map((c) => c.before.toISOString())}::timestamptz[],
                ${claims.map((c) => c.throughSeq)}::int[], ${claims.map((c) => c.invoiceNumber)}::text[]) AS n(account_id, before, through_seq, invoice_number)
    LEFT JOIN LATERAL (SELECT before, through_seq FROM usage_claim u WHERE u.account_id = n.account_id ORDER BY before DESC LIMIT 1) l ON true`.execute(
    session.db,
  );
}

/** The calls of one issued invoice (alias c): claimed by its claim, or marked with its number the old way. */
function callsOfInvoice(number: string) {
  return sql`(
    SELECT c.* FROM rated_call c WHERE c.invoice_number = ${number}
    UNION ALL
    SELECT c.* FROM rated_call c JOIN usage_claim u ON u.invoice_number = ${number} AND c.account_id = u.account_id
    WHERE c.invoice_number IS NULL AND c.started_at < u.before AND c.store_seq <= u.through_seq
      AND NOT (c.started_at < u.prev_before AND c.store_seq <= u.prev_through_seq)
  ) c`;
}

/** The usage of the calls on an invoice now (after a rerate, it may differ from what the invoice says). */
export async function usageOfInvoice(session: Session, invoiceNumber: string): Promise<UsageSummary[]> {
  const result = await sql<UsageRow>`
    SELECT ${USAGE_AGGREGATE} FROM ${callsOfInvoice(invoiceNumber)}
    WHERE category IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`.execute(session.db);
  return toUsage(result.rows);
}

/** Usage per line of the calls on an invoice, with the PBX user. */
export async function usageOfInvoiceByLine(session: Session, invoiceNumber: string): Promise<UserUsage[]> {
  const result = await sql<LineRow>`
    SELECT ${LINE_AGGREGATE} FROM ${callsOfInvoice(invoiceNumber)} ${LINE_JOIN}
    WHERE c.category IS NOT NULL GROUP BY c.line ORDER BY max(p.name), c.line`.execute(session.db);
  return toLineUsage(result.rows);
}

/** Moves the calls of one invoice to another (a corrective invoice takes over the calls it re-bills). */
export async function moveCallsToInvoice(session: Session, from: string, to: string): Promise<void> {
  await sql`UPDATE call_record SET invoice_number = ${to} WHERE invoice_number = ${from}`.execute(session.db);
  await sql`UPDATE usage_claim SET invoice_number = ${to} WHERE invoice_number = ${from}`.execute(session.db);
}

/**
 * The invoice each call of a page is on (undefined: not invoiced), by the call's key in the page:
 * marked the old way or covered by a claim.
 */
export const INVOICE_OF_CALL = sql.raw(`coalesce(c.invoice_number, (
  SELECT u.invoice_number FROM usage_claim u WHERE u.account_id = c.account_id AND c.started_at < u.before AND c.store_seq <= u.through_seq
    AND NOT (c.started_at < u.prev_before AND c.store_seq <= u.prev_through_seq)))`);

/** An invoice for a period after `period` of one of these accounts that has none for `period`, if any. */
export async function laterInvoice(
  db: Database['db'],
  period: string,
  accountIds: readonly string[],
): Promise<{ account_id: string; period: string } | undefined> {
  const result = await sql<{ account_id: string; period: string }>`
    SELECT i.account_id, i.period FROM invoice i WHERE i.kind = 'invoice' AND i.period > ${period} AND i.account_id = ANY(${accountIds}::text[])
      AND NOT EXISTS (SELECT 1 FROM invoice j WHERE j.account_id = i.account_id AND j.period = ${period} AND j.kind = 'invoice')
    ORDER BY i.period, i.account_id LIMIT 1`.execute(db);
  return result.rows[0];
}

/** The first month ever invoiced on this database (YYYY-MM), if any. */
export async function firstInvoicedPeriod(db: Database['db']): Promise<string | undefined> {
  const first = await db
    .selectFrom('invoice')
    .select((eb) => eb.fn.min('period').as('first'))
    .where('kind', '=', 'invoice')
    .executeTakeFirst();
  return first?.first ?? undefined;
}

/** An invoice, credit note or corrective invoice by number. */
export async function findByNumber(db: Session['db'] | Database['db'], number: string): Promise<Selectable<InvoiceRow> | undefined> {
  return db.selectFrom('invoice').selectAll().where('number', '=', number).executeTakeFirst();
}

/** Documents that refer to an invoice (its credit notes and corrective invoice). */
export async function referringTo(db: Session['db'] | Database['db'], number: string): Promise<Selectable<InvoiceRow>[]> {
  return db.selectFrom('invoice').selectAll().where('refers_to', '=', number).orderBy('number').execute();
}

export async function insertInvoice(session: Session, row: Insertable<InvoiceRow>): Promise<void> {
  await session.db.insertInto('invoice').values(row).execute();
}

/** An issued document as stored, for the finance exports. */
export interface StoredDocument {
  readonly number: string;
  readonly kind: 'invoice' | 'credit_note' | 'corrective';
  readonly accountId: string;
  readonly period: string;
  readonly issueDate: string;
  readonly refersTo: string | null;
  readonly document: string;
}

const DOCUMENT_COLUMNS = ['number', 'kind', 'account_id', 'period', 'issue_date', 'refers_to', 'document'] as const;

function toStoredDocument(r: Pick<Selectable<InvoiceRow>, (typeof DOCUMENT_COLUMNS)[number]>): StoredDocument {
  return {
    number: r.number,
    kind: r.kind,
    accountId: r.account_id,
    period: r.period,
    issueDate: r.issue_date,
    refersTo: r.refers_to,
    document: r.document,
  };
}

/** Which documents: issued between two dates (inclusive), or of a period of supply. */
export type DocumentSelection = { readonly from: string; readonly to: string } | { readonly period: string };

/** The documents issued in a selection, in number order, `size` at a time (memory holds one batch). */
export async function* issuedDocumentBatches(db: Database['db'], selection: DocumentSelection, size = 1_000): AsyncGenerator<StoredDocument[]> {
  let after = '';
  for (;;) {
    let query = db.selectFrom('invoice').select(DOCUMENT_COLUMNS).where('number', '>', after);
    query =
      'period' in selection
        ? query.where('period', '=', selection.period)
        : query.where('issue_date', '>=', selection.from).where('issue_date', '<=', selection.to);
    const rows = await query.orderBy('number').limit(size).execute();
    if (rows.length > 0) yield rows.map(toStoredDocument);
    if (rows.length < size) return;
    after = rows.at(-1)!.number;
  }
}

/** The first invoice (by number) that named each of these SEPA mandates: a collection under it is the first (FRST). */
export async function firstInvoiceOfMandates(db: Database['db'], mandateIds: readonly string[]): Promise<Map<string, string>> {
  if (mandateIds.length === 0) return new Map();
  const result = await sql<{ mandate: string; number: string }>`
    SELECT document::jsonb -> 'payment' ->> 'mandateId' AS mandate, min(number) AS number FROM invoice
    WHERE kind <> 'credit_note' AND document::jsonb -> 'payment' ->> 'mandateId' = ANY(${mandateIds}::text[])
    GROUP BY 1`.execute(db);
  return new Map(result.rows.map((r) => [r.mandate, r.number]));
}

/** The credit notes of these invoices, whenever they were issued. */
export async function creditNotesOf(db: Database['db'], invoiceNumbers: readonly string[]): Promise<StoredDocument[]> {
  if (invoiceNumbers.length === 0) return [];
  const rows = await db
    .selectFrom('invoice')
    .select(DOCUMENT_COLUMNS)
    .where('kind', '=', 'credit_note')
    .where('refers_to', 'in', invoiceNumbers)
    .orderBy('number')
    .execute();
  return rows.map(toStoredDocument);
}

/** An account's documents, newest first. */
export async function invoicesOfAccount(db: Database['db'], accountId: string): Promise<Selectable<InvoiceRow>[]> {
  return db.selectFrom('invoice').selectAll().where('account_id', '=', accountId).orderBy('number', 'desc').execute();
}
