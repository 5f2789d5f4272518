/**
 * Ingest over processes (PostgreSQL: the embedded database is one process's). The same CDR files,
 * queued by `cdrbill nightly --queue` and ingested by 1, 2 or 4 `cdrbill worker` processes, give
 * byte-identical invoices to one process ingesting them; workers killed mid-file ten times lose
 * and double nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCustomers, seededRandom, splitCdrFile, writeMonth } from '../../bench/generate-month.js';
import { openDatabase } from '../../src/store/database.js';
import { callTotalsDrift } from '../support/call-totals.js';
import { tempDir } from '../support/files.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const FILES_PER_FORMAT = 4;
const CALLS = 160_000;

const databases: TestDatabase[] = [];
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const d of databases) await d.drop();
});

let cdrDir: string;
let customersFile: string;
beforeAll(async () => {
  const root = tempDir('cdrbill-workers-');
  const random = seededRandom(11);
  const customers = makeCustomers(600, random);
  customersFile = join(root, 'customers.json');
  // the customers file holds an account's billing details beside its lines
  writeFileSync(customersFile, JSON.stringify({ accounts: customers.accounts.map(({ billing, ...account }) => ({ ...account, ...billing })) }));
  await writeMonth(join(root, 'canonical.csv'), join(root, 'broadworks.csv'), CALLS, customers, random);
  cdrDir = join(root, 'cdrs');
  spawnSync('mkdir', [cdrDir]);
  splitCdrFile(join(root, 'canonical.csv'), FILES_PER_FORMAT, cdrDir, 'residential');
  splitCdrFile(join(root, 'broadworks.csv'), FILES_PER_FORMAT, cdrDir, 'pbx');
}, 60_000);

function cli(url: string, args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, ['bin/cdrbill.js', '--db', url, '--data-dir', tempDir('cdrbill-workers-data-'), ...args], {
    env: { ...process.env, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('close', () => children.delete(child));
  return child;
}

function finished(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

const NIGHTLY = ['nightly', '--tariffs', 'tariffs', '--customers', '', '--seller', 'fixtures/seller.json', '--invoice-period', '2026-10'];

function nightly(url: string, queue: boolean): ChildProcess {
  const args = NIGHTLY.map((a) => (a === '' ? customersFile : a));
  return cli(url, [...args, '--cdrs', cdrDir, ...(queue ? ['--queue', '--out', tempDir('cdrbill-workers-out-')] : ['--out', tempDir('cdrbill-workers-out-')])]);
}

async function freshDatabase(): Promise<string> {
  const test = await createTestDatabase({ seller: false });
  databases.push(test);
  await test.database.close();
  return test.url!;
}

/** What the ingest and invoice run left: the invoices' documents, calls, keys, ingests per content. */
async function outcome(url: string) {
  const database = await openDatabase({ url });
  try {
    const invoices = await database.db.selectFrom('invoice').select(['number', 'document']).orderBy('number').execute();
    const counts = await sql<{ calls: string; keys: string; charged: string; files: string; contents: string }>`
      SELECT (SELECT count(*) FROM rated_call)::text AS calls, (SELECT count(*) FROM cdr_key)::text AS keys,
             (SELECT sum(charged_ticks) FROM rated_call)::text AS charged,
             (SELECT count(*) FROM ingest_file)::text AS files, (SELECT count(DISTINCT content_hash) FROM ingest_file)::text AS contents`.execute(database.db);
    return { invoices, ...counts.rows[0]!, totalsDrift: await callTotalsDrift(database) };
  } finally {
    await database.close();
  }
}

let reference: Awaited<ReturnType<typeof outcome>>;

describe.skipIf(!process.env.DATABASE_URL)('ingest by worker processes (PostgreSQL)', () => {
  it('one process ingesting the files: the reference', async () => {
    const url = await freshDatabase();
    const run = await finished(nightly(url, false));
    expect(run.code, run.output).toBe(0);
    reference = await outcome(url);
    expect(Number(reference.calls)).toBeGreaterThan(CALLS * 0.9);
    expect(reference.keys).toBe(reference.calls);
    expect(reference.files).toBe(String(2 * FILES_PER_FORMAT));
    expect(reference.invoices.length).toBe(600);
    expect(reference.totalsDrift).toEqual([]);
  }, 120_000);

  for (const workers of [1, 2, 4]) {
    it(`${workers} worker(s) taking the queued files give byte-identical invoices`, async () => {
      const url = await freshDatabase();
      const pool = Array.from({ length: workers }, () => cli(url, ['worker']));
      const run = await finished(nightly(url, true));
      for (const w of pool) w.kill('SIGTERM');
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain(`files: ${2 * FILES_PER_FORMAT} (0 failed)`);
      const got = await outcome(url);
      expect(got.calls).toBe(reference.calls);
      expect(got.keys).toBe(reference.keys);
      expect(got.charged).toBe(reference.charged);
      expect(got.files).toBe(String(2 * FILES_PER_FORMAT));
      expect(got.invoices).toEqual(reference.invoices);
      expect(got.totalsDrift).toEqual([]);
      if (workers === 1) {
        // the same files again: their contents were stored, nothing is queued for a worker, all duplicates
        const again = await finished(nightly(url, true));
        expect(again.code, again.output).toBe(0);
        expect(again.output).toContain(`= rated 0 + rejected 0 + duplicates ${reference.calls} + skipped ${2 * FILES_PER_FORMAT}`);
        expect((await outcome(url)).calls).toBe(reference.calls);
      }
    }, 180_000);
  }

  it('a worker taking six files at once (more than the default pool of connections) gives byte-identical invoices', async () => {
    const url = await freshDatabase();
    const worker = cli(url, ['worker', '--concurrency', '6']);
    const run = await finished(nightly(url, true));
    worker.kill('SIGTERM');
    expect(run.code, run.output).toBe(0);
    const got = await outcome(url);
    expect(got.calls).toBe(reference.calls);
    expect(got.invoices).toEqual(reference.invoices);
    expect(got.totalsDrift).toEqual([]);
  }, 180_000);

  it('workers killed mid-file ten times lose and double nothing', async () => {
    const url = await freshDatabase();
    let ended = false;
    const run = finished(nightly(url, true)).finally(() => {
      ended = true;
    });
    const database = await openDatabase({ url });
    let killedMidFile = 0;
    let tries = 0;
    const random = seededRandom(5);
    try {
      while (killedMidFile < 10 && tries++ < 60 && !ended) {
        const name = `cdrbill_killed_${tries}`;
        const worker = cli(`${url}?application_name=${name}`, ['worker']);
        // wait until it holds a file (its ingest transaction open), then kill it a moment later
        const holding = async (): Promise<boolean> => {
          const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE application_name = ${name} AND now() - xact_start > interval '20 milliseconds'`.execute(database.db);
          return rows.rows[0]!.n > 0;
        };
        for (let i = 0; i < 600 && !(await holding()); i++) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, Math.floor(random() * 200)));
        const midFile = await holding();
        worker.kill('SIGKILL');
        await new Promise((r) => worker.once('close', r));
        if (midFile) killedMidFile++;
      }
      expect(killedMidFile).toBe(10);
      // then two workers are left alone: the killed workers' jobs come back after their heartbeat stopped
      const pool = [cli(url, ['worker']), cli(url, ['worker'])];
      const done = await run;
      for (const w of pool) w.kill('SIGTERM');
      expect(done.code, done.output).toBe(0);
    } finally {
      await database.close();
    }
    const got = await outcome(url);
    expect(got.calls).toBe(reference.calls);
    expect(got.keys).toBe(reference.keys);
    expect(got.charged).toBe(reference.charged);
    expect(got.files).toBe(String(2 * FILES_PER_FORMAT));
    expect(got.contents).toBe(String(2 * FILES_PER_FORMAT));
    expect(got.invoices).toEqual(reference.invoices);
    expect(got.totalsDrift).toEqual([]);
  }, 300_000);
});
