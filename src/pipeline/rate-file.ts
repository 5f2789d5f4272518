/**
 * The CPU half of ingesting a CDR file: stream, decode, split records, read each with its format,
 * rate it, and write what rated as COPY rows, in batches. No database: it runs in a worker thread
 * (rating-worker.ts) or inline, and hands each batch to a consumer that stores them in order and
 * says, by resolving, when it can take the next.
 *
 * Every record ends as exactly one of rated, rejected or skipped here; duplicates are found where
 * the calls are stored.
 */
import { createReadStream, statSync } from 'node:fs';
import { type Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { RejectReason } from '../domain/cdr.js';
import { createCdrFormat, detectCdrFormat, type FormatName, type FormatOptions } from '../ingest/cdr-format.js';
import { readCsvRecordBatches } from '../ingest/csv-lines.js';
import { implausible, inertText, withSafeTexts, type IngestLimits } from '../ingest/plausibility.js';
import { decodeText } from '../ingest/decode-text.js';
import { rateCdr, type RatingContext } from '../rating/rate-cdr.js';
import { RatedCallBatch, type RatedCallRows, type StoredReject } from '../store/call-store.js';
import { CallTotalSums, type CallTotalRows } from '../store/call-total-store.js';

export interface RateFileJob {
  readonly path: string;
  /** a format, or 'auto' to detect it from the file's first record */
  readonly format: FormatName | 'auto';
  readonly formatOptions: FormatOptions;
  /** the feed's name for duplicate detection; defaults to the format's name */
  readonly source?: string | undefined;
  /** the ingest_file id the rows are written with */
  readonly fileId: number;
  /** rated calls plus rejects per batch */
  readonly batchSize: number;
  /** the ingest's clock (rating never reads one) and what a record may hold */
  readonly nowMs: number;
  readonly limits: IngestLimits;
}

/** What rating a file tells its consumer, in order. Plain data: it crosses threads. */
export type RateFileEvent =
  /** the first record is read: the format is known */
  | { readonly kind: 'start'; readonly format: FormatName; readonly source: string }
  | { readonly kind: 'batch'; readonly calls: RatedCallRows; readonly rejects: readonly StoredReject[] }
  | { readonly kind: 'progress'; readonly bytesRead: number; readonly totalBytes: number }
  /** the whole file cannot be read (empty, unknown format, wrong header): nothing of it is to be stored */
  | { readonly kind: 'refused'; readonly message: string }
  | {
      readonly kind: 'end';
      readonly encoding: string;
      readonly read: number;
      readonly rejected: number;
      readonly skipped: number;
      /** what was skipped: [what, count] ('header', 'version line', …) */
      readonly skippedBy: readonly (readonly [string, number])[];
      /** the file's rated calls summed by call_total's key (every batch's; a write that met duplicates takes back what it did not store) */
      readonly callTotals: CallTotalRows;
    };

/** A gzip file may inflate to this many times its size (CDR text compresses 10–20×), plus the allowance. */
const MAX_INFLATION = 200;
const INFLATION_ALLOWANCE = 64 * 2 ** 20;

/** The stream, failing with code CDRBILL_INFLATION once it has given more than `limit` bytes. */
function bounded(stream: Readable, limit: number): Readable {
  let seen = 0;
  const out = stream.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen > limit) {
          const error = Object.assign(new Error(`it inflates to more than ${limit} bytes (${MAX_INFLATION}× its size): a damaged archive or a gzip bomb`), {
            code: 'CDRBILL_INFLATION',
          });
          stream.destroy();
          return done(error);
        }
        done(null, chunk);
      },
    }),
  );
  stream.on('error', (error) => out.destroy(error)); // pipe() does not pass errors on
  return out;
}

/** Errors of reading a file's bytes (not of its records): the file is refused, named, not an internal fault. */
const READ_ERRORS = new Set([
  'CDRBILL_INFLATION',
  'EISDIR',
  'ENOENT',
  'EACCES',
  'EPERM',
  'Z_DATA_ERROR',
  'Z_BUF_ERROR',
  'Z_NEED_DICT',
  'ERR_INVALID_ARG_VALUE',
]);

function readErrorReason(error: unknown): string | undefined {
  const e = error as { code?: string; message?: string };
  if (!e || !READ_ERRORS.has(e.code ?? '')) return undefined;
  if (e.code === 'EISDIR') return 'is a folder, not a file';
  if (e.code === 'Z_BUF_ERROR') return 'the gzip archive is truncated (unexpected end of file)';
  if (e.code === 'CDRBILL_INFLATION') return e.message ?? 'it inflates too much';
  if (e.code?.startsWith('Z_')) return `the gzip archive is damaged (${e.message})`;
  return e.message ?? e.code;
}

/** Takes an event; resolves when it can take the next. */
export type RateFileConsumer = (event: RateFileEvent) => Promise<void> | void;

/** Rates one file, emitting its batches to `emit`; returns when the file is read to the end (or refused). */
export async function rateFile(context: RatingContext, job: RateFileJob, emit: RateFileConsumer): Promise<void> {
  const totalBytes = statSync(job.path).size;
  let bytesRead = 0;
  const raw = createReadStream(job.path, { highWaterMark: 64 * 1024 });
  raw.on('data', (chunk) => {
    bytesRead += chunk.length;
  });
  const bytes = job.path.endsWith('.gz') ? bounded(raw.pipe(createGunzip()), MAX_INFLATION * totalBytes + INFLATION_ALLOWANCE) : raw;
  let encoding = '';
  const batches = readCsvRecordBatches(decodeText(bytes as AsyncIterable<Buffer>, (e) => (encoding = e)));

  let format = job.format === 'auto' ? undefined : createCdrFormat(job.format, job.formatOptions);
  let source = job.source ?? format?.name ?? '';
  let read = 0;
  let rejected = 0;
  let skipped = 0;
  const skippedBy = new Map<string, number>();
  const skip = (what: string): void => {
    skipped++;
    skippedBy.set(what, (skippedBy.get(what) ?? 0) + 1);
  };
  const callTotals = new CallTotalSums();
  let calls = new RatedCallBatch(job.fileId, job.fileId, callTotals);
  let rejects: StoredReject[] = [];
  const reject = (reason: RejectReason, detail: string, lineNo: number, raw: string): void => {
    rejected++;
    rejects.push({ reason, detail: inertText(detail), lineNo, raw: inertText(raw) });
  };
  const flush = async (): Promise<void> => {
    const event: RateFileEvent = { kind: 'batch', calls: calls.seal(), rejects };
    calls = new RatedCallBatch(job.fileId, job.fileId, callTotals, event.calls.copy.length);
    rejects = [];
    await emit(event);
  };

  let lastProgress = 0;
  try {
    for await (const records of batches)
      for (const record of records) {
        const { lineNo, raw: rawLine } = record;
        read++;
        if (read === 1) {
          format ??= detectCdrFormat(record.fields, job.formatOptions);
          if (!format) {
            return await emit({
              kind: 'refused',
              message: `line ${lineNo}: cannot tell the CDR format from "${rawLine.slice(0, 80)}"; name it with --cdr-format`,
            });
          }
          source = job.source ?? format.name;
          await emit({ kind: 'start', format: format.name, source });
          if (format.checkHeader) {
            const problem = format.checkHeader(record.fields);
            if (problem) return await emit({ kind: 'refused', message: `line ${lineNo}: ${problem}; nothing was ingested from this file` });
            skip('header');
            continue;
          }
        }
        if (record.problem !== undefined) {
          reject('unreadable', record.problem, lineNo, rawLine);
        } else {
          const result =
            format!.readPlainLine && rawLine.indexOf('"') < 0 ? format!.readPlainLine(rawLine, source) : format!.readRow(record.fields, source, rawLine);
          if (result.kind === 'skip') skip(result.detail);
          else if (result.kind === 'reject') reject(result.reason, result.detail, lineNo, rawLine);
          else {
            const wrong = implausible(result.cdr, job.limits, job.nowMs);
            if (wrong) reject(wrong.reason, wrong.detail, lineNo, rawLine);
            else {
              const rated = rateCdr(context, withSafeTexts(result.cdr));
              if (rated.ok) calls.add(rated.call, lineNo);
              else reject(rated.reason, rated.detail, lineNo, rawLine);
            }
          }
        }
        if (calls.size + rejects.length >= job.batchSize) await flush();
        if ((read & 0xfff) === 0 && performance.now() - lastProgress > 100) {
          lastProgress = performance.now();
          await emit({ kind: 'progress', bytesRead, totalBytes });
        }
      }
  } catch (error) {
    const reason = readErrorReason(error);
    if (reason === undefined) throw error;
    return await emit({ kind: 'refused', message: `${reason}; nothing was ingested from this file` });
  } finally {
    raw.destroy();
  }
  if (!format) return await emit({ kind: 'refused', message: 'the file is empty' });
  if (calls.size + rejects.length > 0) await flush();
  await emit({ kind: 'progress', bytesRead: totalBytes, totalBytes });
  await emit({ kind: 'end', encoding, read, rejected, skipped, skippedBy: [...skippedBy], callTotals: callTotals.rows() });
}
