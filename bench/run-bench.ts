/**
 * npm run bench: prints figures, asserts nothing.
 *
 *   npm run bench                        # 1M numbers, 1M calls in memory, a 1M-call month ingested
 *   npm run bench -- --cdrs 5000000      # a larger month
 *   npm run bench -- --skip-pglite       # PostgreSQL only
 *   npm run bench -- --skip-workers      # without the ingest by 1 and 2 worker processes
 *
 * The ingest goes into a throwaway database on the PostgreSQL server at $DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and into a throwaway PGlite folder, each prepared
 * (migrated, tariffs and customers loaded) in one child process and ingested in another, whose
 * peak RSS is reported. The last line gives the figures of one run: PostgreSQL's (PGlite's with
 * --skip-postgres).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createCachedClassifier, classifyNumber } from '../src/numbering/classify-destination.js';
import { buildNumberingPlan } from '../src/numbering/numbering-plan.js';
import { readCanonicalRow } from '../src/ingest/canonical-format.js';
import { rateCdr, type RatingContext, type SubscriptionTerm } from '../src/rating/rate-cdr.js';
import { readTariffDirectory } from '../src/pipeline/load-tariffs.js';
import { parseTariffFiles } from '../src/tariffs/parse-tariff-files.js';
import { makeCustomers, makeDialled, seededRandom, splitCdrFile, writeMonth } from './generate-month.js';
import { processCpuMs } from './process-cpu.js';

const { values } = parseArgs({
  options: {
    numbers: { type: 'string', default: '1000000' },
    calls: { type: 'string', default: '1000000' },
    cdrs: { type: 'string', default: '1000000' },
    accounts: { type: 'string', default: '10000' },
    'skip-pglite': { type: 'boolean', default: false },
    'skip-postgres': { type: 'boolean', default: false },
    'skip-workers': { type: 'boolean', default: false },
  },
});
const NUMBERS = Number(values.numbers);
const CALLS = Number(values.calls);
const CDRS = Number(values.cdrs);
const ACCOUNTS = Number(values.accounts);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const perSecond = (count: number, ms: number): number => (count / ms) * 1000;

function timed<T>(work: () => T): { result: T; ms: number } {
  const t0 = performance.now();
  const result = work();
  return { result, ms: performance.now() - t0 };
}

const random = seededRandom(42);
const customers = makeCustomers(ACCOUNTS, random);
const plan = buildNumberingPlan();

// 1. End-to-end ingest, each back end in its own process
const work = mkdtempSync(join(tmpdir(), 'cdrbill-bench-'));
const canonicalFile = join(work, 'residential-2026-10.csv');
const broadworksFile = join(work, 'pbx-2026-10.csv');
const customersFile = join(work, 'customers.json');
writeFileSync(customersFile, JSON.stringify(customers.accounts));
await writeMonth(canonicalFile, broadworksFile, CDRS, customers, random);
const mib = (statSync(canonicalFile).size + statSync(broadworksFile).size) / 2 ** 20;
console.log(`ingest: ${fmt(CDRS)} calls, ${fmt(ACCOUNTS)} accounts; canonical + BroadWorks files, ${mib.toFixed(0)} MiB`);

interface Phase {
  read: number;
  rated: number;
  rejected: number;
  duplicates: number;
  skipped: number;
  ingestMs: number;
  nodeCpuUs: number;
  serverCpuUs: number;
  storedBytes: number;
  callTotalBytes: number;
  copyMs: number;
  peakRssMb: number;
  invoice: { accounts: number; invoices: number; ms: number; peakRssMb: number };
}

/** A throwaway database: a new database on the PostgreSQL server, or a PGlite folder. */
async function throwawayDatabase(kind: 'postgres' | 'pglite'): Promise<{ target: string; drop(): Promise<void> }> {
  if (kind === 'pglite') return { target: `pglite:${join(work, 'pglite')}`, drop: async () => rmSync(join(work, 'pglite'), { recursive: true, force: true }) };
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `cdrbill_bench_${process.pid}`;
  const admin = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { target: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Prepares the database in one process, then ingests in another, run as bin/cdrbill runs. */
async function ingestPhase(kind: 'postgres' | 'pglite'): Promise<Phase> {
  const { target, drop } = await throwawayDatabase(kind);
  try {
    const phase = (...args: string[]) =>
      execFileSync(process.execPath, ['--max-old-space-size=256', 'dist/bench/ingest-phase.js', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
    phase('prepare', target, customersFile);
    const ingested = JSON.parse(phase('ingest', target, canonicalFile, broadworksFile).trim().split('\n').pop()!) as Omit<Phase, 'invoice'>;
    const invoice = JSON.parse(
      phase('invoice', target, '2026-10', join(work, `invoices-${kind}`))
        .trim()
        .split('\n')
        .pop()!,
    ) as Phase['invoice'];
    return { ...ingested, invoice };
  } finally {
    await drop();
  }
}

/** CPU µs and peak RSS (MB) of a running process (all its threads), from /proc. */
function processUsage(pid: number): { cpuUs: number; peakRssMb: number } {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuUs: processCpuMs(pid) * 1000, peakRssMb: Number(hwm?.[1] ?? 0) / 1024 };
}

interface WorkersPhase {
  workers: number;
  read: number;
  ms: number;
  cpuUs: number;
  peakRssMb: number;
}

/** The same month split into 8 files, queued and ingested by `workers` `cdrbill worker` processes. */
async function workersPhase(workers: number, parts: readonly string[]): Promise<WorkersPhase> {
  const { target, drop } = await throwawayDatabase('postgres');
  const pool: ChildProcess[] = [];
  try {
    execFileSync(process.execPath, ['dist/bench/ingest-phase.js', 'prepare', target, customersFile]);
    for (let w = 0; w < workers; w++) {
      pool.push(spawn(process.execPath, ['--max-old-space-size=256', 'bin/cdrbill.js', '--db', target, 'worker'], { stdio: 'ignore' }));
    }
    const out = execFileSync(process.execPath, ['--max-old-space-size=256', 'dist/bench/ingest-phase.js', 'queue', target, ...parts], { encoding: 'utf8' });
    const queued = JSON.parse(out.trim().split('\n').pop()!) as { read: number; ms: number; serverCpuUs: number };
    const usage = pool.map((child) => processUsage(child.pid!));
    return {
      workers,
      read: queued.read,
      ms: queued.ms,
      cpuUs: queued.serverCpuUs + usage.reduce((n, u) => n + u.cpuUs, 0),
      peakRssMb: Math.max(...usage.map((u) => u.peakRssMb)),
    };
  } finally {
    for (const child of pool) child.kill('SIGTERM');
    await Promise.all(pool.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
    await drop();
  }
}

const results: { name: string; phase: Phase }[] = [];
if (!values['skip-postgres']) results.push({ name: 'PostgreSQL', phase: await ingestPhase('postgres') });
if (!values['skip-pglite']) results.push({ name: 'PGlite', phase: await ingestPhase('pglite') });
const workerRuns: WorkersPhase[] = [];
if (!values['skip-postgres'] && !values['skip-workers']) {
  const partsDir = join(work, 'parts');
  mkdirSync(partsDir);
  const parts = [...splitCdrFile(canonicalFile, 4, partsDir, 'residential'), ...splitCdrFile(broadworksFile, 4, partsDir, 'pbx')];
  for (const workers of [1, 2]) workerRuns.push(await workersPhase(workers, parts));
}
for (const { name, phase } of results) {
  console.log(
    `ingest ${name}: ${fmt(perSecond(phase.read, phase.ingestMs))} CDRs/s, ${(phase.ingestMs / 1000).toFixed(1)} s wall, peak RSS ${fmt(phase.peakRssMb)} MB ` +
      `(read ${phase.read} = rated ${phase.rated} + rejected ${phase.rejected} + duplicates ${phase.duplicates} + skipped ${phase.skipped}); ` +
      `plain COPY of as many rows: ${fmt(perSecond(phase.rated, phase.copyMs))} rows/s`,
  );
  console.log(
    `cost ${name}: ${((phase.nodeCpuUs + phase.serverCpuUs) / phase.read).toFixed(1)} CPU µs per CDR (Node ${(phase.nodeCpuUs / phase.read).toFixed(1)}, PostgreSQL ${(phase.serverCpuUs / phase.read).toFixed(1)}); ${Math.round(phase.storedBytes / Math.max(1, phase.rated))} bytes per stored call (history, its indexes, the duplicate keys and call profiles; the month's totals per account and category another ${Math.round(phase.callTotalBytes / Math.max(1, phase.rated))})`,
  );
  console.log(
    `invoice ${name}: ${fmt(phase.invoice.accounts)} accounts, ${fmt(phase.invoice.invoices)} invoices (JSON and HTML files written) in ${(phase.invoice.ms / 1000).toFixed(1)} s, peak RSS ${fmt(phase.invoice.peakRssMb)} MB`,
  );
}
for (const run of workerRuns) {
  console.log(
    `ingest PostgreSQL by ${run.workers} worker process(es), the month as 8 files queued: ${fmt(perSecond(run.read, run.ms))} CDRs/s, ${(run.ms / 1000).toFixed(1)} s wall, ${(run.cpuUs / run.read).toFixed(1)} CPU µs per CDR (workers and PostgreSQL), peak RSS per worker ${fmt(run.peakRssMb)} MB`,
  );
}
rmSync(work, { recursive: true, force: true });

// 2. Classification (after the ingest: a parent holding a million rows slows the children's ingest)
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
  const withLines = timed(() => {
    let ok = 0;
    for (let i = 0; i < NUMBERS; i++) if (classify(dialled[i]!, { lineE164: lines[i]! }).ok) ok++;
    return ok;
  });
  console.log(
    `classify: ${fmt(NUMBERS)} mixed numbers: ${fmt(perSecond(NUMBERS, plain.ms))}/s for a fixed calling area, ${fmt(perSecond(NUMBERS, withLines.ms))}/s with each line's area looked up (${withLines.result} valid)`,
  );
}

// 3. Rating in memory
{
  const tariffs = parseTariffFiles(readTariffDirectory('tariffs'));
  const subscriptions = new Map<string, SubscriptionTerm[]>();
  for (const a of customers.accounts) {
    for (const l of a.lines) {
      subscriptions.set(l.number, [{ accountId: a.id, line: l.number, planId: l.plan, fromMs: Date.parse('2026-01-01T00:00:00+01:00'), toMs: Infinity }]);
    }
  }
  const context: RatingContext = { tariffs, subscriptions, classify: createCachedClassifier(plan) };
  const start = Date.parse('2026-10-01T00:00:00+02:00');
  const rows: string[][] = [];
  for (let i = 0; i < CALLS; i++) {
    const line = customers.lines[Math.floor(random() * customers.lines.length)]!;
    rows.push([
      `r${i}`,
      new Date(start + Math.floor(random() * 2_678_400_000)).toISOString(),
      String(Math.floor(random() * 900)),
      line,
      makeDialled(random, line),
      'outgoing',
      line,
      'fixed',
      '',
    ]);
  }
  const read = timed(() => rows.map((row) => readCanonicalRow(row, 'bench')).flatMap((r) => (r.kind === 'cdr' ? [r.cdr] : [])));
  const run = timed(() => {
    let rated = 0;
    for (const cdr of read.result) if (rateCdr(context, cdr).ok) rated++;
    return rated;
  });
  console.log(`read: ${fmt(CALLS)} canonical rows to Cdr: ${fmt(perSecond(CALLS, read.ms))} rows/s`);
  console.log(`rate: ${fmt(CALLS)} calls in memory (line and plan lookup, classify, price): ${fmt(perSecond(CALLS, run.ms))} calls/s (${run.result} rated)`);
}

const head = results[0]?.phase;
console.log(
  `bench: cdrs_per_second=${Math.round(head ? perSecond(head.read, head.ingestMs) : 0)} peak_rss_mb=${Math.round(head?.peakRssMb ?? 0)} copy_floor_cdrs_per_second=${Math.round(head ? perSecond(head.rated, head.copyMs) : 0)} cpu_us_per_cdr=${head ? ((head.nodeCpuUs + head.serverCpuUs) / head.read).toFixed(1) : 0} bytes_per_call=${head ? Math.round(head.storedBytes / Math.max(1, head.rated)) : 0}`,
);
