/**
 * Bundle allocation: per account, line, bundle and month (Europe/Amsterdam), the bundle's minutes
 * are consumed by the calls in start order; a call that straddles the end is partly covered. It is
 * recomputed, set-based, for the months an ingest touched, so the result does not depend on the
 * order or split in which CDRs arrive. Calls already on an issued invoice keep what they had; the
 * bundle left after them goes to the others. Files stored concurrently (workers) recompute a shared
 * scope one after the other: each takes the locks of its scopes' buckets, in bucket order.
 */
import { sql } from 'kysely';
import { periodEnd, periodStart, type Period } from '../domain/period.js';
import { addToCallTotals } from './call-total-store.js';
import { LOCK, type Session } from './database.js';
import { fnv1a } from './fnv1a.js';

export interface AllocationScope {
  readonly accountId: string;
  readonly period: Period;
}

/** Recomputes covered seconds and charges of bundle calls in scope; returns the calls changed. */
const LOCK_BUCKETS = 128;

/** The lock buckets of the scopes, ascending: taken in one order by every transaction, they cannot deadlock. */
function lockBuckets(scopes: readonly AllocationScope[]): number[] {
  const buckets = new Set<number>();
  for (const { accountId, period } of scopes) {
    buckets.add((fnv1a(`${accountId}|${period.year}-${period.month}`) >>> 0) % LOCK_BUCKETS);
  }
  return [...buckets].sort((a, b) => a - b);
}

export async function allocateBundles(
  session: Session,
  bundles: ReadonlyMap<string, { readonly minutes: number }>,
  scopes: readonly AllocationScope[],
): Promise<number> {
  if (scopes.length === 0 || bundles.size === 0) return 0;
  const allowances = [...bundles.keys()].map((id) => `bundle:${id}`);
  const seconds = [...bundles.values()].map((b) => b.minutes * 60);
  const accounts = scopes.map((s) => s.accountId);
  const starts = scopes.map((s) => periodStart(s.period).toISOString());
  const ends = scopes.map((s) => periodEnd(s.period).toISOString());
  // a function scan returns the array's elements in order
  await sql`SELECT pg_advisory_xact_lock(${LOCK.allocation}, b) FROM unnest(${lockBuckets(scopes)}::int[]) AS u(b)`.execute(session.db);
  const result = await sql<{ n: string }>`
    WITH bundle AS (
      SELECT * FROM unnest(${allowances}::text[], ${seconds}::int[]) AS b(allowance, seconds)
    ), scope AS (
      SELECT * FROM unnest(${accounts}::text[], ${starts}::timestamptz[], ${ends}::timestamptz[]) AS s(account_id, period_start, period_end)
    ), latest AS (
      SELECT DISTINCT ON (u.account_id) u.account_id, u.before, u.through_seq FROM usage_claim u
      WHERE u.account_id IN (SELECT account_id FROM scope) ORDER BY u.account_id, u.before DESC
    ), in_scope AS (
      SELECT c.*, s.period_start,
             (c.invoice_number IS NOT NULL OR (l.before IS NOT NULL AND c.started_at < l.before AND c.store_seq <= l.through_seq)) AS billed
      FROM rated_call c
      JOIN scope s ON c.account_id = s.account_id AND c.started_at >= s.period_start AND c.started_at < s.period_end
      LEFT JOIN latest l ON l.account_id = c.account_id
      WHERE c.allowance LIKE 'bundle:%'
    ), invoiced AS (
      SELECT account_id, line, allowance, period_start, sum(covered_seconds) AS covered
      FROM in_scope WHERE billed
      GROUP BY 1, 2, 3, 4
    ), ordered AS (
      SELECT c.account_id, c.started_at, c.source, c.record_id, c.category, c.direction, c.answered, c.billed_seconds, c.setup_fee_ticks,
             c.list_price_ticks, c.rate_per_minute_micros, c.charged_ticks AS charged_before,
             b.seconds - coalesce(i.covered, 0) AS available,
             coalesce(sum(c.billed_seconds) OVER (
               PARTITION BY c.account_id, c.line, c.allowance, c.period_start
               ORDER BY c.started_at, c.source, c.record_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS used_before
      FROM in_scope c
      JOIN bundle b ON b.allowance = c.allowance
      LEFT JOIN invoiced i ON i.account_id = c.account_id AND i.line = c.line AND i.allowance = c.allowance AND i.period_start = c.period_start
      WHERE NOT c.billed
    ), allocated AS (
      SELECT o.*, greatest(0, least(o.billed_seconds, o.available - o.used_before))::int AS covered
      FROM ordered o
    ), priced AS (
      SELECT a.*, least(a.list_price_ticks,
                        a.setup_fee_ticks + (a.billed_seconds - a.covered) * coalesce(a.rate_per_minute_micros, 0)) AS charged
      FROM allocated a
    ), updated AS (
      UPDATE call_record r SET covered_seconds = p.covered, charged_ticks = p.charged
      FROM priced p
      WHERE r.account_id = p.account_id AND r.started_at = p.started_at AND r.source = p.source AND r.record_id = p.record_id
        AND (r.covered_seconds <> p.covered OR r.charged_ticks <> p.charged)
      RETURNING r.account_id, r.started_at, p.category, p.direction, p.answered, p.charged - p.charged_before AS charged_change
    ), totals AS (${addToCallTotals(
      sql`(SELECT account_id, started_at, category, direction, answered, 0 AS calls, 0 AS seconds, 0 AS list_price_ticks,
                  charged_change AS charged_ticks FROM updated)`,
    )})
    SELECT count(*)::text AS n FROM updated`.execute(session.db);
  return Number(result.rows[0]!.n);
}
