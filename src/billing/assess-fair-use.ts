/**
 * Fair use of an unlimited option (HIP Onbeperkt 7.5.1): a customer uses it excessively when, over a
 * window of three or more months, it called more than `threshold` times the average of all
 * customers of the same fair-use group. Minutes are compared per user (per user-month), so that a
 * 50-user PBX is not measured against a 2-user one, and month by month: the excess must hold in
 * every month of the window, so one heavy month is not excessive use.
 *
 * Pure: usage and user counts come in; ratios are exact decimals.
 */
import { Decimal } from '../domain/money.js';

export interface MonthlyUsage {
  readonly accountId: string;
  /** YYYY-MM */
  readonly month: string;
  /** seconds the unlimited option covered */
  readonly coveredSeconds: number;
}

export interface MonthlyUsers {
  readonly accountId: string;
  readonly month: string;
  /** users (lines) on a plan of the group during the month */
  readonly users: number;
}

export interface FairUseAssessment {
  readonly accountId: string;
  /** the most users in a month of the window */
  readonly users: number;
  readonly coveredSeconds: number;
  /** covered minutes per user-month */
  readonly minutesPerUser: Decimal;
  /** the group's covered minutes per user-month over the window */
  readonly averageMinutesPerUser: Decimal;
  /** minutesPerUser / averageMinutesPerUser */
  readonly ratio: Decimal;
  /** the same ratio month by month; null where the month has no usage in the group */
  readonly monthlyRatios: readonly (Decimal | null)[];
  readonly overThreshold: boolean;
}

export interface FairUseInput {
  readonly months: readonly string[];
  readonly usage: readonly MonthlyUsage[];
  readonly users: readonly MonthlyUsers[];
  readonly threshold: Decimal;
  readonly minimumMonths: number;
}

const ZERO = new Decimal(0);

function perUser(seconds: number, userMonths: number): Decimal {
  return userMonths === 0 ? ZERO : new Decimal(seconds).div(60).div(userMonths);
}

/** Assesses every customer with users in the group, highest ratio first (then by account id). */
export function assessFairUse(input: FairUseInput): FairUseAssessment[] {
  const key = (accountId: string, month: string) => `${accountId}\u0000${month}`;
  const seconds = new Map<string, number>();
  for (const u of input.usage) seconds.set(key(u.accountId, u.month), (seconds.get(key(u.accountId, u.month)) ?? 0) + u.coveredSeconds);
  const users = new Map<string, number>();
  const accounts = new Set<string>();
  for (const u of input.users) {
    users.set(key(u.accountId, u.month), u.users);
    if (u.users > 0) accounts.add(u.accountId);
  }
  const monthTotals = input.months.map((month) => {
    let s = 0;
    let n = 0;
    for (const accountId of accounts) {
      s += seconds.get(key(accountId, month)) ?? 0;
      n += users.get(key(accountId, month)) ?? 0;
    }
    return { seconds: s, users: n };
  });
  const windowAverage = perUser(
    monthTotals.reduce((a, m) => a + m.seconds, 0),
    monthTotals.reduce((a, m) => a + m.users, 0),
  );
  const result: FairUseAssessment[] = [];
  for (const accountId of accounts) {
    let covered = 0;
    let userMonths = 0;
    let maxUsers = 0;
    const monthlyRatios = input.months.map((month, i) => {
      const s = seconds.get(key(accountId, month)) ?? 0;
      const n = users.get(key(accountId, month)) ?? 0;
      covered += s;
      userMonths += n;
      maxUsers = Math.max(maxUsers, n);
      const average = perUser(monthTotals[i]!.seconds, monthTotals[i]!.users);
      return n === 0 || average.isZero() ? null : perUser(s, n).div(average);
    });
    const minutesPerUser = perUser(covered, userMonths);
    const ratio = windowAverage.isZero() ? ZERO : minutesPerUser.div(windowAverage);
    const overThreshold = input.months.length >= input.minimumMonths && monthlyRatios.every((r) => r?.greaterThan(input.threshold));
    result.push({
      accountId,
      users: maxUsers,
      coveredSeconds: covered,
      minutesPerUser,
      averageMinutesPerUser: windowAverage,
      ratio,
      monthlyRatios,
      overThreshold,
    });
  }
  return result.sort((a, b) => b.ratio.comparedTo(a.ratio) || a.accountId.localeCompare(b.accountId));
}
