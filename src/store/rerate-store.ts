/**
 * Reading stored calls back for re-rating, and writing new prices set-based.
 */
import { sql, type Selectable } from 'kysely';
import type { Cdr } from '../domain/cdr.js';
import { periodEnd, periodStart, type Period } from '../domain/period.js';
import type { Database, Session } from './database.js';
import { identifyProfile, recordCallProfiles, type CallProfile } from './call-profile-store.js';
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
  /** what the stored call keeps: its direction, device and destination's classification */
  readonly kept: Pick<CallProfile, 'direction' | 'device' | 'category' | 'subclass' | 'country'>;
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

/** Writes new prices for the given calls, in one statement (their profiles recorded first). */
export async function updateRepricedCalls(database: Database, session: Session, calls: readonly RepricedCall[]): Promise<void> {
  if (calls.length === 0) return;
  const profiles = calls.map((c) =>
    identifyProfile({
      ...c.kept,
      planId: c.planId,
      tariffVersionId: tariffVersionId(c.tariffVersion),
      rateMatch: c.rateMatch,
      ratePerMinuteMicros: c.ratePerMinuteMicros,
      setupFeeTicks: c.setupFeeTicks,
      allowance: c.allowance,
      freeReason: c.freeReason,
    }),
  );
  await recordCallProfiles(database, session, [...new Map(profiles.map((p) => [p.id, p])).values()]);
  const col = <T>(pick: (c: RepricedCall) => T): T[] => calls.map(pick);
  await sql`
    WITH updated AS (
    UPDATE call_record r SET
      profile_id = u.profile_id, billed_seconds = u.billed_seconds, list_price_ticks = u.list_price_ticks,
      charged_ticks = u.charged_ticks, covered_seconds = u.covered_seconds, bands = u.bands
    FROM unnest(
      ${col((c) => c.key.accountId)}::text[], ${col((c) => c.key.startedAt.toISOString())}::timestamptz[],
      ${col((c) => c.key.source)}::text[], ${col((c) => c.key.recordId)}::text[], ${profiles.map((p) => p.id)}::bigint[],
      ${col((c) => c.billedSeconds)}::int[], ${col((c) => c.listPriceTicks)}::bigint[], ${col((c) => c.chargedTicks)}::bigint[],
      ${col((c) => c.coveredSeconds)}::int[], ${col((c) => c.bands)}::text[]
    ) AS u(account_id, started_at, source, record_id, profile_id, billed_seconds, list_price_ticks, charged_ticks, covered_seconds, bands)
    JOIN rated_call o ON o.account_id = u.account_id AND o.started_at = u.started_at AND o.source = u.source AND o.record_id = u.record_id
    WHERE r.account_id = u.account_id AND r.started_at = u.started_at AND r.source = u.source AND r.record_id = u.record_id
    RETURNING r.account_id, r.started_at, o.category, o.direction, r.answered,
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
