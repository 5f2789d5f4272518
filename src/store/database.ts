/**
 * The database: PostgreSQL through `pg` when a URL is given, else the embedded PGlite in a folder.
 * Both speak the same SQL and run the same migrations; `session` gives one connection in one
 * transaction with COPY for bulk writes.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Mutex, PGliteDialect } from './pglite-dialect.js';
import type { Schema } from './schema.js';
import { fnv1a } from './fnv1a.js';

/**
 * Advisory lock keys: ingests hold `ingest` shared for their transaction (reading the invoice
 * watermark takes it exclusively); one invoice run and one nightly run at a time. With a second key:
 * `file` (a file's content, when workers ingest), `allocation` (a bucket of bundle scopes) and
 * `partitions` (creating a month's partition).
 */
export const LOCK = {
  ingest: 0x63647201,
  invoiceRun: 0x63647202,
  nightly: 0x63647203,
  file: 0x63647204,
  allocation: 0x63647205,
  partitions: 0x63647206,
} as const;

export interface Session {
  readonly db: Kysely<Schema>;
  /** Bulk-loads rows into `table (columns)`: CSV text without a header, or PostgreSQL's binary copy format. */
  copyFrom(table: string, columns: readonly string[], data: string | Uint8Array, format: CopyFormat): Promise<void>;
}

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** where it is, for messages: the data folder, or the URL without password */
  readonly location: string;
  readonly db: Kysely<Schema>;
  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  session<T>(work: (session: Session) => Promise<T>): Promise<T>;
  /**
   * Runs `work` while holding an advisory lock for the whole run (on a connection of its own); when
   * another process holds it, returns { acquired: false } at once. The embedded database is opened
   * by one process at a time, so there it always acquires, after the runs before it in this process.
   */
  exclusively<T>(key: number, work: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }>;
  /**
   * Runs a read statement prepared once per connection (PostgreSQL: parsed and planned once, then
   * executed with each call's parameters), or as a plain query on the embedded database. For hot
   * paths whose statement text repeats (the portal's history page).
   */
  prepared<R>(query: CompiledQuery): Promise<R[]>;
  close(): Promise<void>;
}

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const asText = (value: string): string => value;

// int8 and numeric stay strings (exact), dates stay 'YYYY-MM-DD' (no local-time Date objects).
pg.types.setTypeParser(INT8, asText);
pg.types.setTypeParser(NUMERIC, asText);
pg.types.setTypeParser(DATE, asText);

/**
 * Where to run a statement that must not wait on `session`'s transaction (recording a label or a
 * call profile that concurrent writers may meet too: inside their transactions they would wait on
 * each other, or deadlock): on PostgreSQL the pool, another connection, autocommitted; the embedded
 * database has one connection and one writer, and runs it in the session.
 */
export function outsideTransaction(database: Database, session: Session): Kysely<Schema> {
  return database.kind === 'postgres' ? database.db : session.db;
}

export type CopyFormat = 'csv' | 'binary';

function copyStatement(table: string, columns: readonly string[], from: string, format: CopyFormat): string {
  return `COPY ${table} (${columns.join(', ')}) FROM ${from} WITH (FORMAT ${format})`;
}

/** Runs `work` between BEGIN and COMMIT on one connection; ROLLBACK when it throws. */
async function inTransaction<T>(run: (statement: string) => Promise<unknown>, work: () => Promise<T>): Promise<T> {
  await run('BEGIN');
  try {
    const result = await work();
    await run('COMMIT');
    return result;
  } catch (error) {
    await run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001']);

/** Whether an error says the database connection was lost (a restart, a network cut, a killed backend). */
export function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (e?.code && CONNECTION_CODES.has(e.code)) return true;
  return /Connection terminated|connection (is )?closed|Client has encountered a connection error|terminating connection/i.test(e?.message ?? '');
}

/** The connection to the database was lost while doing something; what it was doing is in the message. */
export class ConnectionLost extends Error {}

/** A URL fit to print: its password masked (anything that does not parse as a URL is not shown). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(a URL that cannot be parsed)';
  }
}

async function openPostgres(url: string, connections: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  // an idle connection the server closed (a restart, a dropped database) is discarded by the pool;
  // the next query reports the problem. Without a listener the event would end the process.
  pool.on('error', () => undefined);
  // likewise for a connection in use: its query fails with the error, which is what reports it
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  /** prepared statements' names by their text (a hash of ~1.5 KB of text per request was 1 % of the portal's CPU) */
  const statementNames = new Map<string, string>();
  return {
    kind: 'postgres',
    location: redactUrl(url),
    db,
    async session(work) {
      const client = await pool.connect();
      const borrowed = { query: client.query.bind(client), release: () => {} };
      const single = { connect: async () => borrowed, end: async () => {} };
      const sessionDb = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: single as unknown as pg.Pool }) });
      const session: Session = {
        db: sessionDb,
        async copyFrom(table, columns, data, format) {
          const stream = client.query(copyFromStdin(copyStatement(table, columns, 'STDIN', format)));
          await pipeline(Readable.from([data]), stream);
        },
      };
      try {
        return await inTransaction(
          (statement) => client.query(statement),
          () => work(session),
        );
      } finally {
        client.release();
      }
    },
    async prepared<R>(query: CompiledQuery) {
      // the name says which text it stands for: one prepared statement per distinct text and connection
      let name = statementNames.get(query.sql);
      if (name === undefined) {
        name = `cdrbill_${(fnv1a(query.sql) >>> 0).toString(36)}_${query.sql.length}`;
        if (statementNames.size < 1_000) statementNames.set(query.sql, name);
      }
      const result = await pool.query({ name, text: query.sql, values: query.parameters as unknown[] });
      return result.rows as R[];
    },
    async exclusively(key, work) {
      const client = await pool.connect();
      try {
        const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
        if (!locked.rows[0]?.ok) return { acquired: false };
        try {
          return { acquired: true, value: await work() };
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
        }
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, {
    parsers: { [INT8]: asText, [NUMERIC]: asText, [DATE]: asText },
  });
  const mutex = new Mutex();
  const turns = new Map<number, Promise<void>>();
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(pglite, mutex) });
  return {
    kind: 'pglite',
    location: dataDir ?? '(in memory)',
    db,
    async session(work) {
      const release = await mutex.acquire();
      const sessionDb = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
      const session: Session = {
        db: sessionDb,
        async copyFrom(table, columns, data, format) {
          await pglite.query(copyStatement(table, columns, "'/dev/blob'", format), [], { blob: new Blob([data]) });
        },
      };
      try {
        return await inTransaction(
          (statement) => pglite.exec(statement),
          () => work(session),
        );
      } finally {
        release();
      }
    },
    async prepared<R>(query: CompiledQuery) {
      return (await db.executeQuery<R>(query)).rows;
    },
    async exclusively(key, work) {
      // one process opens the embedded database; within it, runs of the same key take turns
      const before = turns.get(key) ?? Promise.resolve();
      let done!: () => void;
      const mine = new Promise<void>((resolve) => {
        done = resolve;
      });
      turns.set(key, mine);
      await before;
      try {
        return { acquired: true, value: await work() };
      } finally {
        done();
        if (turns.get(key) === mine) turns.delete(key);
      }
    },
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}

/**
 * Refreshes the planner's statistics of tables that changed by more than a tenth since they were
 * last analyzed (a month's calls just ingested, a customer base just loaded): without them PostgreSQL
 * plans a million fresh rows as a few hundred. Autovacuum would get there, but not before the next
 * command of a nightly run. Other sessions' temporary tables (a worker's staged month totals) are
 * not ours to analyze, and a table gone by the time its turn comes (such a session ended) is passed.
 */
export async function analyzeChangedTables(database: Database): Promise<string[]> {
  const stale = await sql<{ name: string }>`
    SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname) AS name
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE c.relpersistence <> 't' AND s.n_mod_since_analyze > greatest(500, s.n_live_tup / 10)`.execute(database.db);
  const analyzed: string[] = [];
  for (const { name } of stale.rows) {
    try {
      await sql.raw(`ANALYZE ${name}`).execute(database.db);
      analyzed.push(name);
    } catch (error) {
      if ((error as { code?: string }).code !== UNDEFINED_TABLE) throw error;
    }
  }
  return analyzed;
}

/** PostgreSQL's SQLSTATE for a relation that does not exist. */
const UNDEFINED_TABLE = '42P01';

/** Asks the database to answer: fails when it cannot be reached. */
export async function ping(database: Database): Promise<void> {
  await sql`SELECT 1`.execute(database.db);
}

/** PostgreSQL connections per process unless told otherwise */
export const DEFAULT_CONNECTIONS = 4;

export interface DatabaseOptions {
  /** `postgres://…`; when absent the embedded database is used */
  readonly url?: string;
  /** folder of the embedded database; undefined keeps it in memory */
  readonly dataDir?: string;
  /** PostgreSQL connections in the pool (DEFAULT_CONNECTIONS; an ingest needs two: see outsideTransaction) */
  readonly connections?: number;
}

/** Opens the database the options name. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.connections ?? DEFAULT_CONNECTIONS) : openPglite(options.dataDir);
}
