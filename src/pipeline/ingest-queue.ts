/**
 * Ingest over processes and machines. `ingestFilesQueued` queues each CDR file as a job in the
 * database's job queue (its id from the file's content hash: the same content is queued once) and
 * waits for `cdrbill worker` processes to ingest them; `runIngestWorker` takes jobs and ingests each
 * file in one transaction, exactly as a single process does. A file's content is stored once,
 * whichever worker took it and however often: a killed worker's transaction is rolled back and its
 * job retried by another; a second worker on the same content waits for the first and finds it
 * stored. Bundle allocation is recomputed per account and month from every stored call, so it does
 * not depend on which worker took which file, nor in what order.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { amsterdamParts } from '../domain/amsterdam-time.js';
import { nextPeriod, type Period } from '../domain/period.js';
import type { FormatName, FormatOptions } from '../ingest/cdr-format.js';
import type { IngestLimits } from '../ingest/plausibility.js';
import { createPartitions, MissingPartitions, type CategoryTotals } from '../store/call-store.js';
import { ratingReferenceStamp } from '../store/customer-store.js';
import { analyzeChangedTables, type Database } from '../store/database.js';
import { openJobQueue, type JobQueue } from '../store/job-queue.js';
import { parseTariffFiles } from '../tariffs/parse-tariff-files.js';
import type { TariffSet } from '../tariffs/tariff-set.js';
import { createFileRater, type FileRater } from './file-rater.js';
import { asStoredEarlier, hashFile, ingestFile, type FileReport } from './ingest-file.js';
import { loadRatingInputs } from './ingest-files.js';

export const INGEST_QUEUE = 'ingest-file';
/** a file whose ingest failed this often (connection lost, a worker killed) fails for good */
const RETRY_LIMIT = 10;

/** One file to ingest, with the settings of the run that queued it. */
export interface IngestJob {
  /** absolute; a worker on another machine needs the spool at the same path */
  readonly path: string;
  readonly fileName: string;
  readonly contentHash: string;
  /** the queuing run's clock: the plausibility limits and the ingest's time come from it */
  readonly nowMs: number;
  readonly format: FormatName | 'auto';
  readonly formatOptions?: FormatOptions;
  readonly source?: string;
  readonly limits?: IngestLimits;
}

/** A file's report as a job's output (JSON). */
export type QueuedFileReport = Omit<FileReport, 'byCategory'> & {
  readonly byCategory: readonly (readonly [string, { calls: number; billedSeconds: number; listPriceTicks: string }])[];
};

function toJson(report: FileReport): QueuedFileReport {
  return {
    ...report,
    byCategory: [...report.byCategory].map(([category, t]) => [category, { ...t, listPriceTicks: t.listPriceTicks.toString() }] as const),
  };
}

function fromJson(report: QueuedFileReport, path: string): FileReport {
  const byCategory = new Map<string, CategoryTotals>(report.byCategory.map(([c, t]) => [c, { ...t, listPriceTicks: BigInt(t.listPriceTicks) }]));
  return { ...report, file: path, byCategory };
}

/** The job id of a file's content: a UUID made of the first 128 bits of its SHA-256. */
export function jobIdOf(contentHash: string): string {
  const h = contentHash.slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function openIngestQueue(url: string, onError: (error: Error) => void): Promise<JobQueue<IngestJob, QueuedFileReport>> {
  // an attempt may take long (a 10M-line file); a killed worker is noticed by its missing heartbeat
  return openJobQueue<IngestJob, QueuedFileReport>(url, INGEST_QUEUE, { retryLimit: RETRY_LIMIT, expireInSeconds: 6 * 3600 }, onError);
}

/** The job of the queue failed for good: the files stay where they are for the next run. */
export class QueuedIngestFailed extends Error {}

export interface QueuedIngestOptions {
  readonly format: FormatName | 'auto';
  readonly formatOptions?: FormatOptions;
  readonly source?: string;
  readonly limits?: IngestLimits;
  readonly now: Date;
  /** each file's report, as its job completes */
  readonly onFile?: (report: FileReport) => void;
  /** give up waiting after this long (default 6 h) */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly log?: (event: string, fields: Record<string, unknown>) => void;
}

function monthOf(ms: number): Period {
  const p = amsterdamParts(ms);
  return { year: p.year, month: p.month };
}

/**
 * Queues the files for `cdrbill worker` processes and waits until each is ingested; the reports are
 * in the order of `paths`. PostgreSQL only (`url`).
 */
export async function ingestFilesQueued(database: Database, url: string, paths: readonly string[], options: QueuedIngestOptions): Promise<FileReport[]> {
  if (paths.length === 0) return [];
  // the months a night's calls fall in, created before the workers' transactions hold the history
  const month = monthOf(options.now.getTime());
  await createPartitions(database, [monthOf(options.now.getTime() - 40 * 86_400_000), month, nextPeriod(month)]);
  const jobs = await Promise.all(
    paths.map(async (path) => {
      const contentHash = await hashFile(path);
      const data: IngestJob = {
        path: resolve(path),
        fileName: basename(path),
        contentHash,
        nowMs: options.now.getTime(),
        format: options.format,
        ...(options.formatOptions ? { formatOptions: options.formatOptions } : {}),
        ...(options.source ? { source: options.source } : {}),
        ...(options.limits ? { limits: options.limits } : {}),
      };
      return { id: jobIdOf(contentHash), data, path };
    }),
  );
  let queueError: Error | undefined;
  const queue = await openIngestQueue(url, (error) => {
    queueError = error;
  });
  const log = options.log ?? (() => undefined);
  try {
    await queue.send(jobs);
    // the same content queued by an earlier run whose job failed for good is tried again
    const before = await queue.status(jobs.map((j) => j.id));
    await queue.retry(jobs.filter((j) => before.get(j.id)?.state === 'failed').map((j) => j.id));
    // a content ingested by an earlier run's job: reported as reading it again would (all duplicates)
    const done = new Set(jobs.filter((j) => before.get(j.id)?.state === 'completed').map((j) => j.id));
    log('files_queued', { files: jobs.length });

    const reports = new Map<string, FileReport>();
    const failed: string[] = [];
    const pending = new Map(jobs.map((j) => [j.id, j]));
    const deadline = Date.now() + (options.timeoutMs ?? 6 * 3600_000);
    let lastLogged = Date.now();
    while (pending.size > 0) {
      const states = await queue.status([...pending.keys()]);
      for (const [id, job] of pending) {
        const status = states.get(id);
        if (status?.state === 'completed') {
          const finished = fromJson(status.output as QueuedFileReport, job.path);
          const report = done.has(id) ? asStoredEarlier(finished) : finished;
          reports.set(id, report);
          pending.delete(id);
          options.onFile?.(report);
        } else if (status?.state === 'failed' || status?.state === 'cancelled' || status === undefined) {
          const message = (status?.output as { message?: string } | null)?.message ?? 'the job left the queue';
          failed.push(`${job.path}: ${message} (after ${1 + (status?.retryCount ?? 0)} attempts)`);
          pending.delete(id);
        }
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        throw new QueuedIngestFailed(
          `${pending.size} of ${jobs.length} queued files were not ingested in time (are \`cdrbill worker\` processes running on this database?): ${[...pending.values()].map((j) => j.path).join(', ')}`,
        );
      }
      if (Date.now() - lastLogged > 30_000) {
        const active = [...states.values()].filter((s) => s.state === 'active').length;
        log('waiting_for_workers', { pending: pending.size, active });
        lastLogged = Date.now();
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
    }
    if (failed.length > 0)
      throw new QueuedIngestFailed(`the ingest failed for good for ${failed.length} file(s); they stay where they are: ${failed.join('; ')}`);
    if (queueError) log('queue_error', { message: queueError.message });
    await analyzeChangedTables(database);
    return jobs.map((j) => reports.get(j.id)!);
  } finally {
    await queue.stop(false);
  }
}

export interface WorkerOptions {
  /** files ingested at once by this process */
  readonly concurrency: number;
  /** the rating worker's script; false rates on the job's thread (default: the compiled worker) */
  readonly ratingWorker?: URL | false;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
  /** resolves when the worker should stop taking jobs (it finishes the files in hand) */
  readonly stopped: Promise<void>;
}

/** A rater with the rating inputs it was made from. */
interface LoadedRater {
  readonly stamp: string;
  readonly rater: FileRater;
  readonly tariffs: TariffSet;
}

/**
 * Takes file jobs until `stopped`; each file is ingested as `cdrbill ingest` would, in one
 * transaction. Tariffs and customers are loaded again when they changed since the last file.
 */
export async function runIngestWorker(database: Database, url: string, options: WorkerOptions): Promise<void> {
  const idle: LoadedRater[] = [];
  const raterFor = async (): Promise<LoadedRater> => {
    const stamp = await ratingReferenceStamp(database);
    for (;;) {
      const loaded = idle.pop();
      if (!loaded) break;
      if (loaded.stamp === stamp) return loaded;
      await loaded.rater.close();
    }
    const inputs = await loadRatingInputs(database);
    return { stamp, rater: createFileRater(inputs, options.ratingWorker), tariffs: parseTariffFiles(inputs.tariffFiles) };
  };
  const ingest = async (job: IngestJob, loaded: LoadedRater): Promise<FileReport> => {
    const settings = {
      format: job.format,
      ...(job.formatOptions ? { formatOptions: job.formatOptions } : {}),
      ...(job.source ? { source: job.source } : {}),
      ...(job.limits ? { limits: job.limits } : {}),
      fileName: job.fileName,
      now: new Date(job.nowMs),
      queuedContent: job.contentHash,
      newPartitions: 'refuse' as const,
    };
    try {
      return await ingestFile(database, loaded.rater, loaded.tariffs, job.path, settings);
    } catch (error) {
      if (!(error instanceof MissingPartitions)) throw error;
      // a month first seen: its partition is created on its own (it waits for the files in flight), then the file again
      options.log('partitions_created', { file: job.fileName, periods: error.periods });
      await createPartitions(database, error.periods);
      return ingestFile(database, loaded.rater, loaded.tariffs, job.path, settings);
    }
  };

  let queueError: Error | undefined;
  const queue = await openIngestQueue(url, (error) => {
    queueError = error;
    options.log('queue_error', { message: error.message });
  });
  options.log('worker_started', { pid: process.pid, concurrency: options.concurrency, database: database.location });
  await queue.work(options.concurrency, async (job, id) => {
    // a missing file is this machine's problem (the spool not mounted here): the job goes back to the queue
    if (!existsSync(job.path)) throw new Error(`${job.path}: no such file on this worker's machine (workers need the spool at the same path)`);
    const t0 = performance.now();
    const loaded = await raterFor();
    try {
      const report = await ingest(job, loaded).catch((error: unknown) => {
        // the job goes back to the queue (another attempt, maybe by another worker)
        options.log('file_attempt_failed', { job: id, file: job.fileName, message: error instanceof Error ? error.message : String(error) });
        throw error;
      });
      const { read, rated, rejected, duplicates, skipped } = report;
      options.log(report.storedEarlier ? 'file_stored_earlier' : 'file_ingested', {
        job: id,
        file: job.fileName,
        read,
        rated,
        rejected,
        duplicates,
        skipped,
        ms: Math.round(performance.now() - t0),
        ...(report.fileError ? { refused: report.fileError } : {}),
      });
      return toJson(report);
    } finally {
      idle.push(loaded);
    }
  });
  await options.stopped;
  options.log('worker_stopping', { pid: process.pid });
  await queue.stop(true);
  for (const loaded of idle) await loaded.rater.close();
  if (queueError) options.log('worker_stopped', { lastQueueError: queueError.message });
  else options.log('worker_stopped', {});
}
