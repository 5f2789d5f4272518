/**
 * Fair use: covered minutes by customer and month, and the charges an operator applies.
 */
import { sql, type Selectable } from 'kysely';
import type { Database, Session } from './database.js';
import type { FairUseChargeRow as FairUseChargeTable } from './schema.js';

export interface CoveredMonthRow {
  readonly accountId: string;
  readonly month: string;
  readonly line: string;
  readonly coveredSeconds: number;
  readonly calls: number;
  /** list price of the covered calls: their price at regular rates, as a decimal string of ticks */
  readonly listPriceTicks: string;
}

/** Seconds an unlimited allowance covered, by account, Amsterdam month and line, on the given plans. */
export async function coveredByMonth(db: Database['db'] | Session['db'], planIds: readonly string[], from: Date, to: Date): Promise<CoveredMonthRow[]> {
  if (planIds.length === 0) return [];
  const result = await sql<{ account_id: string; month: string; line: string; covered: string; calls: string; list: string }>`
    SELECT account_id, to_char(started_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM') AS month, line,
           sum(covered_seconds)::text AS covered, count(*)::text AS calls, sum(list_price_ticks)::text AS list
    FROM rated_call
    WHERE allowance = 'unlimited' AND plan_id = ANY(${planIds as string[]}::text[]) AND started_at >= ${from} AND started_at < ${to}
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
  return result.rows.map((r) => ({
    accountId: r.account_id,
    month: r.month,
    line: r.line,
    coveredSeconds: Number(r.covered),
    calls: Number(r.calls),
    listPriceTicks: r.list,
  }));
}

/** A fair-use charge as read back (int8 and numeric as strings). */
export type FairUseChargeRow = Selectable<FairUseChargeTable>;

/** Records a fair-use charge; false when this customer's window was charged already. */
export async function insertFairUseCharge(
  session: Session,
  charge: Omit<FairUseChargeRow, 'invoice_number' | 'covered_seconds'> & { covered_seconds: number },
): Promise<boolean> {
  const result = await sql`
    INSERT INTO fair_use_charge (account_id, fair_use_group, window_start, window_end, calls, covered_seconds, amount_ticks, ratio, applied_at)
    VALUES (${charge.account_id}, ${charge.fair_use_group}, ${charge.window_start}, ${charge.window_end}, ${charge.calls},
            ${charge.covered_seconds}, ${charge.amount_ticks}, ${charge.ratio}, ${charge.applied_at})
    ON CONFLICT DO NOTHING`.execute(session.db);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

/** Puts an account's pending fair-use charges on an invoice; returns them. */
export async function claimFairUseCharges(session: Session, accountId: string, invoiceNumber: string): Promise<FairUseChargeRow[]> {
  const result = await sql<FairUseChargeRow>`
    UPDATE fair_use_charge SET invoice_number = ${invoiceNumber}
    WHERE account_id = ${accountId} AND invoice_number IS NULL
    RETURNING *`.execute(session.db);
  return [...result.rows].sort((a, b) => a.window_start.localeCompare(b.window_start) || a.fair_use_group.localeCompare(b.fair_use_group));
}

/** Pending fair-use charges of an account (dry run). */
export async function pendingFairUseCharges(database: Database, accountId: string): Promise<FairUseChargeRow[]> {
  const result = await sql<FairUseChargeRow>`SELECT * FROM fair_use_charge WHERE account_id = ${accountId} AND invoice_number IS NULL
    ORDER BY window_start, fair_use_group`.execute(database.db);
  return result.rows;
}

/** Accounts with pending fair-use charges. */
export async function accountsWithPendingFairUse(database: Database): Promise<string[]> {
  const result = await sql<{ account_id: string }>`SELECT DISTINCT account_id FROM fair_use_charge WHERE invoice_number IS NULL`.execute(database.db);
  return result.rows.map((r) => r.account_id);
}
