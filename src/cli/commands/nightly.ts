/**
 * `cdrbill nightly`: the job an operator leaves to cron. Loads the reference files it is given when
 * they changed, takes a spool's complete CDR files (or a folder's), raises alerts, invoices a period
 * or closes the month that ended, and reports: a short summary on stdout (or the report as JSON), the
 * report as a JSON file and in `cdrbill runs`, a structured log with the run id. One run at a time.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import pino from 'pino';
import { z } from 'zod';
import { runNightly, type NightlyReport } from '../../pipeline/nightly-run.js';
import { LOCK } from '../../store/database.js';
import { insertRun } from '../../store/nightly-store.js';
import { resolveConfig, UsageError, type GlobalFlags } from '../config.js';
import { invoiceCollector } from '../documents.js';
import { takeLockFile } from '../lock-file.js';
import { addCdrInputOptions, cdrInputSettings, DATE, parseOption, period, WHOLE_NUMBER, type CdrInputFlags } from '../options.js';
import { print } from '../output.js';
import { EXIT, runWithDatabase } from '../run-command.js';

interface NightlyFlags extends CdrInputFlags {
  readonly tariffs?: string;
  readonly customers?: string;
  readonly seller?: string;
  readonly spool?: string;
  readonly cdrs?: string;
  readonly settleSeconds: string;
  readonly invoicePeriod?: string;
  readonly issueDate?: string;
  readonly closeMonth?: boolean;
  readonly alertDayAmount: string;
  readonly alertFactor: string;
  readonly alertMinAmount: string;
  readonly out?: string;
  readonly reportJson?: string;
  readonly output: 'text' | 'json';
  readonly queue?: boolean;
  readonly queueTimeoutMinutes: string;
}

/** `20261124-031500-a1b2`: sortable, and unique enough for two runs in a second. */
function runIdAt(now: Date): string {
  return `${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(2).toString('hex')}`;
}

/** The morning read: what came in, what failed and why, alerts, invoices. */
export function summary(report: NightlyReport): string {
  const t = report.totals;
  const lines = [
    `nightly run ${report.runId}: exit ${report.exitCode}, ${(report.durationMs / 1000).toFixed(1)} s`,
    ...(report.loaded.tariffs ? [`loaded tariffs: ${report.loaded.tariffs}`] : []),
    ...(report.loaded.customers ? [`loaded customers: ${report.loaded.customers}`] : []),
    ...(report.loaded.seller ? [`loaded seller: ${report.loaded.seller}`] : []),
    `files: ${t.files} (${t.failedFiles} failed), read ${t.read} = rated ${t.rated} + rejected ${t.rejected} + duplicates ${t.duplicates} + skipped ${t.read - t.rated - t.rejected - t.duplicates}`,
  ];
  for (const f of report.files) {
    if (f.status === 'failed') lines.push(`  FAILED ${f.file}: ${f.reason}${f.movedTo ? ` (moved to ${f.movedTo})` : ''}`);
    else if (f.status === 'waiting') lines.push(`  waiting ${f.file}: ${f.reason}`);
    else {
      const reasons = Object.entries(f.rejectsByReason)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ');
      lines.push(
        `  ${f.file}: read ${f.read} = rated ${f.rated} + rejected ${f.rejected}${reasons ? ` (${reasons})` : ''} + duplicates ${f.duplicates} + skipped ${f.skipped}`,
      );
    }
  }
  for (const a of report.alerts.barredCalls) {
    lines.push(`  ALERT barred ${a.barring}: ${a.accountId} line ${a.line} called ${a.destination ?? '?'} at ${a.startedAt} (${a.charged} EUR)`);
  }
  for (const a of report.alerts.spend) {
    lines.push(
      `  ALERT spend: ${a.accountId} charged ${a.charged} EUR on ${a.day} (premium ${a.premium}, international ${a.international}; usual day ${a.usualDay ?? 'no history'})`,
    );
  }
  for (const i of report.invoices) lines.push(`invoices ${i.period}: ${i.issued} issued, ${i.issuedEarlier} issued earlier`);
  for (const c of report.compacted ?? []) lines.push(`history ${c.period}: ${c.calls} calls rewritten in account order, ${(c.ms / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

export function nightlyCommand(globals: () => GlobalFlags): Command {
  return addCdrInputOptions(
    new Command('nightly').description(
      'the nightly job: load changed reference files, take a spool of CDR files (incoming/ → processed/ or failed/), alert, invoice or close the month, report',
    ),
  )
    .option('--spool <dir>', 'spool folder: complete files of DIR/incoming are ingested and moved to DIR/processed/YYYY-MM-DD/ or DIR/failed/ (with a .reason)')
    .option('--cdrs <dir>', 'a folder of CDR files (*.csv, *.csv.gz) ingested in name order and left in place')
    .option('--tariffs <dir>', 'load this tariff directory (a new tariff set only when its files changed); without it the loaded tariffs are used')
    .option('--customers <file>', 'load this customers file when it changed since it was last loaded')
    .option('--seller <file>', "load our company's details for the invoices (stored when they changed)")
    .option('--settle-seconds <n>', 'a spool file modified less than this long ago is still being written: it waits for the next run', '60')
    .option('--invoice-period <YYYY-MM>', 'then issue the invoices of this period')
    .option('--close-month', 'the first run after a month ended (Europe/Amsterdam) invoices it, once, and rewrites its calls in account order (see compact)')
    .option('--issue-date <YYYY-MM-DD>', 'date on the invoices (default: the first day after the period)')
    .option('--alert-day-amount <euro>', "alert when an account's charges of one day exceed this", '50')
    .option('--alert-factor <k>', 'alert when a day exceeds k times the account’s average day of the 90 days before', '5')
    .option('--alert-min-amount <euro>', 'no factor alert for a day below this', '10')
    .option('--queue', 'queue the CDR files for `cdrbill worker` processes (PostgreSQL) and wait for them, instead of ingesting in this process')
    .option('--queue-timeout-minutes <n>', 'with --queue: give up (exit 3, files left in place) when the workers have not ingested every file by then', '360')
    .option('--out <dir>', 'folder for the invoice files (default: <data-dir>/invoices)')
    .option('--report-json <file>', 'the run report (default: <data-dir>/runs/<run id>.json)')
    .addOption(new Option('-o, --output <format>', 'stdout: a text summary or the report as JSON').choices(['text', 'json']).default('text'))
    .action(async (options: NightlyFlags) => {
      // the embedded database is one process's: its lock file is taken before it is opened
      const embedded = embeddedLockPath(globals());
      const release = embedded === undefined ? () => undefined : takeLockFile(embedded);
      if (!release) {
        process.stderr.write(`cdrbill: another nightly run holds ${embedded}; nothing was done\n`);
        process.exitCode = EXIT.busy;
        return;
      }
      try {
        await runWithDatabase(globals(), async (database, config) => {
          const now = new Date();
          const runId = runIdAt(now);
          const invoicePeriod = options.invoicePeriod ? period(options.invoicePeriod, '--invoice-period') : undefined;
          const issueDate = options.issueDate === undefined ? undefined : parseOption('--issue-date', DATE, options.issueDate);
          const settleSeconds = parseOption('--settle-seconds', WHOLE_NUMBER, options.settleSeconds);
          const euro = z.string().regex(/^\d+(\.\d{1,2})?$/, 'expected a euro amount like 50 or 49.95');
          const dayAmount = parseOption('--alert-day-amount', euro, options.alertDayAmount);
          const minAmount = parseOption('--alert-min-amount', euro, options.alertMinAmount);
          const factor = parseOption('--alert-factor', WHOLE_NUMBER, options.alertFactor);
          const ingest = cdrInputSettings(options);
          const queueTimeout = parseOption('--queue-timeout-minutes', WHOLE_NUMBER, options.queueTimeoutMinutes);
          if (options.queue && !config.databaseUrl) {
            throw new UsageError(
              '--queue needs a PostgreSQL server (--db or DATABASE_URL): workers share its job queue; the embedded database ingests in this process',
            );
          }
          const queue = options.queue ? { url: config.databaseUrl!, timeoutMs: queueTimeout * 60_000 } : undefined;
          const runsDir = join(config.dataDir, 'runs');
          mkdirSync(runsDir, { recursive: true });
          const logger = pino({ base: { runId } }, pino.destination({ dest: join(config.dataDir, 'nightly.log'), sync: true, mkdir: true }));
          {
            const collected = invoiceCollector(options.out ?? join(config.dataDir, 'invoices'));
            const run = await database.exclusively(LOCK.nightly, () =>
              runNightly(database, {
                runId,
                now,
                tariffs: options.tariffs,
                customers: options.customers,
                seller: options.seller,
                spool: options.spool,
                cdrs: options.cdrs,
                settleSeconds,
                ingest,
                queue,
                invoicePeriod,
                issueDate,
                closeMonth: options.closeMonth ?? false,
                alerts: { dayAmount, factor, minAmount },
                onInvoice: collected.take,
                log: (event, fields) => logger.info(fields, event),
              }),
            );
            if (!run.acquired) {
              process.stderr.write(`cdrbill: another nightly run is in progress on ${database.location}; nothing was done\n`);
              return EXIT.busy;
            }
            await collected.finish();
            const report = run.value;
            const json = `${JSON.stringify(report, null, 2)}\n`;
            writeFileSync(options.reportJson ?? join(runsDir, `${runId}.json`), json);
            await insertRun(database, { id: runId, started_at: now, finished_at: new Date(report.finishedAt), exit_code: report.exitCode, report: json });
            print(options.output === 'json' ? json : summary(report));
            return report.exitCode;
          }
        });
      } finally {
        release();
      }
    });
}

/** Where the nightly lock file of an embedded database is (undefined on PostgreSQL, or without a data folder yet). */
function embeddedLockPath(flags: GlobalFlags): string | undefined {
  try {
    const config = resolveConfig(flags, process.env);
    return config.databaseUrl || !existsSync(config.dataDir) ? undefined : join(config.dataDir, 'nightly.lock');
  } catch {
    return undefined; // runWithDatabase reports the bad setting
  }
}
