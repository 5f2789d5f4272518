/** `cdrbill ingest`: read, classify, rate and store CDR files; or rate the stored rejects again. */
import { Command } from 'commander';
import { ingestFiles, retryRejects } from '../../pipeline/ingest-files.js';
import { UsageError, type GlobalFlags } from '../config.js';
import { formatFileReport, ingestExitCode, writeReportJson } from '../ingest-report.js';
import { addCdrInputOptions, cdrInputSettings, type CdrInputFlags } from '../options.js';
import { progressBar } from '../progress.js';
import { EXIT, runWithDatabase } from '../run-command.js';

interface IngestFlags extends CdrInputFlags {
  readonly source?: string;
  readonly reportJson?: string;
  readonly retryRejects?: boolean;
}

export function ingestCommand(globals: () => GlobalFlags): Command {
  return addCdrInputOptions(
    new Command('ingest')
      .description(
        'read, classify, rate and store CDR files (.csv, .csv.gz, - for standard input); prints per file read = rated + rejected + duplicates + skipped',
      )
      .argument('[files...]', 'CDR files'),
  )
    .option('--source <name>', 'name of the feed, for duplicate detection (default: the format)')
    .option('--report-json <file>', 'also write the report as JSON')
    .option('--retry-rejects', 'rate the stored rejects again (after adding a customer or extending a tariff)')
    .action((files: string[], options: IngestFlags) =>
      runWithDatabase(globals(), async (database) => {
        const settings = cdrInputSettings(options);
        if (options.retryRejects) {
          if (files.length > 0) throw new UsageError('--retry-rejects takes no files');
          const retry = await retryRejects(database, settings.formatOptions, { now: new Date(), limits: settings.limits });
          const still = [...retry.stillRejected].map(([reason, n]) => `${reason} ${n}`).join(', ');
          const left = retry.retried - retry.rated - retry.duplicates;
          console.log(
            `retried ${retry.retried} rejects: ${retry.rated} rated, ${retry.duplicates} duplicates, ${left} still rejected${still ? ` (${still})` : ''}`,
          );
          return left > 0 ? EXIT.input : EXIT.ok;
        }
        if (files.length === 0) throw new UsageError('name the CDR files to ingest (or - for standard input), or use --retry-rejects');
        const progress = progressBar();
        const reports = await ingestFiles(database, files, {
          ...settings,
          ...(options.source ? { source: options.source } : {}),
          now: new Date(),
          onFile: (report) => console.log(formatFileReport(report)),
          ...(progress ? { onProgress: progress } : {}),
        });
        if (options.reportJson) writeReportJson(options.reportJson, reports);
        return ingestExitCode(reports);
      }),
    );
}
