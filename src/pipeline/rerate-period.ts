/**
 * Re-prices a period's stored calls with the tariffs in force at each call's start (after a
 * correction of tariff data), reallocates bundles, and reports what changed. One transaction.
 */
import type { Period } from '../domain/period.js';
import { rateCdr } from '../rating/rate-cdr.js';
import type { Rating } from '../rating/rate-call.js';
import type { Database } from '../store/database.js';
import { allocateBundles, type AllocationScope } from '../store/allocation-store.js';
import { bandsText } from '../store/call-store.js';
import {
  callRowToCdr,
  chargedByAccount,
  selectCallsPage,
  updateRepricedCalls,
  type CallKey,
  type RepricedCall,
  type StoredCallRow,
} from '../store/rerate-store.js';
import { loadRatingContext } from './ingest-files.js';

export interface RerateOptions {
  readonly accountId?: string;
  readonly pageSize?: number;
}

export interface AccountChange {
  readonly accountId: string;
  /** tick sums as decimal strings */
  readonly chargedBefore: string;
  readonly chargedAfter: string;
}

export interface RerateReport {
  readonly examined: number;
  readonly changed: number;
  /** calls that could not be rated any more (their stored price is kept) */
  readonly failed: { readonly recordId: string; readonly reason: string; readonly detail: string }[];
  /** issued invoices that contain a changed call: each needs a credit note and a corrective invoice */
  readonly invoicesAffected: string[];
  readonly accounts: AccountChange[];
}

function repriced(row: StoredCallRow, planId: string, rating: Rating): RepricedCall {
  let { chargedTicks, coveredSeconds } = rating;
  if (rating.allowance?.startsWith('bundle:') && row.on_invoice && row.allowance === rating.allowance) {
    // an invoiced call keeps the bundle seconds it had; its uncovered part is re-priced
    coveredSeconds = Math.min(row.covered_seconds, rating.billedSeconds);
    chargedTicks = Math.min(rating.listPriceTicks, rating.setupFeeTicks + (rating.billedSeconds - coveredSeconds) * (rating.ratePerMinuteMicros ?? 0));
  } else if (rating.allowance?.startsWith('bundle:')) {
    coveredSeconds = row.allowance === rating.allowance ? row.covered_seconds : 0;
    chargedTicks = row.allowance === rating.allowance ? Number(row.charged_ticks) : rating.listPriceTicks;
  }
  return {
    key: { accountId: row.account_id, startedAt: row.started_at, source: row.source, recordId: row.record_id },
    kept: { direction: row.direction, device: row.device, category: row.category, subclass: row.subclass, country: row.country },
    planId,
    billedSeconds: rating.billedSeconds,
    setupFeeTicks: rating.setupFeeTicks,
    listPriceTicks: rating.listPriceTicks,
    chargedTicks,
    coveredSeconds,
    tariffVersion: rating.tariffVersion,
    rateMatch: rating.rateMatch,
    ratePerMinuteMicros: rating.ratePerMinuteMicros ?? null,
    bands: bandsText(rating.bands),
    allowance: rating.allowance ?? null,
    freeReason: rating.freeReason ?? null,
  };
}

function differs(row: StoredCallRow, next: RepricedCall): boolean {
  return (
    row.plan_id !== next.planId ||
    row.billed_seconds !== next.billedSeconds ||
    Number(row.setup_fee_ticks) !== next.setupFeeTicks ||
    Number(row.list_price_ticks) !== next.listPriceTicks ||
    Number(row.charged_ticks) !== next.chargedTicks ||
    row.covered_seconds !== next.coveredSeconds ||
    row.tariff_version !== next.tariffVersion ||
    row.rate_match !== next.rateMatch ||
    row.bands !== next.bands ||
    row.allowance !== next.allowance ||
    row.free_reason !== next.freeReason
  );
}

export async function reratePeriod(database: Database, period: Period, options: RerateOptions = {}): Promise<RerateReport> {
  const context = await loadRatingContext(database);
  const pageSize = options.pageSize ?? 10_000;
  return database.session(async (session) => {
    const before = await chargedByAccount(session, period, options.accountId);
    let examined = 0;
    let changed = 0;
    const failed: RerateReport['failed'] = [];
    const invoices = new Set<string>();
    const scopes = new Map<string, AllocationScope>();
    let after: CallKey | undefined;
    for (;;) {
      const rows = await selectCallsPage(session, period, options.accountId, after, pageSize);
      if (rows.length === 0) break;
      const updates: RepricedCall[] = [];
      for (const row of rows) {
        examined++;
        const result = rateCdr(context, callRowToCdr(row));
        if (!result.ok) {
          if (failed.length < 100) failed.push({ recordId: row.record_id, reason: result.reason, detail: result.detail });
          continue;
        }
        const next = repriced(row, result.call.planId, result.call.rating);
        if (next.allowance?.startsWith('bundle:') || row.allowance?.startsWith('bundle:')) {
          scopes.set(row.account_id, { accountId: row.account_id, period });
        }
        if (!differs(row, next)) continue;
        changed++;
        updates.push(next);
        if (row.on_invoice) invoices.add(row.on_invoice);
      }
      await updateRepricedCalls(database, session, updates);
      const last = rows[rows.length - 1]!;
      after = { accountId: last.account_id, startedAt: last.started_at, source: last.source, recordId: last.record_id };
    }
    await allocateBundles(session, context.tariffs.bundles, [...scopes.values()]);
    const afterTotals = await chargedByAccount(session, period, options.accountId);
    const accounts = [...new Set([...before.keys(), ...afterTotals.keys()])]
      .sort()
      .map((accountId) => ({ accountId, chargedBefore: before.get(accountId) ?? '0', chargedAfter: afterTotals.get(accountId) ?? '0' }))
      .filter((a) => a.chargedBefore !== a.chargedAfter);
    return { examined, changed, failed, invoicesAffected: [...invoices].sort(), accounts };
  });
}
