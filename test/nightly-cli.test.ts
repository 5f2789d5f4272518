/**
 * The nightly job as cron runs it, as processes on the embedded database: killed at random points
 * 20 times and re-run, it ends with the same calls, invoices and moved files as a run left alone;
 * two runs started together: one does the work, the other exits 4 and does nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CANONICAL_COLUMNS } from '../src/ingest/canonical-format.js';
import { openDatabase } from '../src/store/database.js';
import { tempDir } from './support/files.js';

const LINE = '+31201234567';

function env(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.DATABASE_URL;
  return e;
}

/** A data folder with a database, and a spool holding `files` CDR files. */
function prepare(files: number): { dataDir: string; spool: string } {
  const root = tempDir('cdrbill-nightly-');
  const dataDir = join(root, 'data');
  const spool = join(root, 'spool');
  mkdirSync(join(spool, 'incoming'), { recursive: true });
  expect(spawnSync(process.execPath, ['bin/cdrbill.js', '--data-dir', dataDir, 'migrate'], { env: env() }).status).toBe(0);
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
  return { dataDir, spool };
}

const ARGS = (spool: string) => ['nightly', '--spool', spool, '--tariffs', 'tariffs', '--customers', 'fixtures/customers.json', '--invoice-period', '2026-10'];

function start(dataDir: string, spool: string) {
  const child = spawn(process.execPath, ['bin/cdrbill.js', '--data-dir', dataDir, ...ARGS(spool)], { env: env() });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

/** What a run left: calls, their total, invoices (number, account, total), files moved. */
async function outcome(dataDir: string, spool: string) {
  const database = await openDatabase({ dataDir: join(dataDir, 'db') });
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
    const clean = prepare(4);
    const cleanRun = await start(clean.dataDir, clean.spool).done;
    expect(cleanRun.code).toBe(0);
    const expected = await outcome(clean.dataDir, clean.spool);
    expect(expected.calls).toBe(24_000);
    expect(expected.processed).toHaveLength(4);

    const crashed = prepare(4);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let kills = 0;
    for (let attempt = 0; kills < 20 && attempt < 60; attempt++) {
      const run = start(crashed.dataDir, crashed.spool);
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 200 + random() * 1800);
      const result = await run.done;
      clearTimeout(timer);
      if (result.signal === 'SIGKILL') kills++;
      else expect(result.code, result.stderr).toBe(0);
    }
    expect(kills).toBe(20);
    const last = await start(crashed.dataDir, crashed.spool).done;
    expect(last.code, last.stderr).toBe(0);
    expect(await outcome(crashed.dataDir, crashed.spool)).toEqual(expected);
  }, 240_000);

  it('lets one of two runs started together do the work; the other exits 4 saying why', async () => {
    const both = prepare(2);
    const [a, b] = await Promise.all([start(both.dataDir, both.spool).done, start(both.dataDir, both.spool).done]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 4]);
    expect([a, b].find((r) => r.code === 4)!.stderr).toMatch(/^cdrbill: another nightly run holds .*nightly\.lock; nothing was done/);
    const result = await outcome(both.dataDir, both.spool);
    expect(result.calls).toBe(12_000);
    const runs = JSON.parse(
      spawnSync(process.execPath, ['bin/cdrbill.js', '--data-dir', both.dataDir, 'runs', '-o', 'json'], { env: env(), encoding: 'utf8' }).stdout,
    ) as unknown[];
    expect(runs).toHaveLength(1);
    expect(readFileSync(join(both.dataDir, 'nightly.log'), 'utf8')).toMatch(/"event"|"msg":"run_finished"/);
  });
});
