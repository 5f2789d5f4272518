import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/money.js';
import { assessFairUse, type MonthlyUsage, type MonthlyUsers } from './assess-fair-use.js';

const MONTHS = ['2026-07', '2026-08', '2026-09'];

function population(extra: { usage: MonthlyUsage[]; users: MonthlyUsers[] } = { usage: [], users: [] }) {
  const usage: MonthlyUsage[] = [...extra.usage];
  const users: MonthlyUsers[] = [...extra.users];
  for (let i = 0; i < 20; i++) {
    for (const month of MONTHS) {
      usage.push({ accountId: `N-${i}`, month, coveredSeconds: 2 * 600 * 60 }); // 2 users × 600 min
      users.push({ accountId: `N-${i}`, month, users: 2 });
    }
  }
  return { months: MONTHS, usage, users, threshold: new Decimal(3), minimumMonths: 3 };
}

describe('assessFairUse', () => {
  it('compares per user, month by month, and flags only sustained excess', () => {
    const heavy = MONTHS.flatMap((month) => [
      { usage: { accountId: 'HEAVY', month, coveredSeconds: 10 * 5000 * 60 }, users: { accountId: 'HEAVY', month, users: 10 } },
    ]);
    const spike = MONTHS.map((month, i) => ({
      usage: { accountId: 'SPIKE', month, coveredSeconds: (i === 1 ? 20_000 : 500) * 60 },
      users: { accountId: 'SPIKE', month, users: 1 },
    }));
    const big = MONTHS.map((month) => ({
      usage: { accountId: 'BIG-PBX', month, coveredSeconds: 50 * 700 * 60 },
      users: { accountId: 'BIG-PBX', month, users: 50 },
    }));
    const all = [...heavy, ...spike, ...big];
    const result = assessFairUse(population({ usage: all.map((x) => x.usage), users: all.map((x) => x.users) }));
    const by = new Map(result.map((r) => [r.accountId, r]));
    expect(by.get('HEAVY')!.overThreshold).toBe(true);
    expect(by.get('SPIKE')!.overThreshold).toBe(false); // heavy in one month of three
    expect(by.get('BIG-PBX')!.overThreshold).toBe(false); // many minutes, but ordinary per user
    expect(result.filter((r) => r.overThreshold).map((r) => r.accountId)).toEqual(['HEAVY']);
    // the spike's window ratio is the highest of all, yet two of its months are ordinary
    expect(result[0]!.accountId).toBe('SPIKE');
    expect(by.get('SPIKE')!.ratio.greaterThan(3)).toBe(true);
    expect(by.get('SPIKE')!.monthlyRatios.map((r) => r!.greaterThan(3))).toEqual([false, true, false]);
    // per-user average over the window: (20×2×600×3 + 10×5000×3 + …) / user-months
    const totalMinutes = 20 * 2 * 600 * 3 + 10 * 5000 * 3 + (500 + 20_000 + 500) + 50 * 700 * 3;
    const userMonths = 20 * 2 * 3 + 10 * 3 + 3 + 50 * 3;
    const average = new Decimal(totalMinutes).div(userMonths);
    expect(by.get('HEAVY')!.averageMinutesPerUser.equals(average)).toBe(true);
    expect(by.get('HEAVY')!.ratio.equals(new Decimal(5000).div(average))).toBe(true);
  });

  it('does not flag anyone in a window shorter than the minimum', () => {
    const heavy = [{ accountId: 'HEAVY', month: '2026-09', coveredSeconds: 100_000 * 60 }];
    const result = assessFairUse({
      ...population(),
      months: ['2026-08', '2026-09'],
      usage: heavy,
      users: [
        { accountId: 'HEAVY', month: '2026-09', users: 1 },
        { accountId: 'N', month: '2026-09', users: 1 },
      ],
    });
    expect(result.every((r) => !r.overThreshold)).toBe(true);
  });
});
