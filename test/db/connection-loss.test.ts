/**
 * A PostgreSQL backend killed in the middle of an ingest (a server restart, a network cut): the
 * command ends with exit 3 and says what was lost and what to do, nothing of the file is stored, and
 * a re-run completes it. Only a server can lose a connection: on the embedded database there is
 * nothing to cut.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import { tempDir, writeCanonicalFile } from '../support/files.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const LINE = '+31201234567';

function cdrbill(url: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/cdrbill.js', '--db', url, ...args], { env: { ...process.env, DATABASE_URL: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.runIf(TEST_BACKEND === 'postgres')('a lost database connection', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
    await loadTariffs(test.database, 'tariffs', new Date('2026-11-01T06:00:00Z'));
    await loadCustomers(test.database, 'fixtures/customers.json');
  });
  afterAll(async () => test?.drop());

  it('ends the ingest with exit 3 naming the file, stores nothing of it, and a re-run completes it', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 300_000; i++) {
      lines.push(
        `c-${i},2026-10-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00+02:00,${i % 900},${LINE},0612345678,outgoing,${LINE},fixed,`,
      );
    }
    const file = writeCanonicalFile(tempDir(), 'big.csv', lines);
    const name = new URL(test.url!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const run = cdrbill(test.url!, ['ingest', file]);
    let killed = 0;
    let done = false;
    void run.then(() => (done = true));
    while (!done && killed === 0) {
      const result = await admin.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'COPY call_record%' AND pid <> pg_backend_pid()`,
        [name],
      );
      killed += result.rows.length;
      await new Promise((r) => setTimeout(r, 20));
    }
    await admin.end();
    const interrupted = await run;
    expect(killed).toBeGreaterThan(0);
    expect(interrupted.code).toBe(3);
    expect(interrupted.stderr).toMatch(/^cdrbill: database connection lost while ingesting .*big\.csv; nothing of .*big\.csv was stored/);
    expect(interrupted.stderr).not.toMatch(/Unhandled|at .*\.js:\d+/);
    const stored = await test.database.db
      .selectFrom('rated_call')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(0);
    const rerun = await cdrbill(test.url!, ['ingest', file]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/read 300001 = rated 300000 \+ rejected 0 \+ duplicates 0 \+ skipped 1/);
  });
});
