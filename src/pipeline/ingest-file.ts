/**
 * Ingests one CDR file: stream-parse, read each row with its format, rate it, and store it in one
 * transaction, so that a crash leaves nothing half-stored and a re-run completes the file. Every
 * line ends as exactly one of rated, rejected, duplicate or skipped.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { CdrFormat } from '../ingest/cdr-format.js';
import { readCsvRecords } from '../ingest/csv-lines.js';
import { rateCdr, type RatingContext } from '../rating/rate-cdr.js';
import type { Database } from '../store/database.js';
import { allocateBundles, type AllocationScope } from '../store/allocation-store.js';
import {
  finishIngestFile,
  startIngestFile,
  writeRatedCalls,
  writeRejects,
  type CategoryTotals,
  RatedCallBatch,
  type IngestCounts,
  type StoredReject,
} from '../store/call-store.js';

export interface FileReport extends IngestCounts {
  readonly file: string;
  readonly source: string;
  readonly format: string;
  readonly byCategory: ReadonlyMap<string, CategoryTotals>;
  /** the first rejects, for the report (all are stored) */
  readonly rejects: readonly StoredReject[];
  /** set when the file as a whole could not be read (bad header, unreadable) */
  readonly fileError?: string;
}

export interface IngestOptions {
  readonly format: CdrFormat;
  /** the feed's name for duplicate detection; defaults to the format's name */
  readonly source?: string;
  readonly now: Date;
  readonly batchSize?: number;
}

const REPORTED_REJECTS = 20;

function openInput(path: string): Readable {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  const bytes = path.endsWith('.gz') ? stream.pipe(createGunzip()) : stream;
  bytes.setEncoding('utf8');
  return bytes;
}

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
export async function ingestFile(
  database: Database,
  context: RatingContext,
  path: string,
  options: IngestOptions,
): Promise<FileReport> {
  const source = options.source ?? options.format.name;
  const batchSize = options.batchSize ?? 10_000;
  const fileName = basename(path);
  const contentHash = await hashFile(path);

  const empty = { file: path, source, format: options.format.name, read: 0, rated: 0, rejected: 0, duplicates: 0, skipped: 0 };
  try {
    return await ingestInSession(database, context, path, options, { source, batchSize, fileName, contentHash });
  } catch (error) {
    if (error instanceof FileRefused) return { ...empty, byCategory: new Map(), rejects: [], fileError: error.message };
    throw error;
  }
}

/** The whole file could not be read; its transaction is rolled back. */
class FileRefused extends Error {}

async function ingestInSession(
  database: Database,
  context: RatingContext,
  path: string,
  options: IngestOptions,
  file: { source: string; batchSize: number; fileName: string; contentHash: string },
): Promise<FileReport> {
  const { source, batchSize, fileName, contentHash } = file;
  return database.session(async (session) => {
    const fileId = await startIngestFile(session, { source, fileName, contentHash }, options.now);
    const counts = { read: 0, rated: 0, rejected: 0, duplicates: 0, skipped: 0 };
    const byCategory = new Map<string, CategoryTotals>();
    const reportedRejects: StoredReject[] = [];
    let pendingRejects: StoredReject[] = [];
    let batch = new RatedCallBatch(fileId);

    // One batch is written while the next is read and rated; writes stay in order on the session.
    let inflight: Promise<void> = Promise.resolve();
    const bundleScopes = new Map<string, AllocationScope>();
    const flush = async (): Promise<void> => {
      const calls = batch;
      for (const [key, scope] of calls.bundleScopes) bundleScopes.set(key, scope);
      const rejects = pendingRejects;
      batch = new RatedCallBatch(fileId);
      pendingRejects = [];
      await inflight;
      inflight = (async () => {
        const result = await writeRatedCalls(session, calls);
        counts.rated += result.inserted;
        counts.duplicates += result.duplicates;
        addTotals(byCategory, result.byCategory);
        await writeRejects(session, { contentHash, fileName, source }, rejects, options.now);
      })();
      inflight.catch(() => undefined); // surfaced by the next await; not an unhandled rejection meanwhile
    };
    const reject = (r: StoredReject): void => {
      counts.rejected++;
      pendingRejects.push(r);
      if (reportedRejects.length < REPORTED_REJECTS) reportedRejects.push(r);
    };

    const input = openInput(path);
    let first = true;
    try {
      for await (const { fields, lineNo, raw } of readCsvRecords(input as AsyncIterable<string>)) {
        counts.read++;
        if (first && options.format.checkHeader) {
          first = false;
          const problem = options.format.checkHeader(fields);
          if (problem) throw new FileRefused(`${path} line ${lineNo}: ${problem}; nothing was ingested from this file`);
          counts.skipped++;
          continue;
        }
        first = false;
        const read = options.format.readRow(fields, source);
        if (read.kind === 'skip') {
          counts.skipped++;
          continue;
        }
        if (read.kind === 'reject') {
          reject({ reason: read.reason, detail: read.detail, lineNo, raw });
          continue;
        }
        const rated = rateCdr(context, read.cdr);
        if (!rated.ok) {
          reject({ reason: rated.reason, detail: rated.detail, lineNo, raw });
          continue;
        }
        batch.add(rated.call, lineNo);
        if (batch.size >= batchSize) await flush();
      }
    } finally {
      input.destroy();
    }
    await flush();
    await inflight;
    await allocateBundles(session, context.tariffs.bundles, [...bundleScopes.values()]);
    await finishIngestFile(session, fileId, counts);
    return { file: path, source, format: options.format.name, ...counts, byCategory, rejects: reportedRejects };
  });
}
