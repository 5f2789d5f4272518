/**
 * Reading stored calls back for re-rating, and writing new prices set-based.
 */
import { sql, type Selectable } from 'kysely';
import type { Cdr } from '../domain/cdr.js';
import { periodEnd, periodStart, type Period } from '../domain/period.js';
import type { Session } from './database.js';
import { INVOICE_OF_CALL } from './invoice-store.js';
import type { RatedCallRow } from './schema.js';
import { addToCallTotals } from './call-total-store.js';
import { TARIFF_VERSION_LABEL, tariffVersionId } from './tariff-version-store.js';

/** A stored call with the invoice it is on (null: not invoiced yet). */
export type StoredCallRow = Selectable<RatedCallRow> & { readonly tariff_version: string; readonly on_invoice: string | null };

/** The canonical CDR a stored call was rated from. */
export function callRowToCdr(row: StoredCallRow): Cdr {
  return {
    source: row.source,
    recordId: row.record_id,
    startedAtMs: row.started_at.getTime(),
    setupAtMs: row.setup_at?.getTime(),
    answered: row.answered,
    answeredSeconds: row.answered_seconds,
    callingNumber: row.calling_number,
    calledNumber: row.called_number,
    direction: row.direction,
    billedLine: row.line,
    device: row.device,
    ...(row.forwarded_from ? { forwardedFrom: row.forwarded_from } : {}),
  };
}

export interface CallKey {
  readonly accountId: string;
  readonly startedAt: Date;
  readonly source: string;
  readonly recordId: string;
}

/** A page of a period's calls in key order, after `after` (keyset pagination). */
export async function selectCallsPage(
  session: Session,
  period: Period,
  accountId: string | undefined,
  after: CallKey | undefined,
  limit: number,
): Promise<StoredCallRow[]> {
  let query = session.db
    .selectFrom('rated_call as c')
    .selectAll()
    .select(sql<string | null>`${INVOICE_OF_CALL}`.as('on_invoice'))
    .select(TARIFF_VERSION_LABEL.as('tariff_version'))
    .where('started_at', '>=', periodStart(period))
    .where('started_at', '<', periodEnd(period));
  if (accountId) query = query.where('account_id', '=', accountId);
  if (after) {
    query = query.where(
      sql<boolean>`(account_id, started_at, source, record_id) > (${after.accountId}, ${after.startedAt}, ${after.source}, ${after.recordId})`,
    );
  }
  return query.orderBy('account_id').orderBy('started_at').orderBy('source').orderBy('record_id').limit(limit).execute();
}

export interface RepricedCall {
  readonly key: CallKey;
  readonly planId: string;
  readonly billedSeconds: number;
  readonly setupFeeTicks: number;
  readonly listPriceTicks: number;
  readonly chargedTicks: number;
  readonly coveredSeconds: number;
  readonly tariffVersion: string;
  readonly rateMatch: string;
  readonly ratePerMinuteMicros: number | null;
  readonly bands: string;
  readonly allowance: string | null;
  readonly freeReason: string | null;
}

/** Writes new prices for the given calls, in one statement. */
export async function updateRepricedCalls(session: Session, calls: readonly RepricedCall[]): Promise<void> {
  if (calls.length === 0) return;
  const col = <T>(pick: (c: RepricedCall) => T): T[] => calls.map(pick);
  await sql`
    WITH updated AS (
    UPDATE rated_call r SET
      plan_id = u.plan_id, billed_seconds = u.billed_seconds, setup_fee_ticks = u.setup_fee_ticks,
      list_price_ticks = u.list_price_ticks, charged_ticks = u.charged_ticks, covered_seconds = u.covered_seconds,
      tariff_version_id = u.tariff_version_id, rate_match = u.rate_match, rate_per_minute_micros = u.rate_per_minute_micros,
      bands = u.bands, allowance = u.allowance, free_reason = u.free_reason
    FROM unnest(
      ${col((c) => c.key.accountId)}::text[], ${col((c) => c.key.startedAt.toISOString())}::timestamptz[],
      ${col((c) => c.key.source)}::text[], ${col((c) => c.key.recordId)}::text[],
      ${col((c) => c.planId)}::text[], ${col((c) => c.billedSeconds)}::int[], ${col((c) => c.setupFeeTicks)}::bigint[],
      ${col((c) => c.listPriceTicks)}::bigint[], ${col((c) => c.chargedTicks)}::bigint[], ${col((c) => c.coveredSeconds)}::int[],
      ${col((c) => tariffVersionId(c.tariffVersion))}::int[], ${col((c) => c.rateMatch)}::text[], ${col((c) => c.ratePerMinuteMicros)}::bigint[],
      ${col((c) => c.bands)}::text[], ${col((c) => c.allowance)}::text[], ${col((c) => c.freeReason)}::text[]
    ) AS u(account_id, started_at, source, record_id, plan_id, billed_seconds, setup_fee_ticks, list_price_ticks,
           charged_ticks, covered_seconds, tariff_version_id, rate_match, rate_per_minute_micros, bands, allowance, free_reason)
    JOIN rated_call o ON o.account_id = u.account_id AND o.started_at = u.started_at AND o.source = u.source AND o.record_id = u.record_id
    WHERE r.account_id = u.account_id AND r.started_at = u.started_at AND r.source = u.source AND r.record_id = u.record_id
    RETURNING r.account_id, r.started_at, r.category, r.direction, r.answered,
              u.list_price_ticks - o.list_price_ticks AS list_price_change, u.charged_ticks - o.charged_ticks AS charged_change
    ) ${addToCallTotals(
      sql`(SELECT account_id, started_at, category, direction, answered, 0 AS calls, 0 AS seconds,
                  list_price_change AS list_price_ticks, charged_change AS charged_ticks FROM updated)`,
    )}`.execute(session.db);
}

/** Charged and covered per account after a rerate, for the report. */
export async function chargedByAccount(session: Session, period: Period, accountId: string | undefined): Promise<Map<string, string>> {
  let query = session.db
    .selectFrom('rated_call')
    .select(['account_id', sql<string>`sum(charged_ticks)::text`.as('charged')])
    .where('started_at', '>=', periodStart(period))
    .where('started_at', '<', periodEnd(period))
    .groupBy('account_id');
  if (accountId) query = query.where('account_id', '=', accountId);
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.account_id, r.charged]));
}
