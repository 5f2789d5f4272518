import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles, retryRejects } from '../../src/pipeline/ingest-files.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import type { Database } from '../../src/store/database.js';
import { TARIFF_VERSION_LABEL } from '../../src/store/tariff-version-store.js';
import { bwCall } from '../support/switch-rows.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';
import { tempDir, writeCanonicalFile } from '../support/files.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const dir = tempDir();
const USER = '+31201110001';

/** The same five calls as BroadWorks records and as canonical rows (started_at = the answer moment). */
const CALLS = [
  {
    id: 'bw-1',
    to: '0612345678',
    start: '20261005101500.000',
    answer: '20261005101505.000',
    release: '20261005101605.500',
    iso: '2026-10-05T10:15:05+02:00',
    seconds: 61,
  },
  {
    id: 'bw-2',
    to: '0101234567',
    start: '20261006080000.000',
    answer: '20261006080010.000',
    release: '20261006080310.000',
    iso: '2026-10-06T08:00:10+02:00',
    seconds: 180,
  },
  {
    id: 'bw-3',
    to: '0044201234567',
    start: '20261026090000.000',
    answer: '20261026090001.000',
    release: '20261026091001.000',
    iso: '2026-10-26T09:00:01+01:00',
    seconds: 600,
  },
  {
    id: 'bw-4',
    to: '09001234',
    start: '20261027120000.000',
    answer: '20261027120002.000',
    release: '20261027120032.000',
    iso: '2026-10-27T12:00:02+01:00',
    seconds: 30,
  },
  { id: 'bw-5', to: '0201234567', start: '20261028120000.000', answer: '', release: '20261028120030.000', iso: '2026-10-28T12:00:00+01:00', seconds: null },
];

function broadworksFile(name: string, latin1 = true): string {
  const lines = [
    'version=22.0 encoding=ISO-8859-1',
    `0000000001xms20261005100000.0001+020000,,Start`,
    ...CALLS.map((c) =>
      bwCall({
        id: c.id,
        user: USER,
        direction: 'Originating',
        calling: USER,
        called: c.to,
        start: c.start,
        zone: c.start < '20261025' ? '1+020000' : '0+010000',
        answer: c.answer || undefined,
        release: c.release,
      } as Parameters<typeof bwCall>[0]).replace(',xms_sp,', latin1 ? ',Caf\u00e9 Smit,' : ',xms_sp,'),
    ),
    `0000000099xms20261031230000.0000+010000,,End`,
  ];
  const path = `${dir}/${name}`;
  writeFileSync(path, Buffer.from(`${lines.join('\n')}\n`, latin1 ? 'latin1' : 'utf8'));
  return path;
}

function canonicalFile(name: string): string {
  return writeCanonicalFile(
    dir,
    name,
    CALLS.map((c) => `${c.id},${c.iso},${c.seconds ?? ''},${USER},${c.to},outgoing,${USER},fixed,`),
  );
}

async function prepared(): Promise<TestDatabase> {
  const test = await createTestDatabase();
  await loadTariffs(test.database, 'tariffs', NOW);
  await loadCustomers(test.database, 'test/fixtures/business-customers.json');
  return test;
}

async function ratings(database: Database, source: string) {
  return database.db
    .selectFrom('rated_call as c')
    .select([
      'record_id',
      'started_at',
      'category',
      'destination',
      'answered_seconds',
      'billed_seconds',
      'list_price_ticks',
      'charged_ticks',
      'rate_match',
      'bands',
    ])
    .select(TARIFF_VERSION_LABEL.as('tariff_version'))
    .where('source', '=', source)
    .orderBy('record_id')
    .execute();
}

describe(`switch formats into the database (${TEST_BACKEND})`, () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await prepared();
  });
  afterAll(async () => test?.drop());

  it('gives the same rated calls from BroadWorks (Latin-1, detected) as from the canonical format', async () => {
    const [bw] = await ingestFiles(test.database, [broadworksFile('pbx.csv')], { format: 'auto', now: NOW });
    expect(bw).toMatchObject({ format: 'broadworks', encoding: 'latin1', read: 8, rated: 5, rejected: 0, duplicates: 0, skipped: 3 });
    const [canonical] = await ingestFiles(test.database, [canonicalFile('same.csv')], { format: 'auto', source: 'canonical-copy', now: NOW });
    expect(canonical).toMatchObject({ format: 'canonical', rated: 5 });
    const fromBw = await ratings(test.database, 'broadworks');
    expect(fromBw).toEqual(await ratings(test.database, 'canonical-copy'));
    expect(fromBw.map((r) => r.answered_seconds)).toEqual([61, 180, 600, 30, 0]);
  });

  it('reads gzip files and standard input, and counts a repeat as duplicates', async () => {
    const gz = `${dir}/pbx.csv.gz`;
    writeFileSync(gz, gzipSync(Buffer.from(readFileSync(broadworksFile('pbx2.csv')))));
    const [fromGz] = await ingestFiles(test.database, [gz], { format: 'broadworks', now: NOW });
    expect(fromGz).toMatchObject({ read: 8, rated: 0, duplicates: 5, skipped: 3 });
    const stdin = Readable.from([readFileSync(broadworksFile('pbx3.csv'))]);
    const [fromStdin] = await ingestFiles(test.database, ['-'], { format: 'auto', now: NOW, stdin });
    expect(fromStdin).toMatchObject({ file: '-', format: 'broadworks', read: 8, duplicates: 5, skipped: 3 });
  });

  it('rates rejects again after the missing customer is added', async () => {
    const stranger = '+31201119999';
    const path = writeCanonicalFile(dir, 'stranger.csv', [
      `s-1,2026-10-07T10:00:00+02:00,60,${stranger},0612345678,outgoing,${stranger},fixed,`,
      `s-2,2026-10-07T11:00:00+02:00,60,${stranger},0676000000,outgoing,${stranger},fixed,`,
    ]);
    const [first] = await ingestFiles(test.database, [path], { format: 'auto', now: NOW });
    expect(first).toMatchObject({ rated: 0, rejected: 2 });
    const customers = `${dir}/more-customers.json`;
    writeFileSync(
      customers,
      JSON.stringify({
        accounts: [{ id: 'B-9', name: 'Nieuw', segment: 'business', lines: [{ number: stranger, plan: 'hip-per-minuut', from: '2026-10-01' }] }],
      }),
    );
    await loadCustomers(test.database, customers);
    const retry = await retryRejects(test.database);
    expect(retry.rated).toBe(1);
    expect(Object.fromEntries(retry.stillRejected)).toEqual({ unknown_destination: 1 });
    const rows = await test.database.db.selectFrom('rated_call').select(['record_id', 'account_id', 'line_no']).where('record_id', 'like', 's-%').execute();
    expect(rows).toEqual([{ record_id: 's-1', account_id: 'B-9', line_no: 2 }]);
    const left = await test.database.db.selectFrom('cdr_reject').select(['line_no', 'reason']).where('file_name', '=', 'stranger.csv').execute();
    expect(left).toEqual([{ line_no: 3, reason: 'unknown_destination' }]);
    expect((await retryRejects(test.database)).rated).toBe(0);
  });
});
