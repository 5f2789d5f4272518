/**
 * Bad input costs no more than its own line: thousands of mutated lines in canonical and BroadWorks
 * files (impossible durations and dates, NUL bytes, stray quotes, missing and extra fields, markup and
 * formulas for caller ids), a gzip bomb and a 64 MiB line. Every line is rated or rejected with a
 * reason, the counts add up to exactly what was planted, and memory stays bounded.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REJECT_REASONS } from '../../src/domain/cdr.js';
import { CANONICAL_COLUMNS } from '../../src/ingest/canonical-format.js';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import { tempDir } from '../support/files.js';
import { bwCall } from '../support/switch-rows.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const LINE = '+31201234567';
const dir = tempDir();

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

type Outcome = 'rate' | 'reject';
interface Mutation {
  readonly name: string;
  readonly outcome: Outcome;
  readonly apply: (fields: string[]) => string;
}

const join9 = (f: string[]): string => f.join(',');

/** Mutations of a canonical row (fields in CANONICAL_COLUMNS order). */
const CANONICAL: readonly Mutation[] = [
  { name: 'a duration of 99999999999 s', outcome: 'reject', apply: (f) => join9(f.with(2, '99999999999')) },
  { name: 'a duration of 2^31 - 1 s', outcome: 'reject', apply: (f) => join9(f.with(2, '2147483647')) },
  { name: 'a duration of 10,000,000 s', outcome: 'reject', apply: (f) => join9(f.with(2, '10000000')) },
  { name: '30 February', outcome: 'reject', apply: (f) => join9(f.with(1, '2026-02-30T10:00:00+01:00')) },
  { name: 'a start in 2099', outcome: 'reject', apply: (f) => join9(f.with(1, '2099-10-05T10:00:00+02:00')) },
  { name: 'hour 25', outcome: 'reject', apply: (f) => join9(f.with(1, '2026-10-05T25:00:00+02:00')) },
  { name: 'a NUL in the caller', outcome: 'rate', apply: (f) => join9(f.with(3, '+3120\u00001234567')) },
  { name: 'a formula as caller', outcome: 'rate', apply: (f) => join9(f.with(3, '"=HYPERLINK(""http://evil"",""x"")"')) },
  { name: 'markup as caller', outcome: 'rate', apply: (f) => join9(f.with(3, '<script>alert(1)</script>')) },
  { name: 'a 10,000-character caller', outcome: 'rate', apply: (f) => join9(f.with(3, 'x'.repeat(10_000))) },
  { name: 'a NUL in the record id', outcome: 'rate', apply: (f) => join9(f.with(0, `${f[0]}\u0000x`)) },
  { name: 'a missing column', outcome: 'reject', apply: (f) => join9(f.slice(0, 8)) },
  { name: 'an extra column', outcome: 'reject', apply: (f) => join9([...f, 'extra']) },
  { name: 'a bad direction', outcome: 'reject', apply: (f) => join9(f.with(5, 'sideways')) },
  { name: 'a NUL in the direction', outcome: 'reject', apply: (f) => join9(f.with(5, 'out\u0000going')) },
  { name: 'a stray quote', outcome: 'reject', apply: (f) => join9(f.with(3, `"${f[3]}`)) },
  { name: 'a negative duration', outcome: 'reject', apply: (f) => join9(f.with(2, '-5')) },
];

/** Mutations of a BroadWorks record (by 1-based column). */
const bwFields = (row: string): string[] => row.split(',');
const BROADWORKS: readonly Mutation[] = [
  { name: 'a release in 2099', outcome: 'reject', apply: (f) => f.with(13, '20991005101605.000').join(',') },
  { name: 'an answer on 30 February', outcome: 'reject', apply: (f) => f.with(12, '20260230101505.000').join(',') },
  { name: 'a release before the answer', outcome: 'reject', apply: (f) => f.with(13, `${f[12]!.slice(0, 8)}000000.000`).join(',') },
  { name: 'a NUL in the calling number', outcome: 'rate', apply: (f) => f.with(6, '+3120\u00001234567').join(',') },
  { name: 'a column missing before userId', outcome: 'reject', apply: (f) => [...f.slice(0, 100), ...f.slice(101)].join(',') },
  { name: 'a stray quote', outcome: 'reject', apply: (f) => f.with(1, '"xms_sp').join(',') },
  { name: 'an unknown type', outcome: 'reject', apply: (f) => f.with(2, 'Weird').join(',') },
  { name: 'a bad zone', outcome: 'reject', apply: (f) => f.with(10, '+02').join(',') },
];

interface Planted {
  readonly path: string;
  /** line number → the mutation planted there */
  readonly planted: ReadonlyMap<number, string>;
  readonly lines: number;
  readonly rejects: number;
  readonly header: number;
}

/** A file of `count` good rows, one in `every` mutated; stray quotes 10 lines apart at least. */
function plant(
  name: string,
  count: number,
  good: (i: number) => string[],
  mutations: readonly Mutation[],
  header: string | undefined,
  random: () => number,
): Planted {
  const lines: string[] = header ? [header] : [];
  const planted = new Map<number, string>();
  let rejects = 0;
  let lastQuote = -100;
  for (let i = 0; i < count; i++) {
    const fields = good(i);
    let mutation = random() < 0.12 ? mutations[Math.floor(random() * mutations.length)] : undefined;
    if (mutation?.name === 'a stray quote' && i - lastQuote < 10) mutation = undefined;
    if (mutation?.name === 'a stray quote') lastQuote = i;
    // a row right after a stray quote carries no quote of its own
    if (mutation?.name === 'a formula as caller' && i - lastQuote < 10) mutation = undefined;
    if (mutation?.outcome === 'reject') rejects++;
    if (mutation) planted.set(lines.length + 1, `${mutation.name} (${mutation.outcome})`);
    lines.push(mutation ? mutation.apply(fields) : fields.join(','));
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, planted, lines: count, rejects, header: header ? 1 : 0 };
}

describe(`hostile input (${TEST_BACKEND})`, () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
    await loadTariffs(test.database, 'tariffs', NOW);
    await loadCustomers(test.database, 'fixtures/customers.json');
  });
  afterAll(async () => test?.drop());

  it('rates or rejects every line of mutated canonical and BroadWorks files, exactly as planted, in bounded memory', async () => {
    const random = seeded(20261124);
    const minute = (i: number): string => String(i % 60).padStart(2, '0');
    const canonical = plant(
      'fuzz-canonical.csv',
      3000,
      (i) => [
        `f-${i}`,
        `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T10:${minute(i)}:00+02:00`,
        String(i % 600),
        LINE,
        '0612345678',
        'outgoing',
        LINE,
        'fixed',
        '',
      ],
      CANONICAL,
      CANONICAL_COLUMNS.join(','),
      random,
    );
    const broadworks = plant(
      'fuzz-bw.csv',
      3000,
      (i) =>
        bwFields(
          bwCall({
            id: `bw-${i}`,
            user: LINE,
            direction: 'Originating',
            calling: LINE,
            called: '0612345678',
            start: `202610${String(1 + (i % 28)).padStart(2, '0')}1015${minute(i)}.000`,
            answer: `202610${String(1 + (i % 28)).padStart(2, '0')}1016${minute(i)}.000`,
            release: `202610${String(1 + (i % 28)).padStart(2, '0')}1017${minute(i)}.500`,
          }),
        ),
      BROADWORKS,
      undefined,
      random,
    );
    const rss = process.memoryUsage().rss;
    const reports = await ingestFiles(test.database, [canonical.path, broadworks.path], { format: 'auto', now: NOW });
    for (const [report, planted] of [
      [reports[0]!, canonical],
      [reports[1]!, broadworks],
    ] as const) {
      const rejected = await test.database.db
        .selectFrom('cdr_reject')
        .select(['line_no', 'reason', 'detail'])
        .where('file_name', '=', planted.path.split('/').pop()!)
        .execute();
      const rejectedLines = new Set(rejected.map((r) => r.line_no));
      const wrong = [...planted.planted].filter(([line, name]) => rejectedLines.has(line) !== name.endsWith('(reject)'));
      const unplanted = rejected.filter((r) => !planted.planted.has(r.line_no));
      expect({ wrong, unplanted }).toEqual({ wrong: [], unplanted: [] });
      expect(report.fileError).toBeUndefined();
      expect(report.read).toBe(planted.lines + planted.header);
      expect(report.read).toBe(report.rated + report.rejected + report.duplicates + report.skipped);
      expect(report.rejected).toBe(planted.rejects);
      expect(report.rated).toBe(planted.lines - planted.rejects);
      expect(report.skipped).toBe(planted.header);
    }
    const rejects = await test.database.db.selectFrom('cdr_reject').select(['reason', 'raw', 'detail']).execute();
    expect(rejects).toHaveLength(canonical.rejects + broadworks.rejects);
    for (const r of rejects) {
      expect(REJECT_REASONS).toContain(r.reason);
      expect(r.raw + r.detail).not.toContain('\u0000');
    }
    const callers = await test.database.db.selectFrom('rated_call').select('calling_number').distinct().execute();
    for (const { calling_number } of callers) expect(calling_number).toMatch(/^(\+?[0-9*#]+|anonymous|raw:[A-Za-z0-9%._~-]*)$/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(300 * 2 ** 20);
  });

  it('refuses a gzip bomb and reads past a 64 MiB line, naming each', async () => {
    const bomb = join(dir, 'bomb.csv.gz');
    writeFileSync(bomb, gzipSync(Buffer.concat([Buffer.from(`${CANONICAL_COLUMNS.join(',')}\n`), Buffer.alloc(1 << 30, 'a')]), { level: 9 }));
    const long = join(dir, 'long.csv');
    writeFileSync(
      long,
      `${CANONICAL_COLUMNS.join(',')}\n${'x'.repeat(64 * 2 ** 20)}\nl-1,2026-10-05T10:00:00+02:00,60,${LINE},0612345678,outgoing,${LINE},fixed,\n`,
    );
    const t0 = performance.now();
    const [fromBomb, fromLong] = await ingestFiles(test.database, [bomb, long], { format: 'auto', now: NOW });
    expect(fromBomb!.fileError).toMatch(/inflates to more than \d+ bytes/);
    expect(fromLong).toMatchObject({ read: 3, rated: 1, rejected: 1, skipped: 1 });
    expect(fromLong!.rejects[0]).toMatchObject({ lineNo: 2, reason: 'unreadable' });
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});
