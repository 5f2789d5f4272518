/**
 * Rating in a worker thread (the compiled worker, as the CLI runs it) stores exactly what rating
 * inline does: the same calls, rejects, duplicates and report, whatever the batch size.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import type { Database } from '../../src/store/database.js';
import { bwCall } from '../support/switch-rows.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { tempDir } from '../support/files.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const WORKER = new URL('../../dist/src/pipeline/rating-worker.js', import.meta.url);
const dir = tempDir();
const USERS = ['+31201110001', '+31201110002', '+31301110001', '+31301110002'];
const DIALLED = ['0612345678', '0101234567', '0044201234567', '09001234', '0201234567', '112', '+31301110002', '0800123'];

/** 600 calls of four users, a few unknown lines and damaged records among them, between interval markers. */
function broadworksMonth(): string {
  const lines = ['version=22.0 encoding=ISO-8859-1', '0000000001xms20261005100000.0001+020000,,Start'];
  for (let i = 0; i < 600; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const start = `202610${day}${String(8 + (i % 12)).padStart(2, '0')}1500.000`;
    const user = i % 97 === 0 ? '+31209999999' : USERS[i % USERS.length]!;
    const row = bwCall({
      id: `w-${i}`,
      user,
      direction: i % 5 === 0 ? 'Terminating' : 'Originating',
      calling: user,
      called: DIALLED[i % DIALLED.length]!,
      start,
      zone: day < '25' ? '1+020000' : '0+010000',
      answer: i % 7 === 0 ? undefined : start,
      release: start.replace(/1500\.000$/, `${String(16 + (i % 40)).padStart(2, '0')}00.000`),
      answered: i % 7 === 0 ? 'No' : 'Yes',
    });
    lines.push(i % 101 === 0 ? row.slice(0, 60) : row);
  }
  lines.push('0000000099xms20261031230000.0000+010000,,End');
  const path = `${dir}/month.csv`;
  writeFileSync(path, `${lines.join('\n')}\n`, 'latin1');
  return path;
}

async function prepared(): Promise<TestDatabase> {
  const test = await createTestDatabase();
  await loadTariffs(test.database, 'tariffs', NOW);
  await loadCustomers(test.database, 'test/fixtures/business-customers.json');
  return test;
}

const stored = async (database: Database) => ({
  calls: await database.db.selectFrom('rated_call').selectAll().orderBy('record_id').execute(),
  rejects: await database.db.selectFrom('cdr_reject').select(['line_no', 'reason', 'detail', 'raw', 'file_name', 'format']).orderBy('line_no').execute(),
  files: await database.db
    .selectFrom('ingest_file')
    .select(['source', 'file_name', 'lines_read', 'rated', 'rejected', 'duplicates', 'skipped'])
    .orderBy('id')
    .execute(),
});

describe('rating in a worker thread', () => {
  let inline: TestDatabase;
  let worker: TestDatabase;
  const month = broadworksMonth();
  const badHeader = `${dir}/bad.csv`;

  beforeAll(async () => {
    expect(existsSync(fileURLToPath(WORKER)), 'the compiled worker (npm run build)').toBe(true);
    writeFileSync(badHeader, 'record_id,started_at,oops\nx,y,z\n');
    [inline, worker] = await Promise.all([prepared(), prepared()]);
  });
  afterAll(async () => {
    await inline?.drop();
    await worker?.drop();
  });

  it('stores the same calls, rejects and counts as rating inline, in batches of any size', async () => {
    const files = [badHeader, month, month];
    const fromInline = await ingestFiles(inline.database, files, { format: 'auto', now: NOW, ratingWorker: false });
    const fromWorker = await ingestFiles(worker.database, files, { format: 'auto', now: NOW, ratingWorker: WORKER, batchSize: 7 });
    expect(fromWorker).toEqual(fromInline);
    expect(fromWorker[0]!.fileError).toMatch(/^line 1: /);
    const [first, again] = [fromWorker[1]!, fromWorker[2]!];
    expect(first).toMatchObject({ format: 'broadworks', encoding: 'latin1', read: 603, skipped: 3 });
    expect(first.rated).toBeGreaterThan(500);
    expect(first.rejected).toBeGreaterThan(5);
    expect(first.read).toBe(first.rated + first.rejected + first.duplicates + first.skipped);
    expect(again).toMatchObject({ rated: 0, duplicates: first.rated, rejected: first.rejected });
    const [a, b] = [await stored(inline.database), await stored(worker.database)];
    expect(b.calls).toHaveLength(first.rated);
    expect(b).toEqual(a);
  });

  it('fails the ingest, storing nothing of the file, when the worker dies', async () => {
    const broken = `${dir}/broken-worker.mjs`;
    writeFileSync(broken, "throw new Error('the worker broke');\n");
    const test = await prepared();
    try {
      await expect(ingestFiles(test.database, [month], { format: 'auto', now: NOW, ratingWorker: pathToFileURL(broken) })).rejects.toThrow(/the worker broke/);
      expect(await stored(test.database)).toEqual({ calls: [], rejects: [], files: [] });
    } finally {
      await test.drop();
    }
  });
});
