/**
 * The command line as an operator uses it: the compiled CLI (npm ci builds it), run as a process on
 * a fresh embedded database in a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeCanonicalFile } from './support/files.js';

const dataDir = tempDir('cdrbill-cli-');

function run(dir: string, args: readonly string[], extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, ['bin/cdrbill.js', '--data-dir', dir, ...args], { encoding: 'utf8', env });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

function cdrbill(...args: string[]) {
  return run(dataDir, args);
}

describe('cdrbill CLI', () => {
  beforeAll(() => {
    expect(existsSync('dist/src/cli/main.js')).toBe(true);
    const created = cdrbill('migrate');
    expect(created.code).toBe(0);
    // says what it applied: a migration that converts the history takes a while on a large one
    const last = readdirSync('migrations')
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .at(-1)!
      .replace(/\.sql$/, '');
    expect(created.stdout).toMatch(new RegExp(`schema up to date \\(applied 0001_initial, .*, ${last}\\)`));
    expect(cdrbill('migrate').stdout).toMatch(/schema up to date \(nothing to apply\)/);
  });

  it('runs the nightly job, and a second run stores nothing new and prints the same invoices', () => {
    const args = [
      'nightly',
      '--tariffs',
      'tariffs',
      '--customers',
      'fixtures/customers.json',
      '--seller',
      'fixtures/seller.json',
      '--cdrs',
      'fixtures/cdrs',
      '--invoice-period',
      '2026-10',
      '--out',
      join(dataDir, 'inv'),
    ];
    const first = cdrbill(...args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const second = cdrbill(...args);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/rated 0 \+ rejected 0 \+ duplicates 121 \+ skipped 1/);
    expect(first.stdout).toMatch(/^invoices 2026-10: 6 issued, 0 issued earlier$/m);
    expect(second.stdout).toMatch(/^invoices 2026-10: 0 issued, 6 issued earlier$/m);
    expect(first.stdout).toMatch(/^loaded tariffs: new tariff set \d+ from tariffs$/m);
    expect(second.stdout).toMatch(/^loaded tariffs: unchanged \(tariff set \d+\)$/m);
    expect(second.stdout).toMatch(/^loaded customers: unchanged$/m);
    const runs = JSON.parse(cdrbill('runs', '-o', 'json').stdout) as { runId: string; exitCode: number }[];
    expect(runs).toHaveLength(2);
    expect(cdrbill('runs', '--id', runs[0]!.runId).stdout).toMatch(/^nightly run /);
    const files = readdirSync(join(dataDir, 'inv'));
    expect(files).toContain('2026-000001.json');
    const invoice = JSON.parse(readFileSync(join(dataDir, 'inv', '2026-000001.json'), 'utf8'));
    expect(Object.keys(invoice)).toEqual(expect.arrayContaining(['number', 'account', 'period', 'lines', 'subtotal', 'vat', 'total']));
    expect(Object.keys(invoice.lines[0])).toEqual(expect.arrayContaining(['description', 'quantity', 'unitPrice', 'amount', 'vatRate']));
  });

  it('reports a malformed line with file, line and reason, rates the rest, and exits 1', () => {
    const dir = tempDir();
    const file = writeCanonicalFile(dir, 'bad.csv', [
      'x-1,2026-10-05T10:00:00+02:00,61,+31201234567,0612345678,outgoing,+31201234567,fixed,',
      'x-2,yesterday,61,+31201234567,0612345678,outgoing,+31201234567,fixed,',
    ]);
    const report = join(dir, 'report.json');
    const result = cdrbill('ingest', file, '--report-json', report);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/bad\.csv line 3: bad_time: started_at/);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.files[0]).toMatchObject({ read: 3, rated: 1, rejected: 1, duplicates: 0, skipped: 1 });
    const rejects = cdrbill('rejects', '--file', 'bad.csv', '--output', 'json');
    expect(JSON.parse(rejects.stdout)).toEqual([expect.objectContaining({ line: 3, reason: 'bad_time' })]);
  });

  it('leaves nothing of a file killed halfway, and a re-run gives the same result as one clean run', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      lines.push(
        `k-${i},2026-10-${day}T10:${String(i % 60).padStart(2, '0')}:00+02:00,${i % 900},+31201234567,06${String(12345678 + i).slice(-8)},outgoing,+31201234567,fixed,`,
      );
    }
    const file = writeCanonicalFile(dir, 'big.csv', lines);
    const crashed = join(dir, 'crashed');
    const clean = join(dir, 'clean');
    for (const d of [crashed, clean]) {
      expect(run(d, ['migrate']).code).toBe(0);
      expect(run(d, ['load', 'tariffs']).code).toBe(0);
      expect(run(d, ['load', 'customers', 'fixtures/customers.json']).code).toBe(0);
    }
    const killed = run(crashed, ['ingest', file], { CDRBILL_TEST_KILL_AFTER_BYTES: String(1_000_000) });
    expect(killed.signal).toBe('SIGKILL');
    const count = async (d: string) => {
      const { openDatabase } = await import('../src/store/database.js');
      const database = await openDatabase({ dataDir: join(d, 'db') });
      try {
        const calls = await database.db
          .selectFrom('rated_call')
          .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('charged_ticks').as('charged')])
          .executeTakeFirstOrThrow();
        const files = await database.db.selectFrom('ingest_file').select('id').execute();
        return { calls: Number(calls.n), charged: calls.charged, files: files.length };
      } finally {
        await database.close();
      }
    };
    expect(await count(crashed)).toMatchObject({ calls: 0, files: 0 });
    const rerun = run(crashed, ['ingest', file]);
    expect(rerun.stdout).toMatch(/read 40001 = rated 40000 \+ rejected 0 \+ duplicates 0 \+ skipped 1/);
    expect(run(clean, ['ingest', file]).code).toBe(0);
    expect(await count(crashed)).toEqual(await count(clean));
  });

  it('explains a price as JSON', () => {
    const result = cdrbill(
      'price',
      '--line',
      '+31201234567',
      '--to',
      '0031612345678',
      '--start',
      '2026-10-05T09:00:00+02:00',
      '--seconds',
      '61',
      '--output',
      'json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      category: 'mobile',
      billedSeconds: 120,
      listPrice: '0.225000',
      charged: '0.225000',
      tariffVersion: 'basis@2026-01-01 xms-standard@2026-01-01',
      prefix: 'mobile',
    });
  });

  it('classifies a number as JSON', () => {
    const result = cdrbill('number', '0118 612345', '--line', '+31201234567', '--output', 'json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ e164: '+31118612345', category: 'national', subclass: null, areaCode: '0118', countryCallingCode: null });
    expect(cdrbill('number', '0676123456', '--line', '+31201234567').code).toBe(1);
  });

  it('exits 2 on usage errors and 1 on a bad tariff or customers file, naming the file', () => {
    expect(cdrbill('frobnicate').code).toBe(2);
    expect(cdrbill('invoice', '--period', '2026-13').code).toBe(2);
    expect(cdrbill('invoice').code).toBe(2);
    const bad = join(tempDir(), 'customers.json');
    writeFileSync(
      bad,
      JSON.stringify({ accounts: [{ id: 'X', name: 'X', segment: 'residential', lines: [{ number: '0201234567', plan: 'basis', from: '2026-01-01' }] }] }),
    );
    const result = cdrbill('load', 'customers', bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/customers\.json: accounts\[0\]\.lines\[0\]\.number: expected an E\.164 number/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
