/**
 * Ingests one CDR file: stream, decode, split records, read each with its format, rate it, store it.
 * The file is one transaction, so that a crash leaves nothing half-stored and a re-run completes it.
 * Every line ends as exactly one of rated, rejected, duplicate or skipped.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { detectCdrFormat, DEFAULT_FORMAT_OPTIONS, type CdrFormat, type FormatOptions } from '../ingest/cdr-format.js';
import { readCsvRecords } from '../ingest/csv-lines.js';
import { decodeText } from '../ingest/decode-text.js';
import { rateCdr, type RatingContext } from '../rating/rate-cdr.js';
import type { Database } from '../store/database.js';
import { allocateBundles, type AllocationScope } from '../store/allocation-store.js';
import {
  finishIngestFile,
  RatedCallBatch,
  startIngestFile,
  writeRatedCalls,
  writeRejects,
  type CategoryTotals,
  type IngestCounts,
  type StoredReject,
} from '../store/call-store.js';

export interface FileReport extends IngestCounts {
  readonly file: string;
  readonly source: string;
  readonly format: string;
  readonly encoding: string;
  readonly byCategory: ReadonlyMap<string, CategoryTotals>;
  /** the first rejects, for the report (all are stored) */
  readonly rejects: readonly StoredReject[];
  /** set when the file as a whole could not be read (bad header, unknown format) */
  readonly fileError?: string;
}

export interface IngestOptions {
  /** a format, or 'auto' to detect it from the file's first record */
  readonly format: CdrFormat | 'auto';
  readonly formatOptions?: FormatOptions;
  /** the feed's name for duplicate detection; defaults to the format's name */
  readonly source?: string;
  /** the name the file is recorded under; defaults to its base name */
  readonly fileName?: string;
  readonly now: Date;
  readonly batchSize?: number;
  /** called now and then with the bytes read so far and the file's size */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const REPORTED_REJECTS = 20;

/** The whole file could not be read; its transaction is rolled back. */
class FileRefused extends Error {}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
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
export async function ingestFile(database: Database, context: RatingContext, path: string, options: IngestOptions): Promise<FileReport> {
  const fileName = options.fileName ?? basename(path);
  const contentHash = await hashFile(path);
  try {
    return await database.session((session) => ingestInSession(session, context, path, options, { fileName, contentHash }));
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error;
    const name = options.format === 'auto' ? 'auto' : options.format.name;
    return {
      file: path,
      source: options.source ?? name,
      format: name,
      encoding: '',
      read: 0,
      rated: 0,
      rejected: 0,
      duplicates: 0,
      skipped: 0,
      byCategory: new Map(),
      rejects: [],
      fileError: error.message,
    };
  }
}

async function ingestInSession(
  session: Parameters<Parameters<Database['session']>[0]>[0],
  context: RatingContext,
  path: string,
  options: IngestOptions,
  file: { fileName: string; contentHash: string },
): Promise<FileReport> {
  const batchSize = options.batchSize ?? 10_000;
  const totalBytes = statSync(path).size;
  let bytesRead = 0;
  const raw = createReadStream(path, { highWaterMark: 64 * 1024 });
  raw.on('data', (chunk) => {
    bytesRead += chunk.length;
  });
  const bytes = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let encoding = '';
  const records = readCsvRecords(decodeText(bytes as AsyncIterable<Buffer>, (e) => (encoding = e)));

  let format = options.format === 'auto' ? undefined : options.format;
  let source = options.source ?? format?.name ?? '';
  let fileId = 0;
  const counts = { read: 0, rated: 0, rejected: 0, duplicates: 0, skipped: 0 };
  const byCategory = new Map<string, CategoryTotals>();
  const reportedRejects: StoredReject[] = [];
  let pendingRejects: StoredReject[] = [];
  let batch!: RatedCallBatch;
  const bundleScopes = new Map<string, AllocationScope>();

  // One batch is written while the next is read and rated; writes stay in order on the session.
  let inflight: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    const calls = batch;
    const rejects = pendingRejects;
    for (const [key, scope] of calls.bundleScopes) bundleScopes.set(key, scope);
    batch = new RatedCallBatch(fileId);
    pendingRejects = [];
    await inflight;
    inflight = (async () => {
      const result = await writeRatedCalls(session, calls);
      counts.rated += result.inserted;
      counts.duplicates += result.duplicates;
      addTotals(byCategory, result.byCategory);
      await writeRejects(session, { contentHash: file.contentHash, fileName: file.fileName, source, fileId, format: format!.name }, rejects, options.now);
    })();
    inflight.catch(() => undefined); // surfaced by the next await; not an unhandled rejection meanwhile
  };
  const reject = (r: StoredReject): void => {
    counts.rejected++;
    pendingRejects.push(r);
    if (reportedRejects.length < REPORTED_REJECTS) reportedRejects.push(r);
  };

  let lastProgress = 0;
  try {
    for await (const record of records) {
      const { lineNo, raw: rawLine } = record;
      counts.read++;
      if (counts.read === 1) {
        format ??= detectCdrFormat(record.fields, options.formatOptions ?? DEFAULT_FORMAT_OPTIONS);
        if (!format) {
          throw new FileRefused(`${path} line ${lineNo}: cannot tell the CDR format from "${rawLine.slice(0, 80)}"; name it with --format`);
        }
        source = options.source ?? format.name;
        fileId = await startIngestFile(session, { source, fileName: file.fileName, contentHash: file.contentHash }, options.now);
        batch = new RatedCallBatch(fileId);
        if (format.checkHeader) {
          const problem = format.checkHeader(record.fields);
          if (problem) throw new FileRefused(`${path} line ${lineNo}: ${problem}; nothing was ingested from this file`);
          counts.skipped++;
          continue;
        }
      }
      const read = format!.readPlainLine && rawLine.indexOf('"') < 0 ? format!.readPlainLine(rawLine, source) : format!.readRow(record.fields, source, rawLine);
      if (read.kind === 'skip') {
        counts.skipped++;
      } else if (read.kind === 'reject') {
        reject({ reason: read.reason, detail: read.detail, lineNo, raw: rawLine });
      } else {
        const rated = rateCdr(context, read.cdr);
        if (!rated.ok) reject({ reason: rated.reason, detail: rated.detail, lineNo, raw: rawLine });
        else {
          batch.add(rated.call, lineNo);
          if (batch.size >= batchSize) await flush();
        }
      }
      if (options.onProgress && (counts.read & 0xfff) === 0 && performance.now() - lastProgress > 100) {
        lastProgress = performance.now();
        options.onProgress(bytesRead, totalBytes);
      }
    }
  } finally {
    raw.destroy();
  }
  if (!format) throw new FileRefused(`${path}: the file is empty`);
  await flush();
  await inflight;
  await allocateBundles(session, context.tariffs.bundles, [...bundleScopes.values()]);
  await finishIngestFile(session, fileId, counts);
  options.onProgress?.(totalBytes, totalBytes);
  return { file: path, source, format: format.name, encoding, ...counts, byCategory, rejects: reportedRejects };
}
