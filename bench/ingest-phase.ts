/**
 * One ingest, in its own process so that its peak RSS is its own: prepares a throwaway database
 * (PostgreSQL or PGlite), loads tariffs and the bench customers, ingests the given files, COPYs
 * the same number of rows into a plain table (the floor), and prints one JSON line.
 *
 *   node dist/bench/ingest-phase.js <postgres-url|pglite:dir> <customers.json> <file…>
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { CustomerAccount } from '../src/billing/customer-file.js';
import { ingestFiles } from '../src/pipeline/ingest-files.js';
import { loadTariffs } from '../src/pipeline/load-tariffs.js';
import { replaceCustomers } from '../src/store/customer-store.js';
import { openDatabase, type Database } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';

const [target, customersFile, ...files] = process.argv.slice(2);
if (!target || !customersFile || files.length === 0) throw new Error('usage: ingest-phase <postgres-url|pglite:dir> <customers.json> <file…>');

let database: Database;
let drop = async (): Promise<void> => {};
if (target.startsWith('pglite:')) {
  database = await openDatabase({ dataDir: target.slice('pglite:'.length) });
} else {
  const name = `cdrbill_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: target });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(target);
  url.pathname = `/${name}`;
  database = await openDatabase({ url: url.toString() });
  drop = async () => {
    const c = new pg.Client({ connectionString: target });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.end();
  };
}

try {
  await migrateToLatest(database);
  await loadTariffs(database, 'tariffs', new Date());
  await replaceCustomers(database, { accounts: JSON.parse(readFileSync(customersFile, 'utf8')) as CustomerAccount[], pbxs: [], enterprises: [] });
  const t0 = performance.now();
  const reports = await ingestFiles(database, files, { format: 'auto', now: new Date() });
  const ingestMs = performance.now() - t0;
  const read = reports.reduce((n, r) => n + r.read, 0);
  const sum = (key: 'rated' | 'rejected' | 'duplicates' | 'skipped') => reports.reduce((n, r) => n + r[key], 0);

  // the floor: the same number of rows COPYed into a plain table shaped like the history
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
  await database.session(async (s) => {
    await s.db.schema.createTable('bench_copy').as(s.db.selectFrom('rated_call').selectAll().where('account_id', '=', '')).execute();
  });
  const rated = sum('rated');
  const t1 = performance.now();
  await database.session(async (s) => {
    for (let done = 0; done < rated; done += 10_000) {
      const n = Math.min(10_000, rated - done);
      let csv = '';
      for (let i = 0; i < n; i++) csv += lines[i % lines.length] + '\n';
      await s.copyCsv('bench_copy', columns, csv);
    }
  });
  const copyMs = performance.now() - t1;
  console.log(
    JSON.stringify({
      read,
      rated,
      rejected: sum('rejected'),
      duplicates: sum('duplicates'),
      skipped: sum('skipped'),
      ingestMs,
      copyMs,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
} finally {
  await database.close();
  await drop();
}
