/**
 * call_total against the calls it sums: the rows where the kept totals and a fresh aggregate of
 * rated_call differ (none when every writer kept them).
 */
import { sql } from 'kysely';
import type { Database } from '../../src/store/database.js';

export async function callTotalsDrift(database: Database): Promise<unknown[]> {
  const result = await sql`
    WITH fresh AS (
      SELECT account_id, to_char(started_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM') AS period, coalesce(category, 'incoming') AS category,
             direction, answered, count(*)::bigint AS calls, sum(answered_seconds)::bigint AS seconds,
             sum(list_price_ticks)::bigint AS list_price_ticks, sum(charged_ticks)::bigint AS charged_ticks
      FROM rated_call GROUP BY 1, 2, 3, 4, 5
    )
    SELECT * FROM (
      (SELECT 'kept' AS side, account_id, period, category, direction, answered, calls, seconds, list_price_ticks, charged_ticks FROM call_total
       EXCEPT SELECT 'kept', * FROM fresh)
      UNION ALL
      (SELECT 'fresh', * FROM fresh
       EXCEPT SELECT 'fresh', account_id, period, category, direction, answered, calls, seconds, list_price_ticks, charged_ticks FROM call_total)
    ) d ORDER BY account_id, period, category, side`.execute(database.db);
  return result.rows;
}
