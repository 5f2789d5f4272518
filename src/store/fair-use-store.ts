/**
 * Fair use: covered minutes by customer and month, and the charges an operator applies.
 */
import { groupBy } from '../domain/collections.js';
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

/** Pending fair-use charges of a range of accounts, by account, in window order. */
export async function pendingFairUseChargesOf(db: Session['db'], range: { first: string; last: string }): Promise<Map<string, FairUseChargeRow[]>> {
  const result = await sql<FairUseChargeRow>`SELECT * FROM fair_use_charge
    WHERE account_id BETWEEN ${range.first} AND ${range.last} AND invoice_number IS NULL
    ORDER BY account_id, window_start, fair_use_group`.execute(db);
  return groupBy(result.rows, (r) => r.account_id);
}

/** Puts the pending fair-use charges of accounts on their invoices (account → invoice number). */
export async function claimFairUseChargesOf(session: Session, invoices: ReadonlyMap<string, string>): Promise<void> {
  if (invoices.size === 0) return;
  await sql`UPDATE fair_use_charge f SET invoice_number = m.number
    FROM unnest(${[...invoices.keys()]}::text[], ${[...invoices.values()]}::text[]) AS m(account_id, number)
    WHERE f.account_id = m.account_id AND f.invoice_number IS NULL`.execute(session.db);
}

/** Accounts with fair-use charges not yet on an invoice. */
export async function accountsWithPendingFairUse(db: Database['db']): Promise<string[]> {
  const rows = await db.selectFrom('fair_use_charge').select('account_id').distinct().where('invoice_number', 'is', null).execute();
  return rows.map((r) => r.account_id);
}
