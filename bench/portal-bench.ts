/**
 * npm run bench:portal: prints figures, asserts nothing.
 *
 *   npm run bench:portal                          # 10,000 accounts, a month of 10,000,000 calls
 *   npm run bench:portal -- --calls 1000000       # a smaller month
 *   npm run bench:portal -- --duration 30         # seconds of load per endpoint
 *
 * A database `cdrbill_bench_portal` on the PostgreSQL server at $DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) is filled once with the bench generator's month
 * (kept between runs: a second run with the same --calls reuses it). Then `cdrbill serve` runs in
 * its own process and autocannon loads it with 32 connections, each request for a random account
 * with that account's own token: history pages with their totals as the month arrived (the current
 * month reads so), then, after the month is closed and its history rewritten in account order
 * (`cdrbill compact`, as `nightly --close-month` does), history pages, the CSV of a month, per-user
 * summaries. Prints p50/p95/p99 latency and requests per second per endpoint, the CPU a request cost
 * the server, its PostgreSQL backends and the load generator (from /proc), and EXPLAIN ANALYZE
 * of each query for one account. The last line gives the history-page figures.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pg from 'pg';
import { createToken } from '../src/pipeline/tokens.js';
import { openDatabase } from '../src/store/database.js';
import { makeCustomers, seededRandom, writeMonth } from './generate-month.js';
import { processCpuMs } from './process-cpu.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000000' },
    accounts: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '32' },
  },
});
const CALLS = Number(values.calls);
const ACCOUNTS = Number(values.accounts);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const NAME = 'cdrbill_bench_portal';
const url = new URL(server.toString());
url.pathname = `/${NAME}`;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  execFileSync(process.execPath, ['--max-old-space-size=1024', 'bin/cdrbill.js', '--db', url.toString(), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });

// 1. The month, once
const admin = new pg.Client({ connectionString: server.toString() });
await admin.connect();
const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [NAME])).rowCount === 1;
let stored = 0;
if (exists) {
  const probe = new pg.Client({ connectionString: url.toString() });
  await probe.connect();
  stored = Number((await probe.query('SELECT count(*) AS n FROM call_record').catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
  await probe.end();
}
if (stored < CALLS * 0.9) {
  if (exists) await admin.query(`DROP DATABASE ${NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${NAME}`);
  cli(['migrate']);
  const work = mkdtempSync(join(tmpdir(), 'cdrbill-portal-bench-'));
  const random = seededRandom(42);
  const customers = makeCustomers(ACCOUNTS, random);
  const canonical = join(work, 'residential.csv');
  const broadworks = join(work, 'pbx.csv');
  const customersFile = join(work, 'customers.json');
  const { writeFileSync } = await import('node:fs');
  // the customers file's form: billing details beside id, name, segment and lines
  writeFileSync(customersFile, JSON.stringify({ accounts: customers.accounts.map(({ billing, items: _, ...a }) => ({ ...a, ...billing })) }));
  const t0 = performance.now();
  await writeMonth(canonical, broadworks, CALLS, customers, random);
  console.log(`generated ${CALLS.toLocaleString('en-US')} calls in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  cli(['load', 'tariffs']);
  cli(['load', 'customers', customersFile]);
  const t1 = performance.now();
  cli(['ingest', canonical, broadworks]);
  console.log(`ingested in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  rmSync(work, { recursive: true, force: true });
} else {
  console.log(`reusing ${NAME}: ${stored.toLocaleString('en-US')} calls stored`);
  cli(['migrate']);
}
await admin.end();
{
  // the steady state of a day after the nightly ingest: autovacuum has visited the month (PostgreSQL
  // vacuums insert-only tables too), so index-only scans need no heap visit
  const t0 = performance.now();
  const vacuum = new pg.Client({ connectionString: url.toString() });
  await vacuum.connect();
  await vacuum.query('VACUUM (ANALYZE) call_record');
  await vacuum.end();
  console.log(`VACUUM (ANALYZE) call_record: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// 2. Tokens for random accounts
const database = await openDatabase({ url: url.toString() });
const calls = Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM call_record`.execute(database.db)).rows[0]!.n);
const accounts = (await database.db.selectFrom('account').select('id').orderBy('id').execute()).map((a) => a.id);
const random = seededRandom(7);
const sample = Array.from({ length: 500 }, () => accounts[Math.floor(random() * accounts.length)]!);
const tokens = new Map<string, string>();
for (const id of new Set(sample)) tokens.set(id, (await createToken(database, { kind: 'account', id }, 'bench', new Date())).token);

// 3. EXPLAIN of each query for one account
const one = sample[0]!;
const from = '2026-10-01T00:00:00+02:00';
const to = '2026-11-01T00:00:00+01:00';
const explain = async (label: string, query: string) => {
  const plan = await sql<{ 'QUERY PLAN': string }>`${sql.raw(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query}`)}`.execute(database.db);
  console.log(`\n-- ${label}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
};
const where = `c.account_id = '${one}' AND c.started_at >= '${from}' AND c.started_at < '${to}'`;
// the page's calls alone: their profiles' fields come from the server's memory (history-store.ts)
const page = (condition: string) => `SELECT c.* FROM call_record c WHERE ${where}${condition} ORDER BY c.started_at, c.source, c.record_id LIMIT 51`;
await explain('history page (50 calls)', page(''));
await explain('history page, mobile only', page(` AND c.profile_id = ANY(ARRAY(SELECT p.id FROM call_profile p WHERE p.category = 'mobile'))`));
await explain(
  'totals per category of the month (call_total)',
  `SELECT t.category, sum(t.calls), sum(t.seconds), sum(t.list_price_ticks), sum(t.charged_ticks) FROM call_total t WHERE t.account_id = '${one}' AND t.period = '2026-10' GROUP BY t.category`,
);
// the calls summed per profile (and line) first, the sums joined to their profiles (history-store.ts)
await explain(
  'totals per category of a date range (the calls)',
  `SELECT p.category, sum(g.calls), sum(g.seconds), sum(g.list_price_ticks), sum(g.charged_ticks)
   FROM (SELECT c.profile_id, count(*) AS calls, sum(c.answered_seconds) AS seconds, sum(c.list_price_ticks) AS list_price_ticks, sum(c.charged_ticks) AS charged_ticks
         FROM call_record c WHERE ${where} GROUP BY c.profile_id) g JOIN call_profile p ON p.id = g.profile_id GROUP BY p.category`,
);
await explain(
  'per-user summary',
  `SELECT g.account_id, g.line, p.category, sum(g.calls), sum(g.seconds), sum(g.charged_ticks)
   FROM (SELECT c.account_id, c.line, c.profile_id, count(*) AS calls, sum(c.answered_seconds) AS seconds, sum(c.charged_ticks) AS charged_ticks
         FROM call_record c WHERE ${where} GROUP BY 1, 2, 3) g JOIN call_profile p ON p.id = g.profile_id GROUP BY 1, 2, 3`,
);
await explain(
  "per-user summary: the account's lines of the month, those without a call too",
  `SELECT s.account_id, s.line, max(u.name), max(x.name), array_remove(array_agg(DISTINCT s.plan_id) || array_agg(DISTINCT s.mobile_plan_id), NULL)
   FROM subscription s
   LEFT JOIN pbx_user u ON u.pbx_id = s.pbx_id AND u.number = s.line AND u.valid_from < '2026-11-01' AND (u.valid_to IS NULL OR u.valid_to > '2026-10-01')
   LEFT JOIN pbx x ON x.id = s.pbx_id
   WHERE s.account_id = ANY('{${one}}'::text[]) AND s.valid_from < '2026-11-01' AND (s.valid_to IS NULL OR s.valid_to > '2026-10-01')
   GROUP BY s.account_id, s.line`,
);
await explain('token', `SELECT scope, scope_id FROM api_token WHERE hash = 'x' AND revoked_at IS NULL`);
await database.close();

// 4. Load
const port = 18_000 + Math.floor(Math.random() * 1000);
const serve = spawn(process.execPath, ['bin/cdrbill.js', '--db', url.toString(), 'serve', '--port', String(port)], {
  env: { ...process.env, CDRBILL_DB_CONNECTIONS: '8' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
await new Promise<void>((resolve) => serve.stderr.on('data', (d: Buffer) => (d.toString().includes('portal on') ? resolve() : undefined)));

interface Figures {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly rps: number;
}

/** CPU milliseconds used so far by the server, by the PostgreSQL backends of the bench's database, and by this process (autocannon). */
async function cpuNow(): Promise<{ server: number; postgres: number; load: number }> {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const pids = (await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [NAME])).rows;
  await client.end();
  const own = process.cpuUsage();
  return { server: processCpuMs(serve.pid!), postgres: pids.reduce((sum, r) => sum + processCpuMs(r.pid), 0), load: (own.user + own.system) / 1000 };
}

/** The q-quantile of sorted values. */
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** Loads one endpoint; latency percentiles from every response's own time (autocannon reports no p95). */
async function load(label: string, path: (account: string) => string, duration = DURATION): Promise<Figures> {
  let n = 0;
  const times: number[] = [];
  let failed = 0;
  let done: (result: autocannon.Result) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve) => {
    done = resolve;
  });
  const cpu0 = await cpuNow();
  const instance = autocannon(
    {
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration,
      requests: [
        {
          setupRequest: (request) => {
            const account = sample[n++ % sample.length]!;
            return { ...request, path: path(account), headers: { authorization: `Bearer ${tokens.get(account)}` } };
          },
        },
      ],
    },
    (_error, result) => done(result),
  );
  instance.on('response', (_client, status, _bytes, ms) => {
    times.push(ms);
    if (status !== 200) failed++;
  });
  const result = await finished;
  const cpu1 = await cpuNow();
  times.sort((x, y) => x - y);
  const figures = { p50: quantile(times, 0.5), p95: quantile(times, 0.95), p99: quantile(times, 0.99), rps: times.length / duration };
  const ms = (v: number) => v.toFixed(1);
  const perRequest = (cpu: number) => (cpu / Math.max(1, times.length)).toFixed(2);
  console.log(
    `${label.padEnd(24)} p50 ${ms(figures.p50)} ms  p95 ${ms(figures.p95)} ms  p99 ${ms(figures.p99)} ms  ${Math.round(figures.rps)} req/s  (not 200: ${failed}, errors ${result.errors}); ` +
      `CPU a request: server ${perRequest(cpu1.server - cpu0.server)} ms, PostgreSQL ${perRequest(cpu1.postgres - cpu0.postgres)} ms, load generator ${perRequest(cpu1.load - cpu0.load)} ms`,
  );
  return figures;
}
{
  // the server's buffer cache: the sampled accounts' pages fit in it or are read from the OS's cache
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const buffers = (await client.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers;
  await client.end();
  console.log(
    `\nload: ${CONNECTIONS} connections, ${DURATION} s per endpoint, ${new Set(sample).size} random accounts, ${calls.toLocaleString('en-US')} calls; PostgreSQL shared_buffers ${buffers}`,
  );
}
// a warm-up, not counted: the server's code compiled, its connections and the sample's tokens looked up
await load('(warm-up)', (a) => `/api/accounts/${a}/calls?period=2026-10&limit=50`, 3);
// the month as it arrived (the current month reads so): an account's calls each on a heap page of its own
const compactedBefore = await (async () => {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const row = (await client.query<{ n: string }>("SELECT count(*) AS n FROM month_compaction WHERE period = '2026-10'")).rows[0]!;
  await client.end();
  return Number(row.n) > 0;
})();
if (compactedBefore) console.log('(the month was compacted by an earlier run: its pages as it arrived are not measured; drop the database to measure them)');
else await load('history, as it arrived', (a) => `/api/accounts/${a}/calls?period=2026-10&limit=50`);
{
  // month end: the month invoiced and closed, its history rewritten in account order (nightly --close-month)
  const t0 = performance.now();
  const out = cli(['compact', '--period', '2026-10']).trim();
  console.log(`${out} (${((performance.now() - t0) / 1000).toFixed(1)} s with the command's start); the endpoints below read the closed month`);
}
await load('(warm-up)', (a) => `/api/accounts/${a}/calls?period=2026-10&limit=50`, 3);
const history = await load('history page + totals', (a) => `/api/accounts/${a}/calls?period=2026-10&limit=50`);
await load('history, mobile only', (a) => `/api/accounts/${a}/calls?period=2026-10&limit=50&category=mobile`);
await load('per-user summary', (a) => `/api/accounts/${a}/summary?period=2026-10`);
await load('CSV of the month', (a) => `/api/accounts/${a}/calls.csv?period=2026-10`, Math.min(DURATION, 10));

// 5. A busy PBX's month as CSV: 50,000 calls of one account, streamed; the server's memory before and after
{
  const busy = accounts.find((a) => a.startsWith('B-'))!;
  const db = await openDatabase({ url: url.toString() });
  const line = (await db.db.selectFrom('subscription').select('line').where('account_id', '=', busy).executeTakeFirstOrThrow()).line;
  const token = (await createToken(db, { kind: 'account', id: busy }, 'bench', new Date())).token;
  await db.close();
  const dir = mkdtempSync(join(tmpdir(), 'cdrbill-portal-busy-'));
  const file = join(dir, 'busy.csv');
  const rows = ['record_id,started_at,answered_seconds,calling_number,called_number,direction,billed_line,device,forwarded_from'];
  const start = Date.parse('2026-10-01T06:00:00Z');
  for (let i = 0; i < 50_000; i++) {
    rows.push(
      `busy-${i},${new Date(start + i * 50_000).toISOString()},${30 + (i % 600)},${line},0${['20', '10', '30'][i % 3]}${String(1000000 + i).slice(-7)},outgoing,${line},fixed,`,
    );
  }
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, `${rows.join('\n')}\n`);
  cli(['ingest', file]);
  rmSync(dir, { recursive: true, force: true });
  const rss = () => {
    const status = execFileSync('cat', [`/proc/${serve.pid}/status`], { encoding: 'utf8' });
    return { now: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024, peak: Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024 };
  };
  const before = rss();
  const t0 = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/accounts/${busy}/calls.csv?period=2026-10`, { headers: { authorization: `Bearer ${token}` } });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 10) lines++;
  }
  const after = rss();
  console.log(
    `CSV of a busy month: ${busy}, ${(lines - 1).toLocaleString('en-US')} calls, ${(bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(2)} s; server RSS ${before.now.toFixed(0)} MB before, ${after.now.toFixed(0)} MB after, peak ${before.peak.toFixed(0)} → ${after.peak.toFixed(0)} MB`,
  );
}
serve.kill('SIGTERM');

console.log(`bench:portal p95_ms=${history.p95.toFixed(1)} p99_ms=${history.p99.toFixed(1)} rps=${Math.round(history.rps)} calls=${calls}`);
