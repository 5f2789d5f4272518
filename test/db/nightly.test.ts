/**
 * The nightly job as cron runs it: a spool with a good file, a re-sent one, a truncated gzip, a
 * half-written and an empty file gives the expected moves, report and exit code; a barred-category
 * call and a spend spike are alerts; --close-month invoices the month that ended once (and rewrites its history in account order); the customers
 * file is loaded again only when it changed.
 */
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FORMAT_OPTIONS } from '../../src/ingest/cdr-format.js';
import { CANONICAL_COLUMNS } from '../../src/ingest/canonical-format.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/plausibility.js';
import { runNightly, type NightlyOptions } from '../../src/pipeline/nightly-run.js';
import { tempDir } from '../support/files.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const NOW = new Date('2026-11-02T03:00:00Z');
const BARRED = '+31201234567';
const OTHER = '+31201230000';
const dir = tempDir();
const spool = join(dir, 'spool');
const customers = join(dir, 'customers.json');

const row = (id: string, start: string, seconds: number, line: string, to: string) => `${id},${start},${seconds},${line},${to},outgoing,${line},fixed,`;
const csv = (rows: string[]) => `${CANONICAL_COLUMNS.join(',')}\n${rows.join('\n')}\n`;

function drop(name: string, content: string | Buffer, ageSeconds = 3600): void {
  const path = join(spool, 'incoming', name);
  writeFileSync(path, content);
  const at = new Date(NOW.getTime() - ageSeconds * 1000);
  utimesSync(path, at, at);
}

function options(overrides: Partial<NightlyOptions> = {}): NightlyOptions {
  return {
    runId: 'test',
    now: NOW,
    tariffs: 'tariffs',
    customers,
    spool,
    settleSeconds: 60,
    ingest: { format: 'auto', formatOptions: DEFAULT_FORMAT_OPTIONS, limits: DEFAULT_INGEST_LIMITS },
    closeMonth: false,
    alerts: { dayAmount: '50', factor: 5, minAmount: '10' },
    log: () => undefined,
    ...overrides,
  };
}

describe(`the nightly job (${TEST_BACKEND})`, () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
    mkdirSync(join(spool, 'incoming'), { recursive: true });
    writeFileSync(
      customers,
      JSON.stringify({
        accounts: [
          { id: 'R-1', name: 'Barred', segment: 'residential', lines: [{ number: BARRED, plan: 'basis', from: '2026-01-01', barred: ['premium'] }] },
          { id: 'R-2', name: 'Other', segment: 'residential', lines: [{ number: OTHER, plan: 'basis', from: '2026-01-01' }] },
        ],
      }),
    );
  });
  afterAll(async () => test?.drop());

  it('ingests the complete files, moves each, leaves the half-written one, and reports why others failed', async () => {
    const good = csv([
      row('n-1', '2026-10-05T10:00:00+02:00', 60, OTHER, '0612345678'),
      row('n-2', '2026-10-06T10:00:00+02:00', 120, BARRED, '09001234567'),
      row('n-3', '2026-10-07T10:00:00+02:00', 5400, OTHER, '09001234567'),
      row('n-4', 'yesterday', 60, OTHER, '0612345678'),
    ]);
    drop('a-good.csv', good);
    drop('b-resent.csv', good);
    drop('c-truncated.csv.gz', gzipSync(Buffer.from(good)).subarray(0, 60));
    drop('d-empty.csv', '');
    drop('e-half.csv', csv([row('h-1', '2026-10-08T10:00:00+02:00', 60, OTHER, '0612345678')]), 5);
    const report = await runNightly(test.database, options());
    const byFile = Object.fromEntries(report.files.map((f) => [f.file, f]));
    expect(byFile['a-good.csv']).toMatchObject({
      status: 'ingested',
      read: 5,
      rated: 3,
      rejected: 1,
      duplicates: 0,
      skipped: 1,
      rejectsByReason: { bad_time: 1 },
    });
    expect(byFile['b-resent.csv']).toMatchObject({ status: 'ingested', rated: 0, duplicates: 3, rejected: 1 });
    expect(byFile['c-truncated.csv.gz']).toMatchObject({ status: 'failed', reason: expect.stringMatching(/truncated/) });
    expect(byFile['d-empty.csv']).toMatchObject({ status: 'failed', reason: 'the file is empty' });
    expect(byFile['e-half.csv']).toMatchObject({ status: 'waiting' });
    expect(report.exitCode).toBe(1);
    expect(report.totals).toMatchObject({ files: 4, failedFiles: 2, rated: 3 });
    const day = join(spool, 'processed', '2026-11-02');
    expect(existsSync(join(day, 'a-good.csv')) && existsSync(join(day, 'b-resent.csv'))).toBe(true);
    expect(readFileSync(join(spool, 'failed', 'c-truncated.csv.gz.reason'), 'utf8')).toMatch(/truncated/);
    expect(existsSync(join(spool, 'failed', 'd-empty.csv'))).toBe(true);
    expect(existsSync(join(spool, 'incoming', 'e-half.csv'))).toBe(true);
    expect(existsSync(join(spool, 'incoming', 'a-good.csv'))).toBe(false);
    expect(report.loaded.customers).toMatch(/2 accounts/);
  });

  it('alerts on a call in a barred category and on a spend spike, premium apart', async () => {
    const report = await runNightly(test.database, options());
    // nothing new in the spool but the half-written file, now complete
    expect(report.files.map((f) => [f.file, f.status])).toEqual([['e-half.csv', 'waiting']]);
    expect(report.loaded.customers).toBe('unchanged');
    const first = await runNightly(test.database, options({ now: new Date(NOW.getTime() + 3600_000) }));
    expect(first.files.map((f) => [f.file, f.status])).toEqual([['e-half.csv', 'ingested']]);
    expect(first.exitCode).toBe(0);
  });

  it('reports the alerts of the run that stored the calls', async () => {
    drop(
      'f-alerts.csv',
      csv([row('x-1', '2026-10-20T10:00:00+02:00', 120, BARRED, '09001234567'), row('x-2', '2026-10-21T10:00:00+02:00', 5400, OTHER, '09061234567')]),
    );
    const report = await runNightly(test.database, options({ now: new Date(NOW.getTime() + 7200_000) }));
    expect(report.alerts.barredCalls).toEqual([expect.objectContaining({ accountId: 'R-1', line: BARRED, barring: 'premium' })]);
    expect(report.alerts.spend).toEqual([
      expect.objectContaining({ accountId: 'R-2', day: '2026-10-21', charged: '72.05', premium: '72.05', international: '0.00' }),
    ]);
  });

  it('closes the month that ended once, on the first run after it', async () => {
    const later = new Date(NOW.getTime() + 10_800_000);
    const first = await runNightly(test.database, options({ now: later, closeMonth: true, spool: undefined }));
    expect(first.invoices).toEqual([{ period: '2026-10', issued: 2, issuedEarlier: 0 }]);
    // and its history rewritten in account order, once
    expect(first.compacted).toEqual([{ period: '2026-10', calls: expect.any(Number), ms: expect.any(Number) }]);
    expect(first.compacted![0]!.calls).toBeGreaterThan(0);
    const second = await runNightly(test.database, options({ now: new Date(later.getTime() + 3600_000), closeMonth: true, spool: undefined }));
    expect(second.invoices).toEqual([]);
    expect(second.compacted).toEqual([]);
  });
});
