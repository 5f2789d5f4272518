/**
 * npm run bench: prints figures, asserts nothing.
 *
 *   npm run bench                       # 1M numbers, 1M calls in memory, 1M CDRs ingested
 *   npm run bench -- --cdrs 5000000     # a larger ingest
 *   npm run bench -- --skip-pglite      # PostgreSQL only
 *
 * The ingest goes into PostgreSQL at $DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres,
 * in a throwaway database) and into a throwaway embedded PGlite database.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createCachedClassifier, classifyNumber } from '../src/numbering/classify-destination.js';
import { buildNumberingPlan } from '../src/numbering/numbering-plan.js';
import { CANONICAL_FORMAT } from '../src/ingest/cdr-format.js';
import { readCanonicalRow } from '../src/ingest/canonical-format.js';
import { rateCdr, type RatingContext, type SubscriptionTerm } from '../src/rating/rate-cdr.js';
import { loadRatingContext } from '../src/pipeline/ingest-files.js';
import { ingestFile } from '../src/pipeline/ingest-file.js';
import { loadTariffs, readTariffDirectory } from '../src/pipeline/load-tariffs.js';
import { parseTariffFiles } from '../src/tariffs/parse-tariff-files.js';
import { openDatabase, type Database } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { replaceAccounts } from '../src/store/customer-store.js';
import { makeCustomers, makeDialled, seededRandom, writeMonth } from './generate-month.js';

const { values } = parseArgs({
  options: {
    numbers: { type: 'string', default: '1000000' },
    calls: { type: 'string', default: '1000000' },
    cdrs: { type: 'string', default: '1000000' },
    accounts: { type: 'string', default: '10000' },
    'skip-pglite': { type: 'boolean', default: false },
    'skip-postgres': { type: 'boolean', default: false },
  },
});
const NUMBERS = Number(values.numbers);
const CALLS = Number(values.calls);
const CDRS = Number(values.cdrs);
const ACCOUNTS = Number(values.accounts);

let peakRssMb = 0;
const sampler = setInterval(() => {
  peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 2 ** 20);
}, 50);
sampler.unref();

function rate(count: number, ms: number): string {
  return Math.round((count / ms) * 1000).toLocaleString('en-US');
}

function timed<T>(work: () => T): { result: T; ms: number } {
  const t0 = performance.now();
  const result = work();
  return { result, ms: performance.now() - t0 };
}

async function timedAsync<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const t0 = performance.now();
  const result = await work();
  return { result, ms: performance.now() - t0 };
}

const random = seededRandom(42);
const customers = makeCustomers(ACCOUNTS, random);
const plan = buildNumberingPlan();

// 1. Classification
{
  const dialled: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < NUMBERS; i++) {
    const line = customers.lines[i % customers.lines.length]!;
    lines.push(line);
    dialled.push(makeDialled(random, line));
  }
  const classify = createCachedClassifier(plan);
  const plain = timed(() => {
    let ok = 0;
    for (let i = 0; i < NUMBERS; i++) if (classifyNumber(plan, dialled[i]!, '020').ok) ok++;
    return ok;
  });
  const cached = timed(() => {
    let ok = 0;
    for (let i = 0; i < NUMBERS; i++) if (classify(dialled[i]!, { lineE164: lines[i]! }).ok) ok++;
    return ok;
  });
  console.log(`classify: ${NUMBERS.toLocaleString('en-US')} mixed numbers: ${rate(NUMBERS, plain.ms)}/s uncached, ${rate(NUMBERS, cached.ms)}/s with the cache (${cached.result} valid)`);
}

// 2. Rating in memory (parse + classify + rate, no I/O)
{
  const tariffs = parseTariffFiles(readTariffDirectory('tariffs'));
  const subscriptions = new Map<string, SubscriptionTerm[]>();
  customers.accounts.forEach((a) => {
    const l = a.lines[0]!;
    subscriptions.set(l.number, [{ accountId: a.id, line: l.number, planId: l.plan, fromMs: Date.parse('2026-01-01T00:00:00+01:00'), toMs: Infinity }]);
  });
  const context: RatingContext = { tariffs, subscriptions, classify: createCachedClassifier(plan) };
  const start = Date.parse('2026-10-01T00:00:00+02:00');
  const rows: string[][] = [];
  for (let i = 0; i < CALLS; i++) {
    const line = customers.lines[Math.floor(random() * customers.lines.length)]!;
    rows.push([`r${i}`, new Date(start + Math.floor(random() * 2_678_400_000)).toISOString(), String(Math.floor(random() * 900)), line, makeDialled(random, line), 'outgoing', line, 'fixed', '']);
  }
  const read = timed(() => rows.map((row) => readCanonicalRow(row, 'bench')).flatMap((r) => (r.kind === 'cdr' ? [r.cdr] : [])));
  const cdrs = read.result;
  const run = timed(() => {
    let rated = 0;
    for (const cdr of cdrs) if (rateCdr(context, cdr).ok) rated++;
    return rated;
  });
  console.log(`read: ${CALLS.toLocaleString('en-US')} canonical rows to Cdr: ${rate(CALLS, read.ms)} rows/s`);
  console.log(`rate: ${CALLS.toLocaleString('en-US')} calls in memory (line and plan lookup, classify, price): ${rate(CALLS, run.ms)} calls/s (${run.result} rated)`);
}

// 3. End-to-end ingest
const work = mkdtempSync(join(tmpdir(), 'cdrbill-bench-'));
const file = join(work, 'month.csv');
await writeMonth(file, CDRS, customers.lines, random);
console.log(`ingest: ${CDRS.toLocaleString('en-US')} CDRs, ${ACCOUNTS.toLocaleString('en-US')} accounts, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB canonical CSV`);

async function prepare(database: Database): Promise<RatingContext> {
  await migrateToLatest(database);
  await loadTariffs(database, 'tariffs', new Date());
  await replaceAccounts(database, customers.accounts);
  return loadRatingContext(database);
}

async function copyFloor(database: Database, rows: number): Promise<number> {
  // The same rows, COPYed straight into a table shaped like the history: the floor of any ingest.
  await database.session(async (s) => {
    await s.db.schema.createTable('bench_copy').ifNotExists().as(s.db.selectFrom('rated_call').selectAll().where('account_id', '=', '')).execute();
  });
  const sample = await database.db.selectFrom('rated_call').selectAll().limit(1000).execute();
  const columns = Object.keys(sample[0]!);
  const lines = sample.map((r) =>
    columns
      .map((c) => {
        const v = (r as Record<string, unknown>)[c];
        if (v === null || v === undefined) return '';
        if (v instanceof Date) return v.toISOString();
        if (typeof v === 'boolean') return v ? 't' : 'f';
        return `"${String(v).replace(/"/g, '""')}"`;
      })
      .join(','),
  );
  const { ms } = await timedAsync(() =>
    database.session(async (s) => {
      for (let done = 0; done < rows; done += 5000) {
        const n = Math.min(5000, rows - done);
        let csv = '';
        for (let i = 0; i < n; i++) csv += lines[i % lines.length] + '\n';
        await s.copyCsv('bench_copy', columns, csv);
      }
    }),
  );
  return (rows / ms) * 1000;
}

async function benchBackend(name: string, open: () => Promise<{ database: Database; drop: () => Promise<void> }>): Promise<{ cdrsPerSecond: number; copyPerSecond: number }> {
  const { database, drop } = await open();
  try {
    const context = await prepare(database);
    const { result: report, ms } = await timedAsync(() => ingestFile(database, context, file, { format: CANONICAL_FORMAT, now: new Date() }));
    const cdrsPerSecond = (report.read / ms) * 1000;
    const copyPerSecond = await copyFloor(database, CDRS);
    console.log(
      `ingest ${name}: ${rate(report.read, ms)} CDRs/s, ${(ms / 1000).toFixed(1)} s wall (read ${report.read} = rated ${report.rated} + rejected ${report.rejected} + duplicates ${report.duplicates} + skipped ${report.skipped}); plain COPY of the same rows: ${Math.round(copyPerSecond).toLocaleString('en-US')} rows/s`,
    );
    return { cdrsPerSecond, copyPerSecond };
  } finally {
    await drop();
  }
}

let headline: { cdrsPerSecond: number; copyPerSecond: number } | undefined;
if (!values['skip-postgres']) {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  headline = await benchBackend('PostgreSQL', async () => {
    const name = `cdrbill_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const database = await openDatabase({ url: url.toString() });
    return {
      database,
      drop: async () => {
        await database.close();
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
        await c.end();
      },
    };
  });
}
if (!values['skip-pglite']) {
  const result = await benchBackend('PGlite', async () => {
    const dir = join(work, 'pglite');
    const database = await openDatabase({ dataDir: dir });
    return { database, drop: async () => database.close() };
  });
  headline ??= result;
}
rmSync(work, { recursive: true, force: true });
clearInterval(sampler);
peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 2 ** 20);
console.log(
  `bench: cdrs_per_second=${Math.round(headline?.cdrsPerSecond ?? 0)} peak_rss_mb=${Math.round(peakRssMb)} copy_floor_cdrs_per_second=${Math.round(headline?.copyPerSecond ?? 0)}`,
);
