/**
 * Recurring charges of an account for a period: residential plan fees of its lines, and the
 * catalogue items (licences, options, number blocks) it holds, each prorated by day for a
 * mid-month start or end, at the price in force on the first day charged.
 */
import { amsterdamMidnightUtc } from '../domain/amsterdam-time.js';
import { daysInPeriod, formatPeriod, type Period } from '../domain/period.js';
import { versionAt, type TariffSet } from '../tariffs/tariff-set.js';
import type { RecurringCharge } from './build-invoice.js';

/** A dated thing to pay for: local dates, `validTo` exclusive. */
interface Dated {
  readonly validFrom: string;
  readonly validTo: string | null;
}

export interface LineTerm extends Dated {
  readonly line: string;
  readonly planId: string;
}

export interface ItemTerm extends Dated {
  readonly itemId: string;
  readonly label: string;
  readonly pbxName: string | null;
}

function dayOfPeriod(date: string, period: Period, total: number): number {
  const [y, m, d] = date.split('-').map(Number);
  if (y! * 12 + m! < period.year * 12 + period.month) return 1;
  if (y! * 12 + m! > period.year * 12 + period.month) return total + 1;
  return d!;
}

/** The days of the period a dated term covers, and the instant of its first day. */
function coverage(term: Dated, period: Period): { days: number; firstDayMs: number } {
  const total = daysInPeriod(period);
  const firstDay = dayOfPeriod(term.validFrom, period, total);
  const endDay = term.validTo ? dayOfPeriod(term.validTo, period, total) : total + 1;
  return { days: Math.max(0, endDay - firstDay), firstDayMs: amsterdamMidnightUtc(period.year, period.month, firstDay).getTime() };
}

/**
 * One charge per term that covers days of the period, priced by `price` at the version in force on
 * the first day charged (undefined: no charge).
 */
function chargesFor<T extends Dated>(
  terms: readonly T[],
  period: Period,
  price: (term: T, firstDayMs: number) => Omit<RecurringCharge, 'days'> | undefined,
): RecurringCharge[] {
  const charges: RecurringCharge[] = [];
  for (const term of terms) {
    const { days, firstDayMs } = coverage(term, period);
    if (days <= 0) continue;
    const charge = price(term, firstDayMs);
    if (charge) charges.push({ ...charge, days });
  }
  return charges;
}

/** Plan fees of the lines (plans without a fee, such as business call plans, give no line). */
export function planFeeCharges(terms: readonly LineTerm[], tariffs: TariffSet, period: Period): RecurringCharge[] {
  return chargesFor(terms, period, (term, firstDayMs) => {
    const plan = tariffs.plans.get(term.planId);
    const version = plan && versionAt(plan.versions, firstDayMs);
    if (!plan || !version) throw new Error(`plan "${term.planId}" has no version in force in ${formatPeriod(period)} (line ${term.line})`);
    return version.monthlyFeeMicros === 0
      ? undefined
      : { description: `${plan.name} ${term.line}`, product: plan.id, productKind: 'plan', monthlyFeeMicros: version.monthlyFeeMicros };
  });
}

/** Catalogue items held in the period. */
export function itemCharges(terms: readonly ItemTerm[], tariffs: TariffSet, period: Period): RecurringCharge[] {
  return chargesFor(terms, period, (term, firstDayMs) => {
    const item = tariffs.catalogue.get(term.itemId);
    const version = item && versionAt(item.versions, firstDayMs);
    if (!item || !version) throw new Error(`catalogue item "${term.itemId}" has no price in force in ${formatPeriod(period)}`);
    return {
      description: `${item.name} – ${term.label}`,
      product: item.id,
      productKind: item.kind,
      monthlyFeeMicros: version.monthlyFeeMicros,
      ...(term.pbxName ? { group: term.pbxName } : {}),
    };
  });
}
