/**
 * Invoices: gapless numbers per year, usage taken from unbilled calls, immutable once issued.
 */
import { sql } from 'kysely';
import type { UsageSummary } from '../billing/build-invoice.js';
import type { Database, Session } from './database.js';
import type { InvoiceRow } from './schema.js';
import type { Insertable, Selectable } from 'kysely';

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
  sum(list_price_ticks)::text AS list_price_ticks,
  sum(charged_ticks)::text AS charged_ticks,
  count(*) FILTER (WHERE allowance = 'unlimited')::text AS covered_calls,
  coalesce(sum(covered_seconds) FILTER (WHERE allowance = 'unlimited'), 0)::text AS covered_seconds,
  coalesce(sum(covered_seconds) FILTER (WHERE allowance LIKE 'bundle:%'), 0)::text AS bundle_seconds`);

/**
 * Marks an account's unbilled calls that started before `before` as billed by `invoiceNumber`, and
 * returns their usage by month and category: exactly the calls marked, whatever arrives meanwhile.
 * Incoming and unanswered legs are marked too; they cost nothing.
 */
export async function claimUnbilledUsage(session: Session, accountId: string, before: Date, invoiceNumber: string): Promise<UsageSummary[]> {
  const result = await sql<UsageRow>`
    WITH claimed AS (
      UPDATE rated_call SET invoice_number = ${invoiceNumber}
      WHERE account_id = ${accountId} AND invoice_number IS NULL AND started_at < ${before}
      RETURNING started_at, category, billed_seconds, list_price_ticks, charged_ticks, allowance, covered_seconds
    )
    SELECT ${USAGE_AGGREGATE} FROM claimed
    WHERE category IS NOT NULL
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(session.db);
  return toUsage(result.rows);
}

/** Usage per line of the calls on an invoice (or unbilled before `before`, for a dry run), with the PBX user. */
export async function usageByLine(
  db: Database['db'] | Session['db'],
  where: { invoiceNumber: string } | { accountId: string; before: Date },
): Promise<{ line: string; user: string | null; group: string | null; calls: number; billedSeconds: number; chargedTicks: string }[]> {
  const filter =
    'invoiceNumber' in where
      ? sql`c.invoice_number = ${where.invoiceNumber}`
      : sql`c.account_id = ${where.accountId} AND c.invoice_number IS NULL AND c.started_at < ${where.before}`;
  const result = await sql<{ line: string; user_name: string | null; pbx_name: string | null; calls: string; billed: string; charged: string }>`
    SELECT c.line, max(u.name) AS user_name, max(p.name) AS pbx_name, count(*)::text AS calls,
           sum(c.billed_seconds)::text AS billed, sum(c.charged_ticks)::text AS charged
    FROM rated_call c
    LEFT JOIN pbx_user u ON u.number = c.line AND u.pbx_id IN (SELECT id FROM pbx WHERE account_id = c.account_id)
    LEFT JOIN pbx p ON p.id = u.pbx_id
    WHERE ${filter} AND c.category IS NOT NULL
    GROUP BY c.line ORDER BY max(p.name), c.line`.execute(db);
  return result.rows.map((r) => ({
    line: r.line,
    user: r.user_name,
    group: r.pbx_name,
    calls: Number(r.calls),
    billedSeconds: Number(r.billed),
    chargedTicks: r.charged,
  }));
}

/** The usage of the calls on an invoice now (after a rerate, it may differ from what the invoice says). */
export async function usageOfInvoice(session: Session, invoiceNumber: string): Promise<UsageSummary[]> {
  const result = await sql<UsageRow>`
    SELECT ${USAGE_AGGREGATE} FROM rated_call
    WHERE invoice_number = ${invoiceNumber} AND category IS NOT NULL
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(session.db);
  return toUsage(result.rows);
}

/** Moves the calls of one invoice to another (a corrective invoice takes over the calls it re-bills). */
export async function moveCallsToInvoice(session: Session, from: string, to: string): Promise<number> {
  const result = await sql`UPDATE rated_call SET invoice_number = ${to} WHERE invoice_number = ${from}`.execute(session.db);
  return Number(result.numAffectedRows ?? 0n);
}

/** An invoice, credit note or corrective invoice by number. */
export async function findByNumber(db: Session['db'] | Database['db'], number: string): Promise<Selectable<InvoiceRow> | undefined> {
  return db.selectFrom('invoice').selectAll().where('number', '=', number).executeTakeFirst();
}

/** Documents that refer to an invoice (its credit notes and corrective invoice). */
export async function referringTo(db: Session['db'] | Database['db'], number: string): Promise<Selectable<InvoiceRow>[]> {
  return db.selectFrom('invoice').selectAll().where('refers_to', '=', number).orderBy('number').execute();
}

/** The same usage, without claiming it (dry run). */
export async function peekUnbilledUsage(database: Database, accountId: string, before: Date): Promise<UsageSummary[]> {
  const result = await sql<UsageRow>`
    SELECT ${USAGE_AGGREGATE} FROM rated_call
    WHERE account_id = ${accountId} AND invoice_number IS NULL AND started_at < ${before} AND category IS NOT NULL
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(database.db);
  return toUsage(result.rows);
}

/** Accounts with unbilled calls that started before `before`. */
export async function accountsWithUnbilledUsage(database: Database, before: Date): Promise<string[]> {
  const rows = await database.db
    .selectFrom('rated_call')
    .select('account_id')
    .distinct()
    .where('invoice_number', 'is', null)
    .where('started_at', '<', before)
    .execute();
  return rows.map((r) => r.account_id);
}

export async function findInvoice(db: Session['db'] | Database['db'], accountId: string, period: string): Promise<Selectable<InvoiceRow> | undefined> {
  return db.selectFrom('invoice').selectAll().where('account_id', '=', accountId).where('period', '=', period).where('kind', '=', 'invoice').executeTakeFirst();
}

export async function insertInvoice(session: Session, row: Insertable<InvoiceRow>): Promise<void> {
  await session.db.insertInto('invoice').values(row).execute();
}

export async function listInvoices(database: Database, period: string): Promise<Selectable<InvoiceRow>[]> {
  return database.db.selectFrom('invoice').selectAll().where('period', '=', period).orderBy('number').execute();
}
