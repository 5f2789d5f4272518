import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal, ticksToEuros } from '../../src/domain/money.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/plausibility.js';
import { applyFairUse, fairUseReport } from '../../src/pipeline/fair-use.js';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { issueInvoices } from '../../src/pipeline/issue-invoices.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';
import { tempDir, writeCanonicalFile } from '../support/files.js';

const NOW = new Date('2026-10-02T06:00:00Z');
const MONTHS = ['2026-06', '2026-07', '2026-08', '2026-09'];
const dir = tempDir();

/**
 * 51 HIP Onbeperkt customers over four months: 47 ordinary 2-user PBXs (600 min per user a month),
 * a 20-user PBX just as ordinary per user, two heavy 2-user PBXs (3000 min per user every month),
 * and one 2-user PBX heavy only in August (6000 min per user).
 */
function population() {
  const accounts: { id: string; users: number; minutes: (month: string) => number }[] = [];
  for (let i = 0; i < 47; i++) accounts.push({ id: `N-${String(i).padStart(2, '0')}`, users: 2, minutes: () => 600 });
  accounts.push({ id: 'BIG', users: 20, minutes: () => 600 });
  accounts.push({ id: 'HEAVY-1', users: 2, minutes: () => 3000 });
  accounts.push({ id: 'HEAVY-2', users: 2, minutes: () => 3000 });
  accounts.push({ id: 'SPIKE', users: 2, minutes: (m) => (m === '2026-08' ? 6000 : 600) });
  let next = 1000000;
  const customers = accounts.map((a) => ({
    id: a.id,
    name: `Bedrijf ${a.id}`,
    segment: 'business',
    lines: Array.from({ length: a.users }, () => ({ number: `+3120${next++}`, plan: 'hip-onbeperkt', from: '2026-01-01' })),
  }));
  const cdrs: string[] = [];
  for (const [i, a] of accounts.entries()) {
    for (const line of customers[i]!.lines) {
      for (const month of MONTHS) {
        const seconds = a.minutes(month) * 60;
        cdrs.push(`fu-${line.number}-${month},${month}-10T10:00:00+02:00,${seconds},${line.number},0101234567,outgoing,${line.number},fixed,`);
      }
    }
  }
  return { customers, cdrs };
}

describe(`fair use on a synthetic population (${TEST_BACKEND})`, () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
    await loadTariffs(test.database, 'tariffs', NOW);
    const { customers, cdrs } = population();
    const file = `${dir}/customers.json`;
    writeFileSync(file, JSON.stringify({ accounts: customers }));
    await loadCustomers(test.database, file);
    // a month of a user's calls is one record here: longer than a real call may be
    const limits = { ...DEFAULT_INGEST_LIMITS, maxCallSeconds: 31 * 86_400 };
    await ingestFiles(test.database, [writeCanonicalFile(dir, 'calls.csv', cdrs)], { format: 'auto', now: NOW, limits });
  });
  afterAll(async () => test?.drop());

  it('flags exactly the heavy customers, per user, with their ratios', async () => {
    const [report] = await fairUseReport(test.database, { year: 2026, month: 9 }, 3);
    expect(report!.months).toEqual(['2026-07', '2026-08', '2026-09']);
    expect(report!.customers).toHaveLength(51);
    expect(report!.customers.filter((c) => c.overThreshold).map((c) => c.accountId)).toEqual(['HEAVY-1', 'HEAVY-2']);
    // per user-month: July and September 81,600 min / 120 users = 680; August 92,400 / 120 = 770
    const average = new Decimal(81_600 * 2 + 92_400).div(360);
    const heavy = report!.customers.find((c) => c.accountId === 'HEAVY-1')!;
    expect(heavy.averageMinutesPerUser.equals(average)).toBe(true);
    expect(heavy.ratio.equals(new Decimal(3000).div(average))).toBe(true);
    expect(heavy.monthlyRatios.map((r) => r!.toFixed(4))).toEqual(
      [new Decimal(3000).div(680), new Decimal(3000).div(770), new Decimal(3000).div(680)].map((d) => d.toFixed(4)),
    );
    expect(heavy.byUser).toHaveLength(2);
    const spike = report!.customers.find((c) => c.accountId === 'SPIKE')!;
    expect(spike.overThreshold).toBe(false);
    expect(spike.monthlyRatios[1]!.greaterThan(3)).toBe(true);
    const big = report!.customers.find((c) => c.accountId === 'BIG')!;
    expect(big).toMatchObject({ users: 20, overThreshold: false });
    expect(big.coveredSeconds).toBe(20 * 600 * 60 * 3);
  });

  it('refuses a window shorter than three months', async () => {
    await expect(fairUseReport(test.database, { year: 2026, month: 9 }, 2)).rejects.toThrow(
      /--window 2: fair use of hip-onbeperkt is measured over 3 months or more/,
    );
  });

  it('charges the regular price of the covered calls once, on the next invoice', async () => {
    await expect(applyFairUse(test.database, { year: 2026, month: 9 }, 3, 'SPIKE', NOW)).rejects.toThrow(/SPIKE is within fair use/);
    const [first] = await applyFairUse(test.database, { year: 2026, month: 9 }, 3, 'HEAVY-1', NOW);
    expect(first!.applied).toBe(true);
    // 2 users × 3 months × 3000 min at 0.02 EUR a minute (30/1 increments, no setup fee) = 360 EUR
    expect(ticksToEuros(first!.customer.regularPriceTicks).toFixed(2)).toBe('360.00');
    const [second] = await applyFairUse(test.database, { year: 2026, month: 9 }, 3, 'HEAVY-1', NOW);
    expect(second!.applied).toBe(false);
    const rows = await test.database.db.selectFrom('fair_use_charge').selectAll().execute();
    expect(rows).toHaveLength(1);
    const issued = await issueInvoices(test.database, { year: 2026, month: 9 }, { issueDate: '2026-10-01', now: new Date('2026-10-01T12:00:00Z') });
    const invoice = issued.find((i) => i.invoice.account.id === 'HEAVY-1')!.invoice;
    const line = invoice.lines.find((l) => l.type === 'fair_use')!;
    expect(line).toMatchObject({
      amount: '360.00',
      calls: 6,
      description: expect.stringMatching(/^Fair use hip-onbeperkt 2026-07 t\/m 2026-09: 6 gesprekken/),
    });
    const others = issued.filter((i) => i.invoice.account.id !== 'HEAVY-1');
    expect(others.every((i) => i.invoice.lines.every((l) => l.type !== 'fair_use'))).toBe(true);
    // on the invoice now: applying again still adds nothing, and the next invoice has no fair-use line
    expect((await applyFairUse(test.database, { year: 2026, month: 9 }, 3, 'HEAVY-1', NOW))[0]!.applied).toBe(false);
    const october = await issueInvoices(test.database, { year: 2026, month: 10 }, { issueDate: '2026-11-01', now: new Date('2026-11-01T12:00:00Z') });
    expect(october.find((i) => i.invoice.account.id === 'HEAVY-1')!.invoice.lines.some((l) => l.type === 'fair_use')).toBe(false);
  });
});
