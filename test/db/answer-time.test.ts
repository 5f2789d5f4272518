/**
 * Switch calls are rated from the moment they were answered, not dialled: a call that rang across a
 * time-band boundary, across midnight at a month end and across a tariff version's start is priced
 * and dated as the same call in the canonical format with started_at at the answer moment. The
 * setup (dial) time is stored beside it.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import type { Database } from '../../src/store/database.js';
import { TARIFF_VERSION_LABEL } from '../../src/store/tariff-version-store.js';
import { tempDir, writeCanonicalFile } from '../support/files.js';
import { bwCall } from '../support/switch-rows.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const LINE = '+31201234567'; // Basispakket in fixtures/customers.json: bands split, peak 0.02, off-peak 0.01
const dir = tempDir();

/** Local (Amsterdam) dial, answer and release times; the canonical row carries the answer moment. */
const CALLS = [
  // rings from peak into off-peak: all 600 s off-peak
  { id: 'band', to: '2345679', dial: '2026-10-06 18:59:56', answer: '2026-10-06 19:00:04', release: '2026-10-06 19:10:04', iso: '2026-10-06T19:00:04+02:00' },
  // rings from September into October: October usage
  {
    id: 'month',
    to: '0101234567',
    dial: '2026-09-30 23:59:57',
    answer: '2026-10-01 00:00:05',
    release: '2026-10-01 00:02:05',
    iso: '2026-10-01T00:00:05+02:00',
  },
  // rings into the deck version of 15 October (local at 0.05 a minute)
  { id: 'tariff', to: '2345679', dial: '2026-10-14 23:59:50', answer: '2026-10-15 00:00:10', release: '2026-10-15 00:01:10', iso: '2026-10-15T00:00:10+02:00' },
  // not answered: keeps its setup time
  { id: 'missed', to: '2345679', dial: '2026-10-20 10:00:00', answer: '', release: '2026-10-20 10:00:30', iso: '2026-10-20T10:00:00+02:00' },
];

const seconds = (c: (typeof CALLS)[number]): number =>
  c.answer ? (Date.parse(c.release.replace(' ', 'T')) - Date.parse(c.answer.replace(' ', 'T'))) / 1000 : 0;
const bwTime = (local: string): string => (local ? `${local.replace(/[- :]/g, '')}.000` : '');

function write(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const FILES = {
  canonical: () =>
    writeCanonicalFile(
      dir,
      'answer.csv',
      CALLS.map((c) => `${c.id},${c.iso},${c.answer ? seconds(c) : ''},${LINE},${c.to},outgoing,${LINE},fixed,`),
    ),
  broadworks: () =>
    write(
      'answer-bw.csv',
      CALLS.map((c) =>
        bwCall({
          id: c.id,
          user: LINE,
          direction: 'Originating',
          calling: LINE,
          called: c.to,
          start: bwTime(c.dial),
          answer: bwTime(c.answer) || undefined,
          release: bwTime(c.release),
        } as Parameters<typeof bwCall>[0]),
      ),
    ),
  asterisk: () =>
    write(
      'answer-ast.csv',
      CALLS.map(
        (c) =>
          `"","${LINE}","${c.to}","from-internal","","SIP/31201234567-1","SIP/trunk-1","Dial","","${c.dial}",${c.answer ? `"${c.answer}"` : ''},"${c.release}",${Math.round((Date.parse(c.release.replace(' ', 'T')) - Date.parse(c.dial.replace(' ', 'T'))) / 1000)},${seconds(c)},"${c.answer ? 'ANSWERED' : 'NO ANSWER'}","DOCUMENTATION","${c.id}","","","${c.id}",0`,
      ),
    ),
  freeswitch: () =>
    write(
      'answer-fs.csv',
      CALLS.map(
        (c, i) =>
          `"Jan","${LINE}","${c.to}","default","${c.dial}","${c.answer}","${c.release}","0","${seconds(c)}","NORMAL_CLEARING","0000000${i}-1111-2222-3333-444444444444","","","PCMA","PCMA"`,
      ),
    ),
};

async function rated(database: Database, source: string) {
  return database.db
    .selectFrom('rated_call as c')
    .select(['started_at', 'category', 'answered', 'answered_seconds', 'billed_seconds', 'list_price_ticks', 'charged_ticks', 'bands'])
    .select(TARIFF_VERSION_LABEL.as('tariff_version'))
    .where('source', '=', source)
    .orderBy('started_at')
    .execute();
}

describe(`switch calls are rated from their answer (${TEST_BACKEND})`, () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
    const tariffs = join(dir, 'tariffs');
    cpSync('tariffs', tariffs, { recursive: true });
    const deck = join(tariffs, 'rate-decks/xms-standard');
    const october = readFileSync(join(deck, '2026-01-01.csv'), 'utf8').replace(
      'local,Lokaal,0.0150,0.0200,0.0100,0.0100',
      'local,Lokaal,0.0500,0.0500,0.0500,0.0500',
    );
    writeFileSync(join(deck, '2026-10-15.csv'), october);
    await loadTariffs(test.database, tariffs, NOW);
    await loadCustomers(test.database, 'fixtures/customers.json');
    const [canonical] = await ingestFiles(test.database, [FILES.canonical()], { format: 'canonical', now: NOW });
    expect(canonical).toMatchObject({ rated: 4, rejected: 0 });
  });
  afterAll(async () => test?.drop());

  it('prices the canonical calls at their answer moment, as `cdrbill price` would', async () => {
    const rows = await rated(test.database, 'canonical');
    expect(rows.map((r) => [r.started_at.toISOString(), r.bands, r.tariff_version])).toEqual([
      ['2026-09-30T22:00:05.000Z', 'offpeak:120', 'basis@2026-01-01 xms-standard@2026-01-01'],
      ['2026-10-06T17:00:04.000Z', 'offpeak:600', 'basis@2026-01-01 xms-standard@2026-01-01'],
      ['2026-10-14T22:00:10.000Z', 'offpeak:60', 'basis@2026-01-01 xms-standard@2026-10-15'],
      ['2026-10-20T08:00:00.000Z', '', ''],
    ]);
  });

  it.each(['broadworks', 'asterisk', 'freeswitch'] as const)('rates %s calls as the canonical calls and keeps their setup time', async (format) => {
    const [report] = await ingestFiles(test.database, [FILES[format]()], { format: 'auto', now: NOW });
    expect(report).toMatchObject({ format, rated: 4, rejected: 0 });
    expect(await rated(test.database, format)).toEqual(await rated(test.database, 'canonical'));
    const setup = await test.database.db
      .selectFrom('rated_call')
      .select(['record_id', 'setup_at'])
      .where('source', '=', format)
      .orderBy('started_at')
      .execute();
    expect(setup.map((r) => r.setup_at?.toISOString())).toEqual([
      '2026-09-30T21:59:57.000Z',
      '2026-10-06T16:59:56.000Z',
      '2026-10-14T21:59:50.000Z',
      '2026-10-20T08:00:00.000Z',
    ]);
  });
});
