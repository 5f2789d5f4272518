/**
 * Ingests one CDR file: a rater (file-rater.ts) reads and rates it, in a worker thread or inline;
 * this stores its batches in order, one COPY in flight while the next batch is rated. The file is one
 * transaction, so that a crash leaves nothing half-stored and a re-run completes it. Every line ends
 * as exactly one of rated, rejected, duplicate or skipped.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_FORMAT_OPTIONS, type FormatName, type FormatOptions } from '../ingest/cdr-format.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../ingest/plausibility.js';
import type { Database, Session } from '../store/database.js';
import { allocateBundles, type AllocationScope } from '../store/allocation-store.js';
import { addCallTotals } from '../store/call-total-store.js';
import {
  lockFileContent,
  lockIngestShared,
  rejectsByReason as storedRejectsByReason,
  recordIngestFile,
  reserveIngestFileId,
  writeRatedCalls,
  writeRejects,
  type CategoryTotals,
  type IngestCounts,
  type NewPartitions,
  type StoredReject,
} from '../store/call-store.js';
import type { TariffSet } from '../tariffs/tariff-set.js';
import type { FileRater } from './file-rater.js';
import type { RateFileEvent } from './rate-file.js';

export interface FileReport extends IngestCounts {
  readonly file: string;
  readonly source: string;
  readonly format: string;
  readonly encoding: string;
  readonly byCategory: ReadonlyMap<string, CategoryTotals>;
  /** duplicates whose fields (account, start, seconds, number) differ from the call stored under their key */
  readonly duplicatesDiffering: number;
  /** what the skipped records were: [what, count] ('header', 'version line', …) */
  readonly skippedBy: readonly (readonly [string, number])[];
  /** the ingest's id (its calls' store_seq); undefined when the file was refused */
  readonly fileId?: number;
  /** all rejects, counted by reason */
  readonly rejectsByReason: Readonly<Record<string, number>>;
  /** the first rejects, for the report (all are stored) */
  readonly rejects: readonly StoredReject[];
  /** set when the file as a whole could not be read (bad header, unknown format) */
  readonly fileError?: string;
  /** its content was stored before, by the ingest `fileId`: nothing was stored now, its calls count as duplicates */
  readonly storedEarlier?: boolean;
}

export interface IngestOptions {
  /** a format, or 'auto' to detect it from the file's first record */
  readonly format: FormatName | 'auto';
  readonly formatOptions?: FormatOptions;
  /** the feed's name for duplicate detection; defaults to the format's name */
  readonly source?: string;
  /** the name the file is recorded under; defaults to its base name */
  readonly fileName?: string;
  readonly now: Date;
  /** what a record may hold (call length, start times) */
  readonly limits?: IngestLimits;
  readonly batchSize?: number;
  /** called now and then with the bytes read so far and the file's size */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * A worker's file job: the content hash the file was queued with. The content is stored once: a
   * file whose content was stored before stores nothing (`storedEarlier`), one whose content changed
   * since it was queued is refused.
   */
  readonly queuedContent?: string;
  /** whether the file's transaction may create the history's monthly partitions (default) */
  readonly newPartitions?: NewPartitions;
}

const REPORTED_REJECTS = 20;

/** The whole file could not be read; its transaction is rolled back. */
class FileRefused extends Error {}

/**
 * The report of a file whose content was stored before (`report` is that ingest's): what reading it
 * again reports, its calls now duplicates, its rejects the same.
 */
export function asStoredEarlier(report: FileReport): FileReport {
  if (report.storedEarlier) return report;
  return { ...report, rated: 0, duplicates: report.rated + report.duplicates, duplicatesDiffering: 0, byCategory: new Map(), storedEarlier: true };
}

/** The SHA-256 of a file's content, hex. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

function addTotals(target: Map<string, CategoryTotals>, source: ReadonlyMap<string, CategoryTotals>): void {
  for (const [category, t] of source) {
    const sum = target.get(category) ?? { calls: 0, billedSeconds: 0, listPriceTicks: 0n };
    target.set(category, {
      calls: sum.calls + t.calls,
      billedSeconds: sum.billedSeconds + t.billedSeconds,
      listPriceTicks: sum.listPriceTicks + t.listPriceTicks,
    });
  }
}

/** Ingests one file; bad lines are rejects in the report, not exceptions. */
export async function ingestFile(database: Database, rater: FileRater, tariffs: TariffSet, path: string, options: IngestOptions): Promise<FileReport> {
  const fileName = options.fileName ?? basename(path);
  // the content hash keys rejects; it is computed on this thread while the rater reads the file
  const contentHash = hashFile(path);
  contentHash.catch(() => undefined); // awaited below
  try {
    return await database.session((session) => storeRatedFile(database, session, rater, tariffs, path, options, { fileName, contentHash }));
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error;
    return {
      file: path,
      source: options.source ?? options.format,
      format: options.format,
      encoding: '',
      read: 0,
      rated: 0,
      rejected: 0,
      duplicates: 0,
      skipped: 0,
      rejectsByReason: {},
      duplicatesDiffering: 0,
      skippedBy: [],
      byCategory: new Map(),
      rejects: [],
      fileError: error.message,
    };
  }
}

async function storeRatedFile(
  database: Database,
  session: Session,
  rater: FileRater,
  tariffs: TariffSet,
  path: string,
  options: IngestOptions,
  file: { fileName: string; contentHash: Promise<string> },
): Promise<FileReport> {
  await lockIngestShared(session);
  if (options.queuedContent !== undefined) {
    const hash = await file.contentHash;
    if (hash !== options.queuedContent) {
      throw new FileRefused(`the file changed after it was queued (its content hash is now ${hash.slice(0, 12)}…, was ${options.queuedContent.slice(0, 12)}…)`);
    }
    const earlier = await lockFileContent(session, hash);
    if (earlier) {
      const { fileId, source, ...counts } = earlier;
      return asStoredEarlier({
        file: path,
        source,
        format: options.format,
        encoding: '',
        ...counts,
        duplicatesDiffering: 0,
        skippedBy: [],
        fileId,
        rejectsByReason: await storedRejectsByReason(session, hash),
        byCategory: new Map(),
        rejects: [],
      });
    }
  }
  const fileId = await reserveIngestFileId(session);
  let started: { format: FormatName; source: string } | undefined;
  let refused: string | undefined;
  let ended: Extract<RateFileEvent, { kind: 'end' }> | undefined;
  let rated = 0;
  let duplicates = 0;
  let differing = 0;
  const byCategory = new Map<string, CategoryTotals>();
  const reportedRejects: StoredReject[] = [];
  const rejectsByReason: Record<string, number> = {};
  const bundleScopes = new Map<string, AllocationScope>();

  const store = async (batch: Extract<RateFileEvent, { kind: 'batch' }>): Promise<void> => {
    const result = await writeRatedCalls(database, session, batch.calls, options.newPartitions);
    rater.release(batch.calls);
    rated += result.inserted;
    duplicates += result.duplicates;
    differing += result.differing;
    addTotals(byCategory, result.byCategory);
    for (const [key, scope] of batch.calls.bundleScopes) bundleScopes.set(key, scope);
    if (batch.rejects.length === 0) return;
    for (const r of batch.rejects) {
      if (reportedRejects.length < REPORTED_REJECTS) reportedRejects.push(r);
      rejectsByReason[r.reason] = (rejectsByReason[r.reason] ?? 0) + 1;
    }
    const { format, source } = started!;
    await writeRejects(session, { contentHash: await file.contentHash, fileName: file.fileName, source, fileId, format }, batch.rejects, options.now);
  };

  // one batch is stored while the next is rated; writes stay in order on the session
  let inflight: Promise<void> = Promise.resolve();
  try {
    await rater.rate(
      {
        path,
        format: options.format,
        formatOptions: options.formatOptions ?? DEFAULT_FORMAT_OPTIONS,
        source: options.source,
        fileId,
        batchSize: options.batchSize ?? 10_000,
        nowMs: options.now.getTime(),
        limits: options.limits ?? DEFAULT_INGEST_LIMITS,
      },
      async (event) => {
        switch (event.kind) {
          case 'start':
            started = event;
            return;
          case 'refused':
            refused = event.message;
            return;
          case 'progress':
            options.onProgress?.(event.bytesRead, event.totalBytes);
            return;
          case 'end':
            ended = event;
            return;
          case 'batch':
            await inflight;
            inflight = store(event);
            inflight.catch(() => undefined); // surfaced by the next await; not an unhandled rejection meanwhile
        }
      },
    );
  } finally {
    await inflight.catch(() => undefined); // nothing may run on the session after it ends
  }
  await inflight;
  if (refused !== undefined) throw new FileRefused(refused);
  if (!started || !ended) throw new Error(`${path}: the rater stopped before the end of the file`);
  await addCallTotals(session, ended.callTotals);
  await allocateBundles(session, tariffs.bundles, [...bundleScopes.values()]);
  const counts: IngestCounts = { read: ended.read, rated, rejected: ended.rejected, duplicates, skipped: ended.skipped };
  await recordIngestFile(session, fileId, { source: started.source, fileName: file.fileName, contentHash: await file.contentHash }, counts, options.now);
  return {
    file: path,
    source: started.source,
    format: started.format,
    encoding: ended.encoding,
    ...counts,
    duplicatesDiffering: differing,
    skippedBy: ended.skippedBy,
    fileId,
    rejectsByReason,
    byCategory,
    rejects: reportedRejects,
  };
}
