/**
 * The nightly job as cron runs it, as processes (on the embedded database, or on PostgreSQL with
 * DATABASE_URL): killed at random points 20 times and re-run, it ends with the same calls, invoices
 * and moved files as a run left alone; two runs started together: one does the work, the other exits
 * 4 and does nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CANONICAL_COLUMNS } from '../../src/ingest/canonical-format.js';
import { openDatabase } from '../../src/store/database.js';
import { tempDir } from '../support/files.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const LINE = '+31201234567';

function env(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.DATABASE_URL;
  return e;
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
});

interface Setup {
  readonly dataDir: string;
  readonly spool: string;
  /** the database arguments: --data-dir, and --db on PostgreSQL */
  readonly args: string[];
  readonly url?: string;
}

/** A data folder and a database, and a spool holding `files` CDR files. */
async function prepare(files: number): Promise<Setup> {
  const root = tempDir('cdrbill-nightly-');
  const dataDir = join(root, 'data');
  const spool = join(root, 'spool');
  mkdirSync(join(spool, 'incoming'), { recursive: true });
  let url: string | undefined;
  if (TEST_BACKEND === 'postgres') {
    const test = await createTestDatabase();
    databases.push(test);
    url = test.url!;
    await test.database.close();
  }
  const args = ['--data-dir', dataDir, ...(url ? ['--db', url] : [])];
  expect(spawnSync(process.execPath, ['bin/cdrbill.js', ...args, 'migrate'], { env: env() }).status).toBe(0);
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (let f = 0; f < files; f++) {
    const rows = [CANONICAL_COLUMNS.join(',')];
    for (let i = 0; i < 6_000; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      rows.push(
        `k${f}-${i},2026-10-${day}T10:${String(i % 60).padStart(2, '0')}:00+02:00,${(i * 7) % 900},${LINE},06${String(12345678 + i).slice(-8)},outgoing,${LINE},fixed,`,
      );
    }
    const path = join(spool, 'incoming', `cdr-${f}.csv`);
    writeFileSync(path, `${rows.join('\n')}\n`);
    utimesSync(path, hourAgo, hourAgo);
  }
  return { dataDir, spool, args, ...(url ? { url } : {}) };
}

const ARGS = (spool: string) => [
  'nightly',
  '--spool',
  spool,
  '--tariffs',
  'tariffs',
  '--customers',
  'fixtures/customers.json',
  '--seller',
  'fixtures/seller.json',
  '--invoice-period',
  '2026-10',
];

function start(setup: Setup) {
  const child = spawn(process.execPath, ['bin/cdrbill.js', ...setup.args, ...ARGS(setup.spool)], { env: env() });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

/** What a run left: calls, their total, invoices (number, account, total), files moved. */
async function outcome(setup: Setup) {
  const { spool } = setup;
  const database = await openDatabase(setup.url ? { url: setup.url } : { dataDir: join(setup.dataDir, 'db') });
  try {
    const calls = await database.db
      .selectFrom('rated_call')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('charged_ticks').as('charged')])
      .executeTakeFirstOrThrow();
    const invoices = await database.db.selectFrom('invoice').select(['number', 'account_id', 'total']).orderBy('number').execute();
    const processed = readdirSync(join(spool, 'processed')).flatMap((d) => readdirSync(join(spool, 'processed', d)));
    return { calls: Number(calls.n), charged: calls.charged, invoices, processed: processed.sort(), incoming: readdirSync(join(spool, 'incoming')) };
  } finally {
    await database.close();
  }
}

describe('the nightly job as processes', () => {
  it('ends killed 20 times and re-run with the same calls, invoices and moved files as a run left alone', async () => {
    const clean = await prepare(4);
    const cleanRun = await start(clean).done;
    expect(cleanRun.code).toBe(0);
    const expected = await outcome(clean);
    expect(expected.calls).toBe(24_000);
    expect(expected.processed).toHaveLength(4);

    const crashed = await prepare(4);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let kills = 0;
    // a run left alone takes a second or two (less once the spool is done): kills land from its start to past its end
    for (let attempt = 0; kills < 20 && attempt < 200; attempt++) {
      const run = start(crashed);
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 50 + random() * 1500);
      const result = await run.done;
      clearTimeout(timer);
      if (result.signal === 'SIGKILL') kills++;
      else expect(result.code, result.stderr).toBe(0);
    }
    expect(kills).toBe(20);
    const last = await start(crashed).done;
    expect(last.code, last.stderr).toBe(0);
    expect(await outcome(crashed)).toEqual(expected);
  }, 240_000);

  it('lets one of two runs started together do the work; the other exits 4 saying why', async () => {
    const both = await prepare(2);
    const [a, b] = await Promise.all([start(both).done, start(both).done]);
    const codes = [a.code, b.code].sort();
    expect(codes, `${a.stderr}\n${b.stderr}`).toEqual([0, 4]);
    expect([a, b].find((r) => r.code === 4)!.stderr).toMatch(
      /^cdrbill: another nightly run (holds .*nightly\.lock|is in progress on postgres:\/\/\S+); nothing was done/,
    );
    const result = await outcome(both);
    expect(result.calls).toBe(12_000);
    const runs = JSON.parse(
      spawnSync(process.execPath, ['bin/cdrbill.js', ...both.args, 'runs', '-o', 'json'], { env: env(), encoding: 'utf8' }).stdout,
    ) as unknown[];
    expect(runs).toHaveLength(1);
    expect(readFileSync(join(both.dataDir, 'nightly.log'), 'utf8')).toMatch(/"event"|"msg":"run_finished"/);
  });
});
