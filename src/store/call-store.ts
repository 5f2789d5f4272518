/**
 * Call history: bulk writes of rated calls (their keys and rows COPYed straight in; through staging
 * tables when a batch meets a duplicate key), rejects, ingest bookkeeping, and the portal's queries.
 */
import { sql, type Selectable } from 'kysely';
import { amsterdamParts } from '../domain/amsterdam-time.js';
import type { Reject } from '../domain/cdr.js';
import { formatPeriod, periodEnd, periodStart, type Period } from '../domain/period.js';
import type { RatedCall } from '../rating/rate-cdr.js';
import { LOCK, outsideTransaction, type Database, type Session } from './database.js';
import type { AllocationScope } from './allocation-store.js';
import { CopyBinaryWriter } from './copy-binary-writer.js';
import { fnv1aJoined } from './fnv1a.js';
import { tariffVersionId } from './tariff-version-store.js';
import { labelId, recordLabels } from './hashed-labels.js';
import { identifyProfile, recordCallProfiles, type IdentifiedProfile } from './call-profile-store.js';
import { addToCallTotals, type CallTotalSums } from './call-total-store.js';

/** call_record's columns, in its order (migration 0017): what rating decided that calls share is their profile */
const CALL_COLUMNS = [
  'started_at',
  'profile_id',
  'list_price_ticks',
  'charged_ticks',
  'setup_at',
  'answered_seconds',
  'billed_seconds',
  'covered_seconds',
  'file_id',
  'line_no',
  'store_seq',
  'answered',
  'account_id',
  'source',
  'record_id',
  'line',
  'calling_number',
  'called_number',
  'destination',
  'forwarded_from',
  'bands',
] as const;

/** Band parts as stored: `peak:45;offpeak:15`. */
export function bandsText(bands: RatedCall['rating']['bands']): string {
  let out = '';
  for (const b of bands) out += `${out ? ';' : ''}${b.band}:${b.seconds}`;
  return out;
}

/** The profile of a rated call, with its id. */
export function profileOfCall(call: RatedCall): IdentifiedProfile {
  const { cdr, rating, destination } = call;
  return identifyProfile({
    planId: call.planId,
    direction: cdr.direction,
    device: cdr.device,
    category: destination?.category ?? null,
    subclass: destination?.subclass ?? null,
    country: destination?.country?.region ?? null,
    tariffVersionId: tariffVersionId(rating.tariffVersion),
    rateMatch: rating.rateMatch,
    ratePerMinuteMicros: rating.ratePerMinuteMicros ?? null,
    setupFeeTicks: rating.setupFeeTicks,
    allowance: rating.allowance ?? null,
    freeReason: rating.freeReason ?? null,
  });
}

/** One rated call as a COPY row in CALL_COLUMNS order. */
function writeRatedCallRow(out: CopyBinaryWriter, call: RatedCall, profileId: number, lineNo: number, fileId: number, storeSeq: number): void {
  const { cdr, rating, destination } = call;
  out
    .timestamp(cdr.startedAtMs)
    .int8(profileId)
    .int8(rating.listPriceTicks)
    .int8(rating.chargedTicks)
    .timestamp(cdr.setupAtMs)
    .int4(cdr.answeredSeconds)
    .int4(rating.billedSeconds)
    .int4(rating.coveredSeconds)
    .int4(fileId)
    .int4(lineNo)
    .int4(storeSeq)
    .bool(cdr.answered)
    .text(call.accountId)
    .text(cdr.source)
    .text(cdr.recordId)
    .text(cdr.billedLine)
    .text(cdr.callingNumber)
    .text(cdr.calledNumber)
    .text(destination?.number)
    .text(cdr.forwardedFrom)
    .text(bandsText(rating.bands))
    .endRow();
}

/** Per category: what a write stored anew. */
export interface CategoryTotals {
  calls: number;
  billedSeconds: number;
  listPriceTicks: bigint;
}

export interface WriteResult {
  readonly inserted: number;
  readonly duplicates: number;
  /** duplicates whose fields differ from the stored call */
  readonly differing: number;
  readonly byCategory: ReadonlyMap<string, CategoryTotals>;
}

/**
 * Rated calls of one file as COPY rows, with what storing them needs to know. Plain data with the
 * rows as bytes: a batch rated in a worker thread crosses to the writer without a copy.
 */
export interface RatedCallRows {
  readonly count: number;
  /** the rows in CALL_COLUMNS order, in PostgreSQL's binary COPY format */
  readonly copy: Uint8Array;
  /** the months (Amsterdam) the calls fall in: their partitions must exist */
  readonly periods: readonly Period[];
  readonly totals: ReadonlyMap<string, CategoryTotals>;
  /** account and month of the calls a bundle may cover: their allocation must be recomputed */
  readonly bundleScopes: ReadonlyMap<string, AllocationScope>;
  /** each row's duplicate key and the fingerprint of its fields, in row order, as cdr_key COPY rows */
  readonly keys: Uint8Array;
  /** the profiles the rows refer to: recorded before the rows are written (recordCallProfiles) */
  readonly profiles: readonly IdentifiedProfile[];
  /** the feeds the keys name: recorded before the keys are written */
  readonly sources: readonly string[];
}

/** cdr_key's columns: the feed by its id in cdr_source (hashed-labels.ts) */
const KEY_COLUMNS = ['source_id', 'record_id', 'fingerprint'] as const;

/** A 32-bit fingerprint of what identifies a call besides its key: to tell a re-sent record whose fields differ. */
function fingerprint(call: RatedCall): number {
  return fnv1aJoined(call.accountId, call.cdr.startedAtMs, call.cdr.answeredSeconds, call.cdr.calledNumber);
}

/** Rated calls of one file, serialized for COPY as they are rated, with their totals. */
export class RatedCallBatch {
  private readonly rows: CopyBinaryWriter;
  private readonly periods = new Map<number, Period>();
  private readonly periodTexts = new Map<number, string>();
  /** per category: calls, billed seconds and list price ticks (numbers: a batch's sums stay far below 2^53; BigInt when sealed) */
  private readonly totals = new Map<string, { calls: number; billedSeconds: number; listPriceTicks: number }>();
  /** the feed of the previous call and its id (a file's calls are of one feed) */
  private lastSource: string | undefined;
  private lastSourceId = 0;
  private readonly bundleScopes = new Map<string, AllocationScope>();
  private readonly keys: CopyBinaryWriter;
  private readonly profiles = new Map<number, IdentifiedProfile>();
  private readonly sources = new Set<string>();

  /**
   * `fileId`: the ingest file the calls were read from; `storeSeq`: the transaction that stores them
   * (the same id for an ingest; invoices claim calls by it); `callTotals`: summed into as calls are
   * added, for the writer to add to call_total once (addCallTotals); `expectedBytes`: the size of
   * the previous batch, say, to allocate once.
   */
  constructor(
    readonly fileId: number,
    readonly storeSeq: number,
    /** where the calls are summed by call_total's key (for the file, or the transaction) */
    private readonly callTotals: CallTotalSums,
    expectedBytes = 1 << 20,
  ) {
    this.rows = new CopyBinaryWriter(CALL_COLUMNS.length, Math.max(4096, expectedBytes + (expectedBytes >> 3)));
    this.keys = new CopyBinaryWriter(KEY_COLUMNS.length, Math.max(4096, expectedBytes >> 3));
  }

  get size(): number {
    return this.rows.rows;
  }

  add(call: RatedCall, lineNo: number): void {
    const profile = profileOfCall(call);
    if (!this.profiles.has(profile.id)) this.profiles.set(profile.id, profile);
    writeRatedCallRow(this.rows, call, profile.id, lineNo, this.fileId, this.storeSeq);
    const source = call.cdr.source;
    if (source !== this.lastSource) {
      this.sources.add(source);
      this.lastSource = source;
      this.lastSourceId = labelId(source);
    }
    this.keys.int4(this.lastSourceId).text(call.cdr.recordId).int4(fingerprint(call)).endRow();
    const p = amsterdamParts(call.cdr.startedAtMs);
    const key = p.year * 100 + p.month;
    let period = this.periodTexts.get(key);
    if (period === undefined) {
      this.periods.set(key, { year: p.year, month: p.month });
      period = formatPeriod(p);
      this.periodTexts.set(key, period);
    }
    if (call.rating.allowance?.startsWith('bundle:')) {
      const scope = `${call.accountId}|${key}`;
      if (!this.bundleScopes.has(scope)) this.bundleScopes.set(scope, { accountId: call.accountId, period: { year: p.year, month: p.month } });
    }
    const category = call.destination?.category ?? 'incoming';
    this.callTotals.add(
      call.accountId,
      period,
      category,
      call.cdr.direction,
      call.cdr.answered,
      call.cdr.answeredSeconds,
      call.rating.listPriceTicks,
      call.rating.chargedTicks,
    );
    const t = this.totals.get(category);
    if (t) {
      t.calls++;
      t.billedSeconds += call.rating.billedSeconds;
      t.listPriceTicks += call.rating.listPriceTicks;
    } else {
      this.totals.set(category, { calls: 1, billedSeconds: call.rating.billedSeconds, listPriceTicks: call.rating.listPriceTicks });
    }
  }

  /** The batch as plain data; add nothing after. */
  seal(): RatedCallRows {
    return {
      count: this.size,
      copy: this.rows.finish(),
      periods: [...this.periods.values()],
      totals: new Map(
        [...this.totals].map(([category, t]) => {
          if (!Number.isSafeInteger(t.listPriceTicks)) throw new Error(`a batch's list price of ${category} calls exceeds exact number arithmetic`);
          return [category, { calls: t.calls, billedSeconds: t.billedSeconds, listPriceTicks: BigInt(t.listPriceTicks) }];
        }),
      ),
      bundleScopes: this.bundleScopes,
      keys: this.keys.finish(),
      profiles: [...this.profiles.values()],
      sources: [...this.sources],
    };
  }
}

/** Partitions known to exist, per session (a session is one transaction). */
const knownPartitions = new WeakMap<Session, Set<string>>();

/** The history's partition of a month (Amsterdam). */
export function partitionName(period: Period): string {
  return `rated_call_${period.year}_${String(period.month).padStart(2, '0')}`;
}

/** A month's partition bounds as SQL literals: [from, to) instants. */
export function partitionRange(period: Period): { from: string; to: string } {
  return { from: `'${periodStart(period).toISOString()}'`, to: `'${periodEnd(period).toISOString()}'` };
}

/** A month's partition bounds as written in its FOR VALUES clause. */
export function partitionBounds(period: Period): string {
  const { from, to } = partitionRange(period);
  return `FROM (${from}) TO (${to})`;
}

function createPartitionStatement(period: Period): string {
  return `CREATE TABLE IF NOT EXISTS ${partitionName(period)} PARTITION OF call_record FOR VALUES ${partitionBounds(period)}`;
}

/**
 * A batch's calls fall in months whose partitions do not exist, and its transaction may not create
 * them: creating a partition locks the whole history, which other files' transactions hold open.
 * `createPartitions` in a transaction of its own, then store the file again.
 */
export class MissingPartitions extends Error {
  constructor(readonly periods: readonly Period[]) {
    super(`the history has no partition for ${periods.map(formatPeriod).join(', ')}`);
  }
}

/**
 * How a transaction that stores calls gets the monthly partitions it needs: `create` them in it (one
 * process stores at a time), or `refuse` (MissingPartitions) when other transactions may be storing
 * calls concurrently and would deadlock with it.
 */
export type NewPartitions = 'create' | 'refuse';

/** Makes sure the monthly partitions (Amsterdam months) that the calls fall in exist. */
async function ensurePartitions(session: Session, periods: Iterable<Period>, mode: NewPartitions): Promise<void> {
  const known = knownPartitions.get(session) ?? new Set<string>();
  knownPartitions.set(session, known);
  const missing: Period[] = [];
  for (const period of periods) {
    const name = partitionName(period);
    if (known.has(name)) continue;
    if (mode === 'create') await sql.raw(createPartitionStatement(period)).execute(session.db);
    else {
      const found = await sql<{ found: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS found`.execute(session.db);
      if (!found.rows[0]?.found) {
        missing.push(period);
        continue;
      }
    }
    known.add(name);
  }
  if (missing.length > 0) throw new MissingPartitions(missing);
}

/** Creates the months' partitions, in a transaction of its own (waits for the transactions storing calls). */
export async function createPartitions(database: Database, periods: readonly Period[]): Promise<void> {
  await database.session(async (session) => {
    await sql`SELECT pg_advisory_xact_lock(${LOCK.partitions})`.execute(session.db);
    for (const period of periods) await sql.raw(createPartitionStatement(period)).execute(session.db);
  });
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}

/**
 * Writes a batch of rated calls. A call whose (source, record id) was stored before, in any account
 * or month, or earlier in the batch, is a duplicate and is not written again; `differing` counts the
 * duplicates whose account, start, seconds or number differ from the stored call (the first is kept).
 * The profiles the calls refer to are recorded first (recordCallProfiles). The batch's calls were
 * summed for call_total as they were added (RatedCallBatch), for the caller to add once; a write that
 * meets duplicates takes back from call_total the rows it did not store.
 */
export async function writeRatedCalls(
  database: Database,
  session: Session,
  batch: RatedCallRows,
  newPartitions: NewPartitions = 'create',
): Promise<WriteResult> {
  if (batch.count === 0) return { inserted: 0, duplicates: 0, differing: 0, byCategory: new Map() };
  await recordCallProfiles(database, session, batch.profiles);
  await recordLabels(
    database,
    outsideTransaction(database, session),
    'cdr_source',
    batch.sources,
    (label, other) => `the feed "${label}" has the id of the feed "${other}": name it otherwise (--source)`,
  );
  await ensurePartitions(session, batch.periods, newPartitions);
  // the common case: every call is new, and the keys and rows go straight in
  await sql.raw('SAVEPOINT rated_batch').execute(session.db);
  try {
    await session.copyFrom('cdr_key', KEY_COLUMNS, batch.keys, 'binary');
    await session.copyFrom('call_record', CALL_COLUMNS, batch.copy, 'binary');
    await sql.raw('RELEASE SAVEPOINT rated_batch').execute(session.db);
    return { inserted: batch.count, duplicates: 0, differing: 0, byCategory: batch.totals };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await sql.raw('ROLLBACK TO SAVEPOINT rated_batch').execute(session.db);
  }
  // some keys were stored before: stage the batch, store the new keys (the first row of a key
  // repeated in the batch wins) and write exactly their calls
  await sql.raw('CREATE TEMP TABLE IF NOT EXISTS call_record_stage (LIKE call_record) ON COMMIT DELETE ROWS').execute(session.db);
  await sql.raw('CREATE TEMP TABLE IF NOT EXISTS cdr_key_stage (n serial, LIKE cdr_key) ON COMMIT DELETE ROWS').execute(session.db);
  await sql.raw('TRUNCATE call_record_stage, cdr_key_stage').execute(session.db);
  await session.copyFrom('call_record_stage', CALL_COLUMNS, batch.copy, 'binary');
  await session.copyFrom('cdr_key_stage', KEY_COLUMNS, batch.keys, 'binary');
  const keys = sql.raw('cdr_key_stage b');
  const result = await sql<{ category: string | null; calls: string; billed_seconds: string; list_price_ticks: string }>`
    WITH new_key AS (
      INSERT INTO cdr_key (source_id, record_id, fingerprint)
      SELECT DISTINCT ON (source_id, record_id) source_id, record_id, fingerprint FROM ${keys} ORDER BY source_id, record_id, n
      ON CONFLICT DO NOTHING
      RETURNING source_id, record_id
    ), inserted AS (
      INSERT INTO call_record (${sql.raw(CALL_COLUMNS.join(', '))})
      SELECT DISTINCT ON (s.source, s.record_id) ${sql.raw(CALL_COLUMNS.map((c) => `s.${c}`).join(', '))}
      FROM call_record_stage s JOIN cdr_source f ON f.label = s.source
      JOIN new_key k ON k.source_id = f.id AND k.record_id = s.record_id
      ORDER BY s.source, s.record_id, s.line_no
      RETURNING line_no, profile_id, billed_seconds, list_price_ticks
    ), not_stored AS (${addToCallTotals(
      sql`(SELECT s.account_id, s.started_at, p.category, p.direction, s.answered, -1 AS calls,
                  -s.answered_seconds AS seconds, -s.list_price_ticks AS list_price_ticks, -s.charged_ticks AS charged_ticks
           FROM call_record_stage s JOIN call_profile p ON p.id = s.profile_id
           WHERE s.line_no NOT IN (SELECT line_no FROM inserted))`,
    )})
    SELECT p.category, count(*)::text AS calls, coalesce(sum(i.billed_seconds), 0)::text AS billed_seconds,
           coalesce(sum(i.list_price_ticks), 0)::text AS list_price_ticks
    FROM inserted i JOIN call_profile p ON p.id = i.profile_id GROUP BY p.category`.execute(session.db);
  const differing = await sql<{ n: string }>`
    SELECT count(*)::text AS n FROM ${keys} JOIN cdr_key k USING (source_id, record_id)
    WHERE k.fingerprint <> b.fingerprint AND k.fingerprint <> 0`.execute(session.db);
  const byCategory = new Map<string, CategoryTotals>();
  let inserted = 0;
  for (const row of result.rows) {
    const count = Number(row.calls);
    inserted += count;
    byCategory.set(row.category ?? 'incoming', {
      calls: count,
      billedSeconds: Number(row.billed_seconds),
      listPriceTicks: BigInt(row.list_price_ticks),
    });
  }
  return { inserted, duplicates: batch.count - inserted, differing: Number(differing.rows[0]!.n), byCategory };
}

export interface StoredReject extends Reject {
  readonly lineNo: number;
  readonly raw: string;
}

/** Records rejected lines once per (file content, line). */
export async function writeRejects(
  session: Session,
  file: { contentHash: string; fileName: string; source: string; fileId: number; format: string },
  rejects: readonly StoredReject[],
  now: Date,
): Promise<void> {
  // 10 parameters a row: keep a statement under PostgreSQL's 65,535
  for (let from = 0; from < rejects.length; from += 5_000) {
    await session.db
      .insertInto('cdr_reject')
      .values(
        rejects.slice(from, from + 5_000).map((r) => ({
          content_hash: file.contentHash,
          line_no: r.lineNo,
          file_name: file.fileName,
          source: file.source,
          file_id: file.fileId,
          format: file.format,
          reason: r.reason,
          detail: r.detail,
          raw: r.raw,
          first_seen_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['content_hash', 'line_no']).doNothing())
      .execute();
  }
}

export interface IngestCounts {
  readonly read: number;
  readonly rated: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly skipped: number;
}

/** Taken by every transaction that stores calls, before it draws its store_seq. */
export async function lockIngestShared(session: Session): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock_shared(${LOCK.ingest})`.execute(session.db);
}

/**
 * The highest store_seq whose calls are all committed: read while no ingest is in flight (their
 * shared locks are waited for), so that every call stored later has a higher one.
 */
export async function ingestWatermark(database: Database): Promise<number> {
  return database.session(async (session) => {
    await sql`SELECT pg_advisory_xact_lock(${LOCK.ingest})`.execute(session.db);
    const result = await sql<{ seq: number }>`
      SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('ingest_file', 'id')::regclass), 0)::int AS seq`.execute(session.db);
    return result.rows[0]!.seq;
  });
}

/**
 * Serializes the transactions that store one file's content (workers that took the same file) and
 * tells whether it was stored before: the earlier ingest's counts, or undefined.
 */
export async function lockFileContent(session: Session, contentHash: string): Promise<(IngestCounts & { fileId: number; source: string }) | undefined> {
  await sql`SELECT pg_advisory_xact_lock(${LOCK.file}, hashtext(${contentHash}))`.execute(session.db);
  const earlier = await session.db
    .selectFrom('ingest_file')
    .select(['id', 'source', 'lines_read', 'rated', 'rejected', 'duplicates', 'skipped'])
    .where('content_hash', '=', contentHash)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return earlier
    ? {
        fileId: earlier.id,
        source: earlier.source,
        read: earlier.lines_read,
        rated: earlier.rated,
        rejected: earlier.rejected,
        duplicates: earlier.duplicates,
        skipped: earlier.skipped,
      }
    : undefined;
}

/** Rejects stored for a file's content, counted by reason. */
export async function rejectsByReason(session: Session, contentHash: string): Promise<Record<string, number>> {
  const rows = await session.db
    .selectFrom('cdr_reject')
    .select(['reason', (eb) => eb.fn.countAll<string>().as('n')])
    .where('content_hash', '=', contentHash)
    .groupBy('reason')
    .orderBy('reason')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.reason, Number(r.n)]));
}

/** An id for a file about to be ingested: its rows carry it before its bookkeeping row is written. */
export async function reserveIngestFileId(session: Session): Promise<number> {
  const result = await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('ingest_file', 'id'))::int AS id`.execute(session.db);
  return result.rows[0]!.id;
}

/** The bookkeeping of an ingested file, written once it is read to the end. */
export async function recordIngestFile(
  session: Session,
  fileId: number,
  file: { source: string; fileName: string; contentHash: string },
  counts: IngestCounts,
  now: Date,
): Promise<void> {
  await session.db
    .insertInto('ingest_file')
    .values({
      id: fileId,
      source: file.source,
      file_name: file.fileName,
      content_hash: file.contentHash,
      ingested_at: now,
      lines_read: counts.read,
      rated: counts.rated,
      rejected: counts.rejected,
      duplicates: counts.duplicates,
      skipped: counts.skipped,
    })
    .execute();
}

/** Whether a file of this name was ever ingested (or has rejects stored). */
export async function isKnownFileName(database: Database, fileName: string): Promise<boolean> {
  const found = await sql<{ found: boolean }>`SELECT EXISTS (SELECT 1 FROM ingest_file WHERE file_name = ${fileName})
    OR EXISTS (SELECT 1 FROM cdr_reject WHERE file_name = ${fileName}) AS found`.execute(database.db);
  return found.rows[0]?.found === true;
}

/** Rejected lines, optionally of one file or reason, in file and line order. */
export async function listRejects(
  database: Database,
  filter: { fileName?: string; reason?: string },
): Promise<Selectable<import('./schema.js').CdrRejectRow>[]> {
  let query = database.db.selectFrom('cdr_reject').selectAll();
  if (filter.fileName) query = query.where('file_name', '=', filter.fileName);
  if (filter.reason) query = query.where('reason', '=', filter.reason);
  return query.orderBy('file_name').orderBy('line_no').execute();
}

/** A page of stored rejects in (content, line) order, after the given key. */
export async function selectRejectsPage(
  session: Session,
  after: { contentHash: string; lineNo: number } | undefined,
  limit: number,
): Promise<Selectable<import('./schema.js').CdrRejectRow>[]> {
  let query = session.db.selectFrom('cdr_reject').selectAll();
  if (after) query = query.where(sql<boolean>`(content_hash, line_no) > (${after.contentHash}, ${after.lineNo})`);
  return query.orderBy('content_hash').orderBy('line_no').limit(limit).execute();
}

/** Forgets rejects that a retry has rated; updates the reason of those still rejected. */
export async function resolveRejects(
  session: Session,
  resolved: readonly { contentHash: string; lineNo: number }[],
  stillRejected: readonly { contentHash: string; lineNo: number; reason: string; detail: string }[],
): Promise<void> {
  if (resolved.length > 0) {
    await sql`DELETE FROM cdr_reject r USING unnest(${resolved.map((r) => r.contentHash)}::text[], ${resolved.map((r) => r.lineNo)}::int[]) AS u(content_hash, line_no)
      WHERE r.content_hash = u.content_hash AND r.line_no = u.line_no`.execute(session.db);
  }
  if (stillRejected.length > 0) {
    await sql`UPDATE cdr_reject r SET reason = u.reason, detail = u.detail
      FROM unnest(${stillRejected.map((r) => r.contentHash)}::text[], ${stillRejected.map((r) => r.lineNo)}::int[],
                  ${stillRejected.map((r) => r.reason)}::text[], ${stillRejected.map((r) => r.detail)}::text[]) AS u(content_hash, line_no, reason, detail)
      WHERE r.content_hash = u.content_hash AND r.line_no = u.line_no`.execute(session.db);
  }
}
