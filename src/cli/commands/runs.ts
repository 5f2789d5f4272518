/** `cdrbill runs`: the nightly runs, newest first; `--id` shows one run's report. */
import { Command } from 'commander';
import type { NightlyReport } from '../../pipeline/nightly-run.js';
import { InputError } from '../../pipeline/input-error.js';
import { findRun, listRuns } from '../../store/nightly-store.js';
import type { GlobalFlags } from '../config.js';
import { WHOLE_NUMBER, parseOption } from '../options.js';
import { outputOption, print, render, type Field, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';
import { summary } from './nightly.js';

const FIELDS: readonly Field<NightlyReport>[] = [
  { key: 'runId', header: 'run', value: (r) => r.runId },
  { key: 'startedAt', header: 'started', value: (r) => r.startedAt },
  { key: 'durationMs', header: 'ms', value: (r) => r.durationMs, align: 'right' },
  { key: 'exitCode', header: 'exit', value: (r) => r.exitCode, align: 'right' },
  { key: 'files', value: (r) => r.totals.files, align: 'right' },
  { key: 'failedFiles', header: 'failed', value: (r) => r.totals.failedFiles, align: 'right' },
  { key: 'read', value: (r) => r.totals.read, align: 'right' },
  { key: 'rated', value: (r) => r.totals.rated, align: 'right' },
  { key: 'rejected', value: (r) => r.totals.rejected, align: 'right' },
  { key: 'duplicates', value: (r) => r.totals.duplicates, align: 'right' },
  { key: 'alerts', value: (r) => r.alerts.barredCalls.length + r.alerts.spend.length, align: 'right' },
  { key: 'invoices', value: (r) => r.invoices.map((i) => `${i.period}: ${i.issued}`) },
];

export function runsCommand(globals: () => GlobalFlags): Command {
  return new Command('runs')
    .description('the nightly runs, newest first: files, counts, failed files, alerts, invoices and exit code; --id shows one report')
    .option('--id <run>', 'show this run: its summary (table) or its whole report (json)')
    .option('--last <n>', 'how many runs to list', '20')
    .addOption(outputOption())
    .action((options: { id?: string; last: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        if (options.id) {
          const run = await findRun(database, options.id);
          if (!run) throw new InputError(`no nightly run ${options.id}; cdrbill runs lists them`);
          const report = JSON.parse(run.report) as NightlyReport;
          print(options.output === 'json' ? run.report : options.output === 'csv' ? render('csv', [report], FIELDS) : summary(report));
          return;
        }
        const runs = await listRuns(database, parseOption('--last', WHOLE_NUMBER, options.last));
        print(
          render(
            options.output,
            runs.map((r) => JSON.parse(r.report) as NightlyReport),
            FIELDS,
          ),
        );
      }),
    );
}
