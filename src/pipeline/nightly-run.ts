/**
 * The nightly job as an operator leaves it to cron: load the reference files that changed, take the
 * complete CDR files of a spool (moving each, after its transaction committed, to processed/ or to
 * failed/ with the reason beside it), raise alerts, close the month that ended, and report all of
 * it. One bad file never stops the others; a re-run after a crash at any point neither loses nor
 * doubles a file (a re-ingested file is all duplicates, and is moved then).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { amsterdamDate } from '../domain/calendar.js';
import { formatPeriod, nextPeriod, parsePeriod, periodFirstDay, previousPeriod, type Period } from '../domain/period.js';
import type { FormatName, FormatOptions } from '../ingest/cdr-format.js';
import type { IngestLimits } from '../ingest/plausibility.js';
import type { Database } from '../store/database.js';
import { compactMonth, isMonthCompacted } from '../store/month-compaction-store.js';
import {
  barredCalls,
  isMonthClosed,
  loadedHash,
  recordLoadedHash,
  recordMonthClosed,
  spendSpikes,
  type BarredCallAlert,
  type SpendAlert,
} from '../store/nightly-store.js';
import type { FileReport } from './ingest-file.js';
import { ingestFiles } from './ingest-files.js';
import { ingestFilesQueued } from './ingest-queue.js';
import { issueInvoices, type IssuedInvoice } from './issue-invoices.js';
import { loadCustomers } from './load-customers.js';
import { loadSeller } from './load-seller.js';
import { loadTariffs } from './load-tariffs.js';

export interface NightlyOptions {
  readonly runId: string;
  /** the clock, read by the face */
  readonly now: Date;
  /** load these tariffs (a new tariff set only when the files changed) */
  readonly tariffs?: string | undefined;
  /** load this customers file when it changed since it was last loaded */
  readonly customers?: string | undefined;
  /** load this seller file (stored when it changed) */
  readonly seller?: string | undefined;
  /** a spool folder: files are taken from incoming/ and moved to processed/ or failed/ */
  readonly spool?: string | undefined;
  /** a folder whose files are ingested in name order and left where they are */
  readonly cdrs?: string | undefined;
  /** a file modified less than this long ago is still being written: it waits for the next run */
  readonly settleSeconds: number;
  readonly ingest: { readonly format: FormatName | 'auto'; readonly formatOptions: FormatOptions; readonly limits: IngestLimits };
  /** queue the files for `cdrbill worker` processes on this PostgreSQL server and wait for them, instead of ingesting here */
  readonly queue?: { readonly url: string; readonly timeoutMs: number } | undefined;
  readonly invoicePeriod?: Period | undefined;
  readonly issueDate?: string | undefined;
  /** invoice the month that ended, once, and rewrite its history in account order (compactMonth) */
  readonly closeMonth: boolean;
  readonly alerts: { readonly dayAmount: string; readonly factor: number; readonly minAmount: string };
  readonly onInvoice?: (issued: IssuedInvoice) => void | Promise<void>;
  /** a structured log event */
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

export interface NightlyFile {
  readonly file: string;
  /** ingested (maybe with rejects), failed (refused whole), waiting (still being written) */
  readonly status: 'ingested' | 'failed' | 'waiting';
  readonly movedTo?: string;
  readonly read: number;
  readonly rated: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly rejectsByReason: Readonly<Record<string, number>>;
  readonly reason?: string;
}

export interface NightlyReport {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly loaded: { readonly tariffs: string | null; readonly customers: string | null; readonly seller: string | null };
  readonly files: readonly NightlyFile[];
  readonly totals: {
    readonly files: number;
    readonly read: number;
    readonly rated: number;
    readonly rejected: number;
    readonly duplicates: number;
    readonly failedFiles: number;
  };
  readonly alerts: { readonly barredCalls: readonly BarredCallAlert[]; readonly spend: readonly SpendAlert[] };
  readonly invoices: readonly { readonly period: string; readonly issued: number; readonly issuedEarlier: number }[];
  /** months whose history was rewritten in account order after they were closed (absent in reports of older runs) */
  readonly compacted?: readonly { readonly period: string; readonly calls: number; readonly ms: number }[];
  /** 0 clean; 1 some rejects or failed files */
  readonly exitCode: number;
}

const CDR_FILE = /\.csv(\.gz)?$/i;

/** A free name for `name` in `dir` (a second file of the same name on the same day gets .1, .2 …). */
function freeName(dir: string, name: string): string {
  let candidate = join(dir, name);
  for (let n = 1; existsSync(candidate); n++) candidate = join(dir, `${name}.${n}`);
  return candidate;
}

function fileOf(report: FileReport, status: NightlyFile['status'], movedTo?: string): NightlyFile {
  return {
    file: basename(report.file),
    status,
    ...(movedTo ? { movedTo } : {}),
    read: report.read,
    rated: report.rated,
    rejected: report.rejected,
    duplicates: report.duplicates,
    skipped: report.skipped,
    rejectsByReason: report.rejectsByReason,
    ...(report.fileError ? { reason: report.fileError } : {}),
  };
}

const EMPTY = { read: 0, rated: 0, rejected: 0, duplicates: 0, skipped: 0, rejectsByReason: {} } as const;

/** Ingests the files here, or through the job queue when the run has one; `onFile` as each is done. */
function ingestAll(database: Database, paths: readonly string[], options: NightlyOptions, onFile?: (report: FileReport) => void): Promise<FileReport[]> {
  const settings = { ...options.ingest, now: options.now, ...(onFile ? { onFile } : {}) };
  return options.queue
    ? ingestFilesQueued(database, options.queue.url, paths, { ...settings, timeoutMs: options.queue.timeoutMs, log: options.log })
    : ingestFiles(database, paths, settings);
}

/** The store_seq of a file's calls for the alerts: none when its content was stored by an earlier run. */
function storeSeqOf(report: FileReport): number[] {
  return report.fileId === undefined || report.storedEarlier ? [] : [report.fileId];
}

/** Takes the complete files of `spool`/incoming, ingests each, and moves it. */
async function takeSpool(database: Database, spool: string, options: NightlyOptions): Promise<{ files: NightlyFile[]; storeSeqs: number[] }> {
  const incoming = join(spool, 'incoming');
  const failed = join(spool, 'failed');
  const processed = join(spool, 'processed', amsterdamDate(options.now));
  mkdirSync(incoming, { recursive: true });
  mkdirSync(failed, { recursive: true });
  const files: NightlyFile[] = [];
  const storeSeqs: number[] = [];
  const fail = (name: string, reason: string, report?: FileReport): void => {
    const target = freeName(failed, name);
    renameSync(join(incoming, name), target);
    writeFileSync(`${target}.reason`, `${reason}\n`);
    files.push(report ? fileOf(report, 'failed', target) : { file: name, status: 'failed', movedTo: target, reason, ...EMPTY });
    options.log('file_failed', { file: name, reason, movedTo: target });
  };
  const names = readdirSync(incoming)
    .filter((n) => CDR_FILE.test(n) && !n.startsWith('.'))
    .sort();
  const ready: string[] = [];
  for (const name of names) {
    const path = join(incoming, name);
    const stat = statSync(path);
    if (!stat.isFile()) fail(name, 'not a file (a folder or a device with a CDR file name)');
    else if (options.now.getTime() - stat.mtimeMs < options.settleSeconds * 1000) {
      files.push({ file: name, status: 'waiting', reason: `modified less than ${options.settleSeconds} s ago: still being written; taken next run`, ...EMPTY });
      options.log('file_waiting', { file: name });
    } else if (stat.size === 0) fail(name, 'the file is empty');
    else ready.push(path);
  }
  // one ingest for all of them (tariffs and customers loaded once); each file is moved once its transaction committed
  await ingestAll(database, ready, options, (report) => {
    const name = basename(report.file);
    if (report.fileError) return fail(name, report.fileError, report);
    mkdirSync(processed, { recursive: true });
    const target = freeName(processed, name);
    renameSync(report.file, target);
    storeSeqs.push(...storeSeqOf(report));
    files.push(fileOf(report, 'ingested', target));
    const { read, rated, rejected, duplicates } = report;
    options.log('file_ingested', { file: name, read, rated, rejected, duplicates, movedTo: target });
  });
  return { files, storeSeqs };
}

/** Loads the customers file when its content changed since it was last loaded. */
async function loadChangedCustomers(database: Database, file: string, now: Date): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
  if ((await loadedHash(database, 'customers')) === hash) return 'unchanged';
  const customers = await loadCustomers(database, file);
  await recordLoadedHash(database, 'customers', hash, now);
  return `${file}, ${customers.accounts.length} accounts, ${customers.pbxs.length} PBXs`;
}

export async function runNightly(database: Database, options: NightlyOptions): Promise<NightlyReport> {
  const started = Date.now();
  const log = options.log;
  log('run_started', { now: options.now.toISOString() });
  let tariffs: string | null = null;
  if (options.tariffs) {
    const loaded = await loadTariffs(database, options.tariffs, options.now);
    tariffs = loaded.created ? `new tariff set ${loaded.id} from ${options.tariffs}` : `unchanged (tariff set ${loaded.id})`;
    log('tariffs', { loaded: tariffs });
  }
  const customers = options.customers ? await loadChangedCustomers(database, options.customers, options.now) : null;
  if (customers) log('customers', { loaded: customers });
  let seller: string | null = null;
  if (options.seller) {
    const loaded = await loadSeller(database, options.seller, options.now);
    seller = loaded.changed ? `${options.seller}, ${loaded.seller.name}` : 'unchanged';
    log('seller', { loaded: seller });
  }

  const files: NightlyFile[] = [];
  const storeSeqs: number[] = [];
  if (options.spool) {
    const taken = await takeSpool(database, options.spool, options);
    files.push(...taken.files);
    storeSeqs.push(...taken.storeSeqs);
  }
  if (options.cdrs) {
    const paths = readdirSync(options.cdrs)
      .filter((n) => CDR_FILE.test(n))
      .sort()
      .map((n) => join(options.cdrs!, n));
    for (const report of await ingestAll(database, paths, options)) {
      files.push(fileOf(report, report.fileError ? 'failed' : 'ingested'));
      storeSeqs.push(...storeSeqOf(report));
    }
  }

  const alerts = {
    barredCalls: await barredCalls(database, storeSeqs),
    spend: await spendSpikes(database, storeSeqs, options.alerts),
  };
  if (alerts.barredCalls.length + alerts.spend.length > 0) log('alerts', { barredCalls: alerts.barredCalls.length, spend: alerts.spend.length });

  const invoices: { period: string; issued: number; issuedEarlier: number }[] = [];
  const invoice = async (period: Period): Promise<void> => {
    let issued = 0;
    let issuedEarlier = 0;
    await issueInvoices(database, period, {
      issueDate: options.issueDate ?? periodFirstDay(nextPeriod(period)),
      now: options.now,
      onInvoice: async (i) => {
        if (i.issuedNow) issued++;
        else issuedEarlier++;
        await options.onInvoice?.(i);
      },
    });
    invoices.push({ period: formatPeriod(period), issued, issuedEarlier });
    log('invoices', { period: formatPeriod(period), issued, issuedEarlier });
  };
  if (options.invoicePeriod) await invoice(options.invoicePeriod);
  const compacted: { period: string; calls: number; ms: number }[] = [];
  if (options.closeMonth) {
    const ended = previousPeriod(parsePeriod(amsterdamDate(options.now).slice(0, 7))!);
    const text = formatPeriod(ended);
    if (!(await isMonthClosed(database, text))) {
      if (!invoices.some((i) => i.period === text)) await invoice(ended);
      // the closed month's calls in account order, for the portal: once, a run killed meanwhile does it again
      if (!(await isMonthCompacted(database, ended))) {
        const t0 = Date.now();
        const done = await compactMonth(database, ended, options.now);
        if (done) {
          compacted.push({ period: text, calls: done.calls, ms: Date.now() - t0 });
          log('compacted', compacted.at(-1)!);
        }
      }
      await recordMonthClosed(database, text, options.runId, options.now);
    }
  }

  const ingested = files.filter((f) => f.status !== 'waiting');
  const totals = {
    files: ingested.length,
    read: ingested.reduce((n, f) => n + f.read, 0),
    rated: ingested.reduce((n, f) => n + f.rated, 0),
    rejected: ingested.reduce((n, f) => n + f.rejected, 0),
    duplicates: ingested.reduce((n, f) => n + f.duplicates, 0),
    failedFiles: files.filter((f) => f.status === 'failed').length,
  };
  const finished = Date.now();
  const report: NightlyReport = {
    runId: options.runId,
    startedAt: options.now.toISOString(),
    finishedAt: new Date(options.now.getTime() + (finished - started)).toISOString(),
    durationMs: finished - started,
    loaded: { tariffs, customers, seller },
    files,
    totals,
    alerts,
    invoices,
    compacted,
    exitCode: totals.failedFiles > 0 || totals.rejected > 0 ? 1 : 0,
  };
  log('run_finished', { exitCode: report.exitCode, ...totals });
  return report;
}
