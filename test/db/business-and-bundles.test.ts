import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import type { Database } from '../../src/store/database.js';
import { callTotalsDrift } from '../support/call-totals.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';
import { tempDir, writeCanonicalFile } from '../support/files.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const EUR = 60_000_000; // ticks per euro
const dir = tempDir();

async function prepared(): Promise<TestDatabase> {
  const test = await createTestDatabase();
  await loadTariffs(test.database, 'tariffs', NOW);
  await loadCustomers(test.database, 'test/fixtures/business-customers.json');
  return test;
}

async function ingest(database: Database, name: string, lines: string[]) {
  const [report] = await ingestFiles(database, [writeCanonicalFile(dir, name, lines)], { format: 'canonical', now: NOW });
  return report!;
}

async function calls(database: Database) {
  const rows = await database.db
    .selectFrom('rated_call')
    .select(['record_id', 'category', 'billed_seconds', 'list_price_ticks', 'charged_ticks', 'covered_seconds', 'allowance', 'plan_id'])
    .orderBy('record_id')
    .execute();
  return new Map(rows.map((r) => [r.record_id, r]));
}

const VAMO = '+31201110002';
// A Vast-Mobiel user's mobile calls: 60 + 60 + 60 minutes national against a 150-minute bundle.
const MOBILE_CALLS = [
  `m-1,2026-10-05T10:00:00+02:00,3600,${VAMO},0201234567,outgoing,${VAMO},mobile,`,
  `m-2,2026-10-06T10:00:00+02:00,3600,${VAMO},0612345678,outgoing,${VAMO},mobile,`,
  `m-3,2026-10-07T10:00:00+02:00,3600,${VAMO},0301234567,outgoing,${VAMO},mobile,`,
  `m-4,2026-10-08T10:00:00+02:00,600,${VAMO},0049301234567,outgoing,${VAMO},mobile,`,
  `m-5,2026-10-09T10:00:00+02:00,120,${VAMO},0612345678,outgoing,${VAMO},mobile,`,
];

describe(`business plans and bundles on ${TEST_BACKEND}`, () => {
  let test: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    test = await prepared();
    database = test.database;
  });
  afterAll(async () => test?.drop());

  it('HIP Onbeperkt covers Dutch fixed and mobile from a fixed device, not international or 0900', async () => {
    const line = '+31201110001';
    const report = await ingest(database, 'hip.csv', [
      `h-1,2026-10-05T10:00:00+02:00,300,${line},0101234567,outgoing,${line},fixed,`,
      `h-2,2026-10-05T10:10:00+02:00,300,${line},0612345678,outgoing,${line},fixed,`,
      `h-3,2026-10-05T10:20:00+02:00,300,${line},0851234567,outgoing,${line},fixed,`,
      `h-4,2026-10-05T10:30:00+02:00,300,${line},0044201234567,outgoing,${line},fixed,`,
      `h-5,2026-10-05T10:40:00+02:00,300,${line},09001234,outgoing,${line},fixed,`,
      `h-6,2026-10-05T10:50:00+02:00,300,+31301110001,0612345678,outgoing,+31301110001,fixed,`,
    ]);
    expect(report.rejected).toBe(0);
    const c = await calls(database);
    expect(c.get('h-1')).toMatchObject({ allowance: 'unlimited', charged_ticks: '0', covered_seconds: 300 });
    expect(c.get('h-2')).toMatchObject({ allowance: 'unlimited', charged_ticks: '0' });
    expect(c.get('h-3')).toMatchObject({ category: 'national', allowance: 'unlimited', charged_ticks: '0' });
    expect(Number(c.get('h-1')!.list_price_ticks)).toBe(300 * 20_000); // list price kept: 0.02/min
    expect(c.get('h-4')).toMatchObject({ allowance: null, charged_ticks: String(300 * 40_000) });
    expect(c.get('h-5')).toMatchObject({ allowance: null, charged_ticks: String(0.045 * EUR + 5 * 0.8 * EUR) });
    // the same call on HIP Per Minuut is charged
    expect(c.get('h-6')).toMatchObject({ plan_id: 'hip-per-minuut', charged_ticks: String(300 * 70_000) });
  });

  it("rates a Vast-Mobiel user's mobile calls under the mobile plan, exhausting the 150-minute bundle mid-call", async () => {
    await ingest(database, 'vamo.csv', MOBILE_CALLS);
    const c = await calls(database);
    expect(c.get('m-1')).toMatchObject({ plan_id: 'zakelijk-mobiel-150', allowance: 'bundle:nl-150', covered_seconds: 3600, charged_ticks: '0' });
    expect(c.get('m-2')).toMatchObject({ covered_seconds: 3600, charged_ticks: '0' });
    // 30 of the third call's 60 minutes are left in the bundle; the rest at 0.10/min
    expect(c.get('m-3')).toMatchObject({ covered_seconds: 1800, charged_ticks: String(3 * EUR) });
    // international is not in the bundle
    expect(c.get('m-4')).toMatchObject({ allowance: null, covered_seconds: 0, charged_ticks: String(600 * 250_000) });
    expect(c.get('m-5')).toMatchObject({ covered_seconds: 0, charged_ticks: String(120 * 100_000) });
  });

  it('a call from the same user on the fixed device is free under HIP Onbeperkt', async () => {
    await ingest(database, 'vamo-fixed.csv', [`f-1,2026-10-07T12:00:00+02:00,600,${VAMO},0301234567,outgoing,${VAMO},fixed,`]);
    expect((await calls(database)).get('f-1')).toMatchObject({ plan_id: 'hip-onbeperkt', allowance: 'unlimited', charged_ticks: '0' });
  });

  it('bills a forwarded leg to the forwarding line: free to a fixed number, charged to a mobile one', async () => {
    const line = '+31104440001';
    await ingest(database, 'forward.csv', [
      `fw-1,2026-10-12T09:00:00+02:00,240,+31201239876,0201234567,outgoing,${line},fixed,${line}`,
      `fw-2,2026-10-12T09:10:00+02:00,240,+31201239876,0612345678,outgoing,${line},fixed,${line}`,
    ]);
    const c = await calls(database);
    expect(c.get('fw-1')).toMatchObject({ category: 'national', allowance: 'unlimited', charged_ticks: '0' });
    expect(c.get('fw-2')).toMatchObject({ category: 'mobile', allowance: null, charged_ticks: String(0.045 * EUR + 4 * 0.09 * EUR) });
  });
});

describe(`bundle allocation does not depend on ingest order or split (${TEST_BACKEND})`, () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([prepared(), prepared()]);
  });
  afterAll(async () => {
    await a?.drop();
    await b?.drop();
  });

  it('gives every call the same charge whether the month comes in one file or reversed in pieces', async () => {
    await ingest(a.database, 'all.csv', MOBILE_CALLS);
    const reversed = [...MOBILE_CALLS].reverse();
    await ingest(b.database, 'part-1.csv', reversed.slice(0, 2));
    await ingest(b.database, 'part-2.csv', reversed.slice(2, 3));
    await ingest(b.database, 'part-3.csv', reversed.slice(3));
    const [inA, inB] = [await calls(a.database), await calls(b.database)];
    expect([...inB.entries()]).toEqual([...inA.entries()]);
    expect(inB.get('m-3')!.covered_seconds).toBe(1800);
  });
});

describe(`rerate after a tariff correction (${TEST_BACKEND})`, () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await prepared();
  });
  afterAll(async () => test?.drop());

  it('re-prices with the corrected tariffs, reallocates bundles, and changes nothing the second time', async () => {
    const { database } = test;
    const { reratePeriod } = await import('../../src/pipeline/rerate-period.js');
    const { cpSync, readFileSync, writeFileSync } = await import('node:fs');
    await ingest(database, 'vamo.csv', MOBILE_CALLS);
    const corrected = `${dir}/tariffs-corrected`;
    cpSync('tariffs', corrected, { recursive: true });
    const deck = `${corrected}/rate-decks/zakelijk-mobiel/2026-01-01.csv`;
    writeFileSync(deck, readFileSync(deck, 'utf8').replace('mobile,Nationaal mobiel,0.1000', 'mobile,Nationaal mobiel,0.1200'));
    await loadTariffs(database, corrected, NOW);
    const report = await reratePeriod(database, { year: 2026, month: 10 });
    expect(report.examined).toBe(5);
    expect(report.changed).toBe(2); // m-2 and m-5 go to mobile numbers
    const c = await calls(database);
    expect(c.get('m-2')).toMatchObject({ covered_seconds: 3600, charged_ticks: '0', list_price_ticks: String(3600 * 120_000) });
    expect(c.get('m-3')).toMatchObject({ covered_seconds: 1800, charged_ticks: String(3 * EUR) });
    expect(c.get('m-5')).toMatchObject({ charged_ticks: String(120 * 120_000) });
    expect(report.accounts).toEqual([
      { accountId: 'B-2001', chargedBefore: String(3 * EUR + 600 * 250_000 + 120 * 100_000), chargedAfter: String(3 * EUR + 600 * 250_000 + 120 * 120_000) },
    ]);
    const again = await reratePeriod(database, { year: 2026, month: 10 });
    expect(again).toMatchObject({ examined: 5, changed: 0, accounts: [] });
    expect(await callTotalsDrift(database)).toEqual([]);
  });
});

describe(`property: bundle allocation is the same for any order and split of the month (${TEST_BACKEND})`, () => {
  it('holds for random permutations and splits', async () => {
    const fc = (await import('fast-check')).default;
    const line = VAMO;
    const month = Array.from({ length: 12 }, (_, i) => {
      const day = String(1 + ((i * 7) % 28)).padStart(2, '0');
      const minutes = 5 + ((i * 37) % 40);
      return `p-${String(i).padStart(2, '0')},2026-10-${day}T${String(8 + (i % 10)).padStart(2, '0')}:15:00+02:00,${minutes * 60 + (i % 3) * 17},${line},0612345678,outgoing,${line},mobile,`;
    });
    const reference = await prepared();
    await ingest(reference.database, 'reference.csv', month);
    const expected = [...(await calls(reference.database)).entries()];
    expect(expected.some(([, c]) => c.covered_seconds > 0 && c.covered_seconds < c.billed_seconds)).toBe(true);
    await reference.drop();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(month, { minLength: month.length, maxLength: month.length }),
        fc.array(fc.integer({ min: 1, max: 11 }), { maxLength: 3 }),
        async (order, cuts) => {
          const test = await prepared();
          try {
            const points = [...new Set(cuts)].sort((x, y) => x - y);
            let start = 0;
            for (const cut of [...points, order.length]) {
              if (cut > start) await ingest(test.database, `run-${run}-${start}.csv`, order.slice(start, cut));
              start = cut;
            }
            run++;
            expect([...(await calls(test.database)).entries()]).toEqual(expected);
          } finally {
            await test.drop();
          }
        },
      ),
      { numRuns: 4 },
    );
  });
});
