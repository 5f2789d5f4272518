/**
 * A month's history rewritten in account order (compactMonth): every call reads the same, the
 * month's totals and history pages too; the month lies in account order; what comes after it (a
 * duplicate re-sent, a late call) is handled as before; a swap kept waiting by a reader tries again.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callHistoryPageWithTotals } from '../../src/pipeline/call-history.js';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import type { Database } from '../../src/store/database.js';
import { compactMonth, isMonthCompacted } from '../../src/store/month-compaction-store.js';
import { tempDir, writeCanonicalFile } from '../support/files.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const NOW = new Date('2026-11-02T06:00:00Z');
const OCTOBER = { year: 2026, month: 10 };
const CDRS = readdirSync('fixtures/cdrs').map((f) => join('fixtures/cdrs', f));

const calls = (database: Database) => database.db.selectFrom('rated_call').selectAll().orderBy('source').orderBy('record_id').execute();
const totals = (database: Database) =>
  database.db
    .selectFrom('call_total')
    .selectAll()
    .orderBy('account_id')
    .orderBy('period')
    .orderBy('category')
    .orderBy('direction')
    .orderBy('answered')
    .execute();
/** The month's calls in the order they lie in its partition. */
const physicalOrder = async (database: Database) =>
  (await sql<{ account_id: string; started_at: Date }>`SELECT account_id, started_at FROM ONLY rated_call_2026_10 ORDER BY ctid`.execute(database.db)).rows;
const page = (database: Database, accountId: string) =>
  callHistoryPageWithTotals(database, { accountIds: [accountId], range: { period: OCTOBER } }, undefined, 3);

describe('compacting a month', () => {
  let current: TestDatabase;
  let before: Awaited<ReturnType<typeof calls>>;
  let totalsBefore: Awaited<ReturnType<typeof totals>>;
  let pageBefore: Awaited<ReturnType<typeof page>>;

  beforeAll(async () => {
    current = await createTestDatabase();
    await loadTariffs(current.database, 'tariffs', NOW);
    await loadCustomers(current.database, 'fixtures/customers.json');
    await ingestFiles(current.database, CDRS, { format: 'auto', now: NOW, ratingWorker: false });
    before = await calls(current.database);
    totalsBefore = await totals(current.database);
    pageBefore = await page(current.database, 'B-2001');
  });
  afterAll(async () => current?.drop());

  it('keeps every call, total and history page, and lays the month out in account order', async () => {
    const order = await physicalOrder(current.database);
    const sorted = [...order].sort((a, b) =>
      a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : a.started_at.getTime() - b.started_at.getTime(),
    );
    expect(order).not.toEqual(sorted); // the fixtures arrive in switch order

    expect(await isMonthCompacted(current.database, OCTOBER)).toBe(false);
    const done = await compactMonth(current.database, OCTOBER, NOW);
    expect(done).toEqual({ calls: before.length });
    expect(before.length).toBeGreaterThan(50);

    expect(await calls(current.database)).toEqual(before);
    expect(await totals(current.database)).toEqual(totalsBefore);
    expect(await page(current.database, 'B-2001')).toEqual(pageBefore);
    expect(await physicalOrder(current.database)).toEqual(sorted);
    const recorded = await current.database.db.selectFrom('month_compaction').selectAll().execute();
    expect(recorded.map((r) => ({ ...r, calls: Number(r.calls) }))).toEqual([{ period: '2026-10', compacted_at: NOW, calls: before.length }]);
    // the copy is the month's partition now, its indexes those of the history's
    const indexes = await sql<{ parent: string }>`
      SELECT h.inhparent::regclass::text AS parent FROM pg_index i JOIN pg_inherits h ON h.inhrelid = i.indexrelid
      WHERE i.indrelid = 'rated_call_2026_10'::regclass ORDER BY 1`.execute(current.database.db);
    expect(indexes.rows.map((r) => r.parent)).toEqual(['call_record_account_start', 'call_record_store_seq']);
  });

  it('takes the month as before afterwards: a file sent again is all duplicates, a late call is stored', async () => {
    const again = await ingestFiles(current.database, [CDRS[0]!], { format: 'auto', now: NOW, ratingWorker: false });
    expect(again[0]!.rated).toBe(0);
    expect(again[0]!.duplicates).toBeGreaterThan(0);
    const dir = tempDir();
    const late = writeCanonicalFile(dir, 'late.csv', ['late-0001,2026-10-31T22:10:00+01:00,61,+31201234567,0201112233,outgoing,+31201234567,fixed,']);
    const [report] = await ingestFiles(current.database, [late], { format: 'auto', now: NOW, ratingWorker: false });
    expect(report!.rated).toBe(1);
    expect((await calls(current.database)).length).toBe(before.length + 1);
    // compacted again, the late call takes its place among its account's calls
    expect(await compactMonth(current.database, OCTOBER, NOW)).toEqual({ calls: before.length + 1 });
    const order = await physicalOrder(current.database);
    expect(order.map((c) => c.account_id)).toEqual(order.map((c) => c.account_id).sort());
  });

  it('has nothing to do for a month without calls', async () => {
    expect(await compactMonth(current.database, { year: 2025, month: 3 }, NOW)).toBeUndefined();
    expect(await isMonthCompacted(current.database, { year: 2025, month: 3 })).toBe(false);
  });

  it.runIf(TEST_BACKEND === 'postgres')('waits for a long reader of the history and swaps once it is done, without holding up the others', async () => {
    const reader = new pg.Client({ connectionString: current.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM call_record');
      const compaction = compactMonth(current.database, OCTOBER, NOW, { lockTimeoutMs: 100, swapAttempts: 10 });
      await new Promise((resolve) => setTimeout(resolve, 700));
      // meanwhile other readers are served (the waiting swap gave up its place in the queue)
      expect((await calls(current.database)).length).toBe(before.length + 1);
      await reader.query('COMMIT');
      expect(await compaction).toEqual({ calls: before.length + 1 });
    } finally {
      await reader.end();
    }
  });
});
