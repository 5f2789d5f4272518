/**
 * A month's history rewritten in account order. Calls arrive in switch order, so each call of an
 * account lies on a heap page of its own: a page of 50 calls in the portal reads ~50 heap pages, and
 * a per-user summary one per call. Rewritten in the history's own order (account, start, feed,
 * record id) an account's month is a few consecutive pages.
 *
 * The rewrite is a sorted copy beside the month's partition, swapped in: readers go on reading the
 * month meanwhile; writers wait (ingests by the ingest lock, taken exclusively; any other writer of
 * the month by the partition's EXCLUSIVE lock). The swap itself, detaching the old partition and
 * attaching the copy, holds the history exclusively for a moment; it gives up after a few seconds
 * of waiting for a long reader, and tries again. One transaction: killed, nothing changed.
 */
import { sql } from 'kysely';
import { formatPeriod, type Period } from '../domain/period.js';
import { partitionBounds, partitionName, partitionRange } from './call-store.js';
import { LOCK, type Database } from './database.js';

export interface CompactionOptions {
  /** how long the swap waits for the history's readers before it tries again */
  readonly lockTimeoutMs?: number;
  readonly swapAttempts?: number;
}

/** PostgreSQL's SQLSTATE for a lock not obtained within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rewrites the month's calls in account order; the calls moved, or undefined when the month has no partition (no calls). */
export async function compactMonth(database: Database, period: Period, now: Date, options: CompactionOptions = {}): Promise<{ calls: number } | undefined> {
  const name = partitionName(period);
  const copy = `${name}_compact`;
  return database.session(async (session) => {
    const run = (statement: string) => sql.raw(statement).execute(session.db);
    await sql`SELECT pg_advisory_xact_lock(${LOCK.ingest})`.execute(session.db);
    const found = await sql<{ found: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS found`.execute(session.db);
    if (!found.rows[0]?.found) return undefined;
    await run(`LOCK TABLE ${name} IN EXCLUSIVE MODE`);
    const indexes = await sql<{ name: string; definition: string }>`
      SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ${name}::regclass ORDER BY c.relname`.execute(session.db);

    // the copy: the history's columns, defaults and checks, and the partition's bounds as a check of
    // its own, so that attaching it needs no scan to prove them
    await run(`CREATE TABLE ${copy} (LIKE call_record INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const range = partitionRange(period);
    await run(`ALTER TABLE ${copy} ADD CONSTRAINT ${copy}_bounds CHECK (started_at IS NOT NULL AND started_at >= ${range.from} AND started_at < ${range.to})`);
    if (database.kind === 'postgres') {
      await run(`SET LOCAL work_mem = '256MB'`);
      await run(`SET LOCAL maintenance_work_mem = '512MB'`);
    }
    // by name: a partition attached from elsewhere may hold the columns in another order
    const columns = await sql<{ list: string }>`
      SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS list FROM pg_attribute
      WHERE attrelid = 'call_record'::regclass AND attnum > 0 AND NOT attisdropped`.execute(session.db);
    const list = columns.rows[0]!.list;
    const moved = await sql
      .raw(`INSERT INTO ${copy} (${list}) SELECT ${list} FROM ${name} ORDER BY account_id, started_at, source, record_id`)
      .execute(session.db);
    const temporary = indexes.rows.map((index, i) => ({ ...index, temporary: `${copy}_${i}` }));
    for (const index of temporary) await run(renamedIndexDefinition(index.definition, index.temporary, name, copy));
    await run(`ANALYZE ${copy}`);

    await swap(run, options, async () => {
      await run(`ALTER TABLE call_record DETACH PARTITION ${name}`);
      await run(`DROP TABLE ${name}`);
      await run(`ALTER TABLE ${copy} RENAME TO ${name}`);
      for (const index of temporary) await run(`ALTER INDEX ${index.temporary} RENAME TO ${index.name}`);
      await run(`ALTER TABLE call_record ATTACH PARTITION ${name} FOR VALUES ${partitionBounds(period)}`);
      await run(`ALTER TABLE ${name} DROP CONSTRAINT ${copy}_bounds`);
    });

    const calls = Number(moved.numAffectedRows ?? 0n);
    await session.db
      .insertInto('month_compaction')
      .values({ period: formatPeriod(period), compacted_at: now, calls })
      .onConflict((oc) => oc.column('period').doUpdateSet({ compacted_at: now, calls }))
      .execute();
    return { calls };
  });
}

/** An index's definition (pg_get_indexdef) as the same index of another table, under another name. */
function renamedIndexDefinition(definition: string, index: string, table: string, copy: string): string {
  const match = /^CREATE (UNIQUE )?INDEX \S+ ON (\S+\.)?(\S+) (USING .*)$/.exec(definition);
  if (!match || match[3] !== table) throw new Error(`cannot read the index definition "${definition}" of ${table}`);
  return `CREATE ${match[1] ?? ''}INDEX ${index} ON ${copy} ${match[4]}`;
}

/**
 * Runs the swap in a savepoint with a lock timeout: it waits at most `lockTimeoutMs` for the readers
 * of the history (each new reader queues behind a waiting swap, so it must not wait long), then
 * tries again after a pause.
 */
async function swap(run: (statement: string) => Promise<unknown>, options: CompactionOptions, work: () => Promise<void>): Promise<void> {
  const attempts = options.swapAttempts ?? 20;
  for (let attempt = 1; ; attempt++) {
    await run('SAVEPOINT compaction_swap');
    try {
      await run(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs ?? 2_000))}`);
      await work();
      await run('SET LOCAL lock_timeout = 0');
      await run('RELEASE SAVEPOINT compaction_swap');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt >= attempts) throw error;
      await run('ROLLBACK TO SAVEPOINT compaction_swap');
      await pause(500 * attempt);
    }
  }
}

/** Whether the month was compacted. */
export async function isMonthCompacted(database: Database, period: Period): Promise<boolean> {
  const row = await database.db.selectFrom('month_compaction').select('period').where('period', '=', formatPeriod(period)).executeTakeFirst();
  return row !== undefined;
}
