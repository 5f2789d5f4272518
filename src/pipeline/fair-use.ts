/**
 * The fair-use report of a window of months, per fair-use group, and applying a charge.
 */
import { assessFairUse, type FairUseAssessment } from '../billing/assess-fair-use.js';
import { Decimal } from '../domain/money.js';
import { formatPeriod, nextPeriod, periodEnd, periodFirstDay as localDate, periodStart, previousPeriod, type Period } from '../domain/period.js';
import type { TariffSet } from '../tariffs/tariff-set.js';
import type { Database } from '../store/database.js';
import { loadAccountsActiveBetween } from '../store/customer-store.js';
import { coveredByMonth, insertFairUseCharge } from '../store/fair-use-store.js';
import { InputError } from './input-error.js';
import { loadStoredTariffs } from './load-tariffs.js';

export interface FairUseGroup {
  readonly group: string;
  readonly planIds: readonly string[];
  readonly threshold: Decimal;
  readonly minimumMonths: number;
}

/** The fair-use groups the tariffs define, with their plans. */
export function fairUseGroups(tariffs: TariffSet): FairUseGroup[] {
  const groups = new Map<string, { planIds: Set<string>; threshold: string; minimumMonths: number }>();
  for (const plan of tariffs.plans.values()) {
    for (const version of plan.versions) {
      if (!version.fairUse) continue;
      const g = groups.get(version.fairUse.group) ?? {
        planIds: new Set<string>(),
        threshold: version.fairUse.threshold,
        minimumMonths: version.fairUse.minimumMonths,
      };
      g.planIds.add(plan.id);
      groups.set(version.fairUse.group, g);
    }
  }
  return [...groups].map(([group, g]) => ({ group, planIds: [...g.planIds].sort(), threshold: new Decimal(g.threshold), minimumMonths: g.minimumMonths }));
}

export interface CustomerFairUse extends FairUseAssessment {
  readonly name: string;
  /** covered minutes by line (user) */
  readonly byUser: readonly { readonly line: string; readonly coveredSeconds: number }[];
  readonly calls: number;
  /** the covered calls at regular rates, ticks as a decimal string */
  readonly regularPriceTicks: string;
}

export interface FairUseGroupReport {
  readonly group: string;
  readonly threshold: string;
  readonly months: readonly string[];
  readonly customers: readonly CustomerFairUse[];
}

function windowMonths(period: Period, window: number): Period[] {
  const months = [period];
  while (months.length < window) months.unshift(previousPeriod(months[0]!));
  return months;
}

/** Assesses every customer of every fair-use group over the `window` months ending with `period`. */
export async function fairUseReport(database: Database, period: Period, window: number): Promise<FairUseGroupReport[]> {
  const tariffs = await loadStoredTariffs(database);
  const groups = fairUseGroups(tariffs);
  if (groups.length === 0) throw new InputError('no plan in the loaded tariffs has a fair-use rule (fairUse in plans.json)');
  for (const g of groups) {
    if (window < g.minimumMonths) {
      throw new InputError(`--window ${window}: fair use of ${g.group} is measured over ${g.minimumMonths} months or more`);
    }
  }
  const months = windowMonths(period, window);
  const from = periodStart(months[0]!);
  const to = periodEnd(period);
  const monthNames = months.map(formatPeriod);
  const terms = await loadAccountsActiveBetween(database.db, localDate(months[0]!), localDate(nextPeriod(period)));
  const reports: FairUseGroupReport[] = [];
  for (const g of groups) {
    const planIds = new Set(g.planIds);
    const users = months.flatMap((month) => {
      const start = localDate(month);
      const end = localDate(nextPeriod(month));
      const count = new Map<string, Set<string>>();
      for (const t of terms) {
        if (!planIds.has(t.planId) || t.validFrom >= end || (t.validTo !== null && t.validTo <= start)) continue;
        const lines = count.get(t.accountId) ?? new Set<string>();
        lines.add(t.line);
        count.set(t.accountId, lines);
      }
      return [...count].map(([accountId, lines]) => ({ accountId, month: formatPeriod(month), users: lines.size }));
    });
    const covered = await coveredByMonth(database.db, g.planIds, from, to);
    const assessments = assessFairUse({
      months: monthNames,
      usage: covered.map((c) => ({ accountId: c.accountId, month: c.month, coveredSeconds: c.coveredSeconds })),
      users,
      threshold: g.threshold,
      minimumMonths: g.minimumMonths,
    });
    const names = new Map(terms.map((t) => [t.accountId, t.name]));
    const customers = assessments.map((a): CustomerFairUse => {
      const rows = covered.filter((c) => c.accountId === a.accountId);
      const byLine = new Map<string, number>();
      for (const r of rows) byLine.set(r.line, (byLine.get(r.line) ?? 0) + r.coveredSeconds);
      return {
        ...a,
        name: names.get(a.accountId) ?? '',
        byUser: [...byLine].sort(([x], [y]) => x.localeCompare(y)).map(([line, coveredSeconds]) => ({ line, coveredSeconds })),
        calls: rows.reduce((n, r) => n + r.calls, 0),
        regularPriceTicks: rows.reduce((sum, r) => sum + BigInt(r.listPriceTicks), 0n).toString(),
      };
    });
    reports.push({ group: g.group, threshold: g.threshold.toString(), months: monthNames, customers });
  }
  return reports;
}

export interface AppliedFairUse {
  readonly group: string;
  readonly applied: boolean;
  readonly customer: CustomerFairUse;
  readonly months: readonly string[];
}

/**
 * Charges the calls the unlimited option covered in the window at regular rates, as one line on the
 * customer's next invoice. Refused for a customer within the fair-use line; applying again adds nothing.
 */
export async function applyFairUse(database: Database, period: Period, window: number, accountId: string, now: Date): Promise<AppliedFairUse[]> {
  const reports = await fairUseReport(database, period, window);
  const found = reports.flatMap((r) => r.customers.filter((c) => c.accountId === accountId).map((customer) => ({ report: r, customer })));
  if (found.length === 0) throw new InputError(`customer ${accountId} has no users on a plan with a fair-use rule in ${reports[0]?.months.join(', ')}`);
  const over = found.filter((f) => f.customer.overThreshold);
  if (over.length === 0) {
    const f = found[0]!;
    throw new InputError(
      `customer ${accountId} is within fair use of ${f.report.group}: ratio ${f.customer.ratio.toFixed(2)}, monthly ${f.customer.monthlyRatios.map((r) => r?.toFixed(2) ?? '-').join(' / ')}; over ${f.report.threshold}× in every month is excessive`,
    );
  }
  const results: AppliedFairUse[] = [];
  for (const { report, customer } of over) {
    const applied = await database.session((session) =>
      insertFairUseCharge(session, {
        account_id: accountId,
        fair_use_group: report.group,
        window_start: report.months[0]!,
        window_end: report.months[report.months.length - 1]!,
        calls: customer.calls,
        covered_seconds: customer.coveredSeconds,
        amount_ticks: customer.regularPriceTicks,
        ratio: customer.ratio.toFixed(4),
        applied_at: now,
      }),
    );
    results.push({ group: report.group, applied, customer, months: report.months });
  }
  return results;
}
