/**
 * One step of the ingest benchmark, in its own process so that its peak RSS is its own:
 *
 *   node dist/bench/ingest-phase.js prepare <postgres-url|pglite:dir> <customers.json>
 *       migrates the database and loads the tariffs and the bench customers (once, as an operator
 *       would before the nightly runs);
 *   node dist/bench/ingest-phase.js ingest <postgres-url|pglite:dir> <file…>
 *       ingests the files, then COPYs as many rows into a plain table shaped like the history (the
 *       floor), and prints one JSON line;
 *   node dist/bench/ingest-phase.js queue <postgres-url> <file…>
 *       queues the files for `cdrbill worker` processes (started by the caller) and waits for them,
 *       as `nightly --queue` does, and prints one JSON line;
 *   node dist/bench/ingest-phase.js invoice <postgres-url|pglite:dir> <YYYY-MM> <out-dir>
 *       issues the month's invoices as `cdrbill invoice` does (documents in the database, JSON and
 *       HTML files in out-dir), and prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import type { CustomerAccount } from '../src/billing/customer-file.js';
import { invoiceCollector } from '../src/cli/documents.js';
import { nextPeriod, parsePeriod, periodEnd, periodFirstDay } from '../src/domain/period.js';
import { ingestFiles } from '../src/pipeline/ingest-files.js';
import { ingestFilesQueued } from '../src/pipeline/ingest-queue.js';
import { issueInvoices } from '../src/pipeline/issue-invoices.js';
import { loadTariffs } from '../src/pipeline/load-tariffs.js';
import { replaceCustomers } from '../src/store/customer-store.js';
import { openDatabase, type Database } from '../src/store/database.js';
import { sql } from 'kysely';
import { migrateToLatest } from '../src/store/migrate.js';
import { loadSeller } from '../src/pipeline/load-seller.js';
import { processCpuMs } from './process-cpu.js';

/** CPU time (µs) the PostgreSQL backends of this database have used, from /proc (Linux, same machine). */
async function backendCpuUs(database: Database): Promise<number> {
  const pids = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(database.db);
  return pids.rows.reduce((us, { pid }) => us + processCpuMs(pid) * 1000, 0);
}

const [step, target, ...rest] = process.argv.slice(2);
if ((step !== 'prepare' && step !== 'ingest' && step !== 'queue' && step !== 'invoice') || !target || rest.length === 0) {
  throw new Error(
    'usage: ingest-phase prepare <postgres-url|pglite:dir> <customers.json> | ingest <postgres-url|pglite:dir> <file…> | queue <postgres-url> <file…> | invoice <postgres-url|pglite:dir> <YYYY-MM> <out-dir>',
  );
}
const database = await openDatabase(target.startsWith('pglite:') ? { dataDir: target.slice('pglite:'.length) } : { url: target });

try {
  if (step === 'invoice') {
    const period = parsePeriod(rest[0]!)!;
    const collected = invoiceCollector(rest[1]!, 'nl');
    const t0 = performance.now();
    await issueInvoices(database, period, { issueDate: periodFirstDay(nextPeriod(period)), now: periodEnd(period), onInvoice: collected.take });
    await collected.finish();
    const ms = performance.now() - t0;
    const accounts = await database.db
      .selectFrom('account')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    console.log(JSON.stringify({ accounts: Number(accounts.n), invoices: collected.rows.length, ms, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
  } else if (step === 'queue') {
    const t0 = performance.now();
    const reports = await ingestFilesQueued(database, target, rest, { format: 'auto', now: new Date(), pollMs: 50 });
    const ms = performance.now() - t0;
    console.log(
      JSON.stringify({
        read: reports.reduce((n, r) => n + r.read, 0),
        rated: reports.reduce((n, r) => n + r.rated, 0),
        ms,
        serverCpuUs: await backendCpuUs(database),
      }),
    );
  } else if (step === 'prepare') {
    await migrateToLatest(database);
    await loadTariffs(database, 'tariffs', new Date());
    await loadSeller(database, 'fixtures/seller.json', new Date());
    await replaceCustomers(database, { accounts: JSON.parse(readFileSync(rest[0]!, 'utf8')) as CustomerAccount[], pbxs: [], enterprises: [] });
  } else {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const reports = await ingestFiles(database, rest, { format: 'auto', now: new Date() });
    const ingestMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const sum = (key: 'read' | 'rated' | 'rejected' | 'duplicates' | 'skipped') => reports.reduce((n, r) => n + r[key], 0);
    // CPU of this process (all threads; PGlite's PostgreSQL runs in it) and of its PostgreSQL backends, from the OS
    const nodeCpuUs = cpu.user + cpu.system;
    const serverCpuUs = database.kind === 'postgres' ? await backendCpuUs(database) : 0;
    // the history's partitions, their indexes, the duplicate keys and the call profiles; call_total
    // (per account, month and category, not per call) apart
    const bytes = await sql<{ bytes: string; totals: string }>`
      SELECT (coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) + pg_total_relation_size('cdr_key') + pg_total_relation_size('cdr_source') + pg_total_relation_size('call_profile'))::text AS bytes,
             pg_total_relation_size('call_total')::text AS totals
      FROM pg_inherits i WHERE i.inhparent = 'call_record'::regclass`.execute(database.db);
    const storedBytes = Number(bytes.rows[0]!.bytes);
    const callTotalBytes = Number(bytes.rows[0]!.totals);

    // the floor: the same number of rows COPYed into a plain table shaped like the stored calls
    const sample = (await sql<Record<string, unknown>>`SELECT * FROM call_record LIMIT 1000`.execute(database.db)).rows;
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
      await s.db.schema.createTable('bench_copy').as(sql`SELECT * FROM call_record WHERE false`).execute();
    });
    const rated = sum('rated');
    const t1 = performance.now();
    await database.session(async (s) => {
      for (let done = 0; done < rated; done += 10_000) {
        const n = Math.min(10_000, rated - done);
        let csv = '';
        for (let i = 0; i < n; i++) csv += `${lines[i % lines.length]}\n`;
        await s.copyFrom('bench_copy', columns, csv, 'csv');
      }
    });
    const copyMs = performance.now() - t1;
    console.log(
      JSON.stringify({
        read: sum('read'),
        rated,
        rejected: sum('rejected'),
        duplicates: sum('duplicates'),
        skipped: sum('skipped'),
        ingestMs,
        copyMs,
        nodeCpuUs,
        serverCpuUs,
        storedBytes,
        callTotalBytes,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
      }),
    );
  }
} finally {
  await database.close();
}
