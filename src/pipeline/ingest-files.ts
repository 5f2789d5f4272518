/** Ingests CDR files with tariffs and customers loaded once for all of them; retries rejects. */
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { createCdrFormat, DEFAULT_FORMAT_OPTIONS, FORMAT_NAMES, type FormatName, type FormatOptions } from '../ingest/cdr-format.js';
import { splitCsvRecord } from '../ingest/csv-lines.js';
import { DEFAULT_INGEST_LIMITS, implausible, withSafeTexts, type IngestLimits } from '../ingest/plausibility.js';
import { tariffVersionLabels } from '../rating/rate-call.js';
import { rateCdr, type RatingContext } from '../rating/rate-cdr.js';
import { analyzeChangedTables, ConnectionLost, isConnectionLost, type Database } from '../store/database.js';
import { allocateBundles, type AllocationScope } from '../store/allocation-store.js';
import { addCallTotals, CallTotalSums } from '../store/call-total-store.js';
import { RatedCallBatch, lockIngestShared, reserveIngestFileId, resolveRejects, selectRejectsPage, writeRatedCalls } from '../store/call-store.js';
import { loadOnNetViews, loadSubscriptionTerms } from '../store/customer-store.js';
import { recordTariffVersions } from '../store/tariff-version-store.js';
import { parseTariffFiles } from '../tariffs/parse-tariff-files.js';
import type { TariffSet } from '../tariffs/tariff-set.js';
import { createFileRater, ratingContextFrom, type FileRater, type RatingInputs } from './file-rater.js';
import { ingestFile, type FileReport } from './ingest-file.js';
import { InputError } from './input-error.js';
import { loadStoredTariffFiles } from './load-tariffs.js';

/**
 * Everything rating needs, from the database, once per run, as data a worker can be sent; the tariff
 * versions its calls can refer to are recorded first.
 */
export async function loadRatingInputs(database: Database): Promise<RatingInputs> {
  const tariffFiles = await loadStoredTariffFiles(database);
  await recordTariffVersions(database, tariffVersionLabels(parseTariffFiles(tariffFiles)));
  return { tariffFiles, subscriptions: await loadSubscriptionTerms(database), onNet: await loadOnNetViews(database) };
}

/** Everything rating needs, from the database, once per run. */
export async function loadRatingContext(database: Database): Promise<RatingContext> {
  return ratingContextFrom(await loadRatingInputs(database));
}

export interface IngestFilesOptions {
  readonly format: FormatName | 'auto';
  readonly formatOptions?: FormatOptions;
  readonly source?: string;
  readonly now: Date;
  /** what a record may hold (call length, start times) */
  readonly limits?: IngestLimits;
  /** where `-` reads from */
  readonly stdin?: Readable;
  readonly onFile?: (report: FileReport) => void;
  readonly onProgress?: (file: string, bytesRead: number, totalBytes: number) => void;
  /** rated calls plus rejects stored per COPY (default 10,000) */
  readonly batchSize?: number;
  /** the rating worker's script; false rates on this thread (default: the compiled worker, if built) */
  readonly ratingWorker?: URL | false;
}

/** Ingests files in order; `-` is standard input (spooled to a temporary file first). */
export async function ingestFiles(database: Database, paths: readonly string[], options: IngestFilesOptions): Promise<FileReport[]> {
  for (const path of paths) if (path !== '-' && !existsSync(path)) throw new InputError(`${path}: no such CDR file`);
  const inputs = await loadRatingInputs(database);
  const tariffs = parseTariffFiles(inputs.tariffFiles);
  const rater = createFileRater(inputs, options.ratingWorker);
  const reports: FileReport[] = [];
  try {
    for (const path of paths) {
      try {
        reports.push(await ingestOne(database, rater, tariffs, path, options));
      } catch (error) {
        if (!isConnectionLost(error)) throw error;
        throw new ConnectionLost(`database connection lost while ingesting ${path}; nothing of ${path} was stored (earlier files were): run again`, {
          cause: error,
        });
      }
    }
  } finally {
    await rater.close();
  }
  await analyzeChangedTables(database);
  return reports;
}

/** One file; `-` is standard input, spooled to a temporary file first. */
async function ingestOne(database: Database, rater: FileRater, tariffs: TariffSet, path: string, options: IngestFilesOptions): Promise<FileReport> {
  let file = path;
  let spool: string | undefined;
  if (path === '-') {
    spool = mkdtempSync(join(tmpdir(), 'cdrbill-stdin-'));
    file = join(spool, 'stdin');
    await pipeline(options.stdin ?? process.stdin, createWriteStream(file));
  }
  try {
    const report = await ingestFile(database, rater, tariffs, file, {
      format: options.format,
      ...(options.formatOptions ? { formatOptions: options.formatOptions } : {}),
      ...(options.source ? { source: options.source } : {}),
      ...(spool ? { fileName: 'stdin' } : {}),
      now: options.now,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.onProgress ? { onProgress: (read: number, total: number) => options.onProgress!(path, read, total) } : {}),
    });
    const shown = spool ? { ...report, file: '-' } : report;
    options.onFile?.(shown);
    return shown;
  } finally {
    if (spool) rmSync(spool, { recursive: true, force: true });
  }
}

export interface RetryReport {
  readonly retried: number;
  readonly rated: number;
  readonly duplicates: number;
  /** still rejected, by reason */
  readonly stillRejected: ReadonlyMap<string, number>;
}

/**
 * Rates stored rejects again with the tariffs and customers loaded now (after a customer was added
 * or a tariff extended). What now rates is stored as a call of its original file and line (by this run's store_seq), and its
 * reject is forgotten; the rest keep their reject, with the current reason.
 */
export async function retryRejects(
  database: Database,
  formatOptions: FormatOptions = DEFAULT_FORMAT_OPTIONS,
  // without a clock (the latest instant a Date holds) only the duration and earliest-start limits apply
  check: { readonly now: Date; readonly limits: IngestLimits } = { now: new Date(8.64e15), limits: DEFAULT_INGEST_LIMITS },
): Promise<RetryReport> {
  const context = await loadRatingContext(database);
  const formats = new Map(FORMAT_NAMES.map((name) => [name, createCdrFormat(name, formatOptions)]));
  return database.session(async (session) => {
    // the calls rated now are stored by this transaction: invoices claim them by its sequence number
    await lockIngestShared(session);
    const storeSeq = await reserveIngestFileId(session);
    let retried = 0;
    let rated = 0;
    let duplicates = 0;
    const still = new Map<string, number>();
    const scopes = new Map<string, AllocationScope>();
    const callTotals = new CallTotalSums();
    let after: { contentHash: string; lineNo: number } | undefined;
    for (;;) {
      const rows = await selectRejectsPage(session, after, 5_000);
      if (rows.length === 0) break;
      const batches = new Map<number, RatedCallBatch>();
      const resolved: { contentHash: string; lineNo: number }[] = [];
      const stillRejected: { contentHash: string; lineNo: number; reason: string; detail: string }[] = [];
      for (const row of rows) {
        retried++;
        const key = { contentHash: row.content_hash, lineNo: row.line_no };
        const format = formats.get(row.format as FormatName);
        const read = format ? format.readRow(splitCsvRecord(row.raw), row.source, row.raw) : undefined;
        const wrong = read?.kind === 'cdr' ? implausible(read.cdr, check.limits, check.now.getTime()) : undefined;
        const result = read?.kind === 'cdr' ? (wrong ? { ok: false as const, ...wrong } : rateCdr(context, withSafeTexts(read.cdr))) : undefined;
        if (result?.ok) {
          const batch = batches.get(row.file_id) ?? new RatedCallBatch(row.file_id, storeSeq, callTotals);
          batch.add(result.call, row.line_no);
          batches.set(row.file_id, batch);
          resolved.push(key);
          continue;
        }
        const reason = result && !result.ok ? result.reason : read?.kind === 'reject' ? read.reason : row.reason;
        const detail = result && !result.ok ? result.detail : read?.kind === 'reject' ? read.detail : row.detail;
        still.set(reason, (still.get(reason) ?? 0) + 1);
        stillRejected.push({ ...key, reason, detail });
      }
      for (const batch of batches.values()) {
        const rows = batch.seal();
        const written = await writeRatedCalls(database, session, rows);
        rated += written.inserted;
        duplicates += written.duplicates;
        for (const [k, scope] of rows.bundleScopes) scopes.set(k, scope);
      }
      await resolveRejects(session, resolved, stillRejected);
      const last = rows[rows.length - 1]!;
      after = { contentHash: last.content_hash, lineNo: last.line_no };
    }
    await addCallTotals(session, callTotals.rows());
    await allocateBundles(session, context.tariffs.bundles, [...scopes.values()]);
    return { retried, rated, duplicates, stillRejected: still };
  });
}
