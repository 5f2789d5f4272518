/**
 * Monthly plan fees of an account's lines for a period, prorated by day for mid-month starts and ends.
 */
import { daysInPeriod, formatPeriod, type Period } from '../domain/period.js';
import { amsterdamMidnightUtc } from '../domain/amsterdam-time.js';
import { versionAt, type TariffSet } from '../tariffs/tariff-set.js';
import type { RecurringCharge } from './build-invoice.js';

export interface LineTerm {
  readonly line: string;
  readonly planId: string;
  /** local dates, `to` exclusive */
  readonly validFrom: string;
  readonly validTo: string | null;
}

function dayOfPeriod(date: string, period: Period, total: number): number {
  const [y, m, d] = date.split('-').map(Number);
  if (y! * 12 + m! < period.year * 12 + period.month) return 1;
  if (y! * 12 + m! > period.year * 12 + period.month) return total + 1;
  return d!;
}

/** One charge per line term overlapping the period. */
export function recurringCharges(terms: readonly LineTerm[], tariffs: TariffSet, period: Period): RecurringCharge[] {
  const total = daysInPeriod(period);
  const charges: RecurringCharge[] = [];
  for (const term of terms) {
    const firstDay = dayOfPeriod(term.validFrom, period, total);
    const endDay = term.validTo ? dayOfPeriod(term.validTo, period, total) : total + 1;
    const days = endDay - firstDay;
    if (days <= 0) continue;
    const plan = tariffs.plans.get(term.planId);
    const at = amsterdamMidnightUtc(period.year, period.month, firstDay).getTime();
    const version = plan && versionAt(plan.versions, at);
    if (!plan || !version) throw new Error(`plan "${term.planId}" has no version in force in ${formatPeriod(period)} (line ${term.line})`);
    charges.push({ description: `${plan.name} ${term.line}`, monthlyFeeMicros: version.monthlyFeeMicros, days });
  }
  return charges;
}
