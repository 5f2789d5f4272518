/**
 * The nightly job's bookkeeping: its run reports, the months it closed, the reference files it
 * loaded, and the alerts it raises from the calls a run stored.
 */
import { sql } from 'kysely';
import type { Database } from './database.js';

export interface RunRow {
  readonly id: string;
  readonly started_at: Date;
  readonly finished_at: Date;
  readonly exit_code: number;
  readonly report: string;
}

export async function insertRun(database: Database, run: RunRow): Promise<void> {
  await database.db.insertInto('nightly_run').values(run).execute();
}

/** The latest runs, newest first. */
export async function listRuns(database: Database, limit: number): Promise<RunRow[]> {
  return database.db.selectFrom('nightly_run').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
}

export async function findRun(database: Database, id: string): Promise<RunRow | undefined> {
  return database.db.selectFrom('nightly_run').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function isMonthClosed(database: Database, period: string): Promise<boolean> {
  return (await database.db.selectFrom('month_close').select('period').where('period', '=', period).executeTakeFirst()) !== undefined;
}

export async function recordMonthClosed(database: Database, period: string, runId: string, at: Date): Promise<void> {
  await database.db
    .insertInto('month_close')
    .values({ period, closed_at: at, run_id: runId })
    .onConflict((oc) => oc.column('period').doNothing())
    .execute();
}

export async function loadedHash(database: Database, kind: string): Promise<string | undefined> {
  return (await database.db.selectFrom('reference_load').select('content_hash').where('kind', '=', kind).executeTakeFirst())?.content_hash;
}

export async function recordLoadedHash(database: Database, kind: string, hash: string, at: Date): Promise<void> {
  await database.db
    .insertInto('reference_load')
    .values({ kind, content_hash: hash, loaded_at: at })
    .onConflict((oc) => oc.column('kind').doUpdateSet({ content_hash: hash, loaded_at: at }))
    .execute();
}

/** A call in a category its line has barred. */
export interface BarredCallAlert {
  readonly accountId: string;
  readonly line: string;
  /** ISO 8601, UTC */
  readonly startedAt: string;
  readonly destination: string | null;
  readonly barring: string;
  readonly charged: string;
}

/** Calls stored by these ingests (store_seq) in a category their line had barred at the call's start. */
export async function barredCalls(database: Database, storeSeqs: readonly number[]): Promise<BarredCallAlert[]> {
  if (storeSeqs.length === 0) return [];
  const result = await sql<{ account_id: string; line: string; started_at: Date; destination: string | null; barring: string; charged: string }>`
    SELECT c.account_id, c.line, c.started_at, c.destination, b.barring, (c.charged_ticks / 60000000.0)::numeric(14, 6)::text AS charged
    FROM rated_call c
    JOIN subscription s ON s.account_id = c.account_id AND s.line = c.line AND cardinality(s.barred) > 0
      AND s.valid_from <= (c.started_at AT TIME ZONE 'Europe/Amsterdam')::date
      AND (s.valid_to IS NULL OR s.valid_to > (c.started_at AT TIME ZONE 'Europe/Amsterdam')::date)
    CROSS JOIN LATERAL (SELECT CASE
        WHEN c.category = 'service' AND c.subclass = 'premium' THEN 'premium'
        WHEN c.category = 'international' THEN 'international'
        WHEN c.category = 'mobile' THEN 'mobile'
        WHEN c.category IN ('local', 'national') THEN 'national'
      END AS barring) b
    WHERE c.store_seq = ANY(${storeSeqs as number[]}::int[]) AND c.direction = 'outgoing' AND c.answered AND b.barring = ANY(s.barred)
    ORDER BY c.account_id, c.started_at`.execute(database.db);
  return result.rows.map((r) => ({
    accountId: r.account_id,
    line: r.line,
    startedAt: r.started_at.toISOString(),
    destination: r.destination,
    barring: r.barring,
    charged: r.charged,
  }));
}

/** An account's charges on one day that are over a fixed amount or many times its usual day. */
export interface SpendAlert {
  readonly accountId: string;
  readonly day: string;
  readonly charged: string;
  readonly premium: string;
  readonly international: string;
  /** its average charged day over the 90 days before (null without history) */
  readonly usualDay: string | null;
}

/**
 * The days touched by these ingests on which an account's charges exceed `dayAmount` euro, or
 * `factor` times its average day over the 90 days before (on days it called) and at least
 * `minAmount` (small sums are no fraud); premium and international apart.
 */
export async function spendSpikes(
  database: Database,
  storeSeqs: readonly number[],
  limits: { readonly dayAmount: string; readonly factor: number; readonly minAmount: string },
): Promise<SpendAlert[]> {
  const { dayAmount: amount, factor, minAmount } = limits;
  if (storeSeqs.length === 0) return [];
  // one pass over each touched account's days from 90 days before its first touched day; the usual day is a window average
  const result = await sql<{ account_id: string; day: string; charged: string; premium: string; international: string; usual: string | null }>`
    WITH touched AS (
      SELECT DISTINCT c.account_id, (c.started_at AT TIME ZONE 'Europe/Amsterdam')::date AS day
      FROM rated_call c WHERE c.store_seq = ANY(${storeSeqs as number[]}::int[])
    ), span AS (
      SELECT account_id, min(day) - 90 AS since, max(day) + 1 AS until FROM touched GROUP BY account_id
    ), daily AS (
      SELECT c.account_id, (c.started_at AT TIME ZONE 'Europe/Amsterdam')::date AS day,
             sum(c.charged_ticks) / 60000000.0 AS charged,
             coalesce(sum(c.charged_ticks) FILTER (WHERE c.category = 'service' AND c.subclass = 'premium'), 0) / 60000000.0 AS premium,
             coalesce(sum(c.charged_ticks) FILTER (WHERE c.category = 'international'), 0) / 60000000.0 AS international
      FROM span s JOIN rated_call c ON c.account_id = s.account_id
        AND c.started_at >= (s.since::timestamp AT TIME ZONE 'Europe/Amsterdam') AND c.started_at < (s.until::timestamp AT TIME ZONE 'Europe/Amsterdam')
      GROUP BY 1, 2
    ), scored AS (
      SELECT d.*, avg(d.charged) OVER (PARTITION BY d.account_id ORDER BY d.day RANGE BETWEEN '90 days' PRECEDING AND '1 day' PRECEDING) AS usual
      FROM daily d
    )
    SELECT s.account_id, s.day::text AS day, round(s.charged, 2)::text AS charged, round(s.premium, 2)::text AS premium,
           round(s.international, 2)::text AS international, round(s.usual, 2)::text AS usual
    FROM scored s JOIN touched t USING (account_id, day)
    WHERE s.charged > ${amount}::numeric OR (s.usual IS NOT NULL AND s.usual > 0 AND s.charged > ${factor} * s.usual AND s.charged >= ${minAmount}::numeric)
    ORDER BY s.charged DESC, s.account_id, s.day`.execute(database.db);
  return result.rows.map((r) => ({
    accountId: r.account_id,
    day: r.day,
    charged: r.charged,
    premium: r.premium,
    international: r.international,
    usualDay: r.usual,
  }));
}
