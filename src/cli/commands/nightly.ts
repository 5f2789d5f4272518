/** `cdrbill nightly`: migrate, load tariffs and customers, ingest a folder of CDR files, optionally invoice a period. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { nextPeriod, periodFirstDay } from '../../domain/period.js';
import { ingestFiles } from '../../pipeline/ingest-files.js';
import { issueInvoices } from '../../pipeline/issue-invoices.js';
import { loadCustomers } from '../../pipeline/load-customers.js';
import { loadTariffs } from '../../pipeline/load-tariffs.js';
import { DEFAULTS, UsageError, type GlobalFlags } from '../config.js';
import { INVOICE_SUMMARY, invoiceCollector } from '../documents.js';
import { formatFileReport, ingestExitCode } from '../ingest-report.js';
import { addCdrInputOptions, cdrInputSettings, DATE, parseOption, period, type CdrInputFlags } from '../options.js';
import { print, render } from '../output.js';
import { runWithDatabase } from '../run-command.js';

interface NightlyFlags extends CdrInputFlags {
  readonly tariffs: string;
  readonly customers: string;
  readonly cdrs: string;
  readonly invoicePeriod?: string;
  readonly issueDate?: string;
  readonly out?: string;
}

export function nightlyCommand(globals: () => GlobalFlags): Command {
  return addCdrInputOptions(
    new Command('nightly').description('the nightly job: migrate, load tariffs and customers, ingest a folder of CDR files, optionally invoice a period'),
  )
    .option('--tariffs <dir>', 'tariff directory', DEFAULTS.tariffDir)
    .requiredOption('--customers <file>', 'customers file')
    .requiredOption('--cdrs <dir>', 'folder of CDR files (*.csv, *.csv.gz), ingested in name order')
    .option('--invoice-period <YYYY-MM>', 'then issue the invoices of this period')
    .option('--issue-date <YYYY-MM-DD>', 'date on the invoices (default: the first day after the period)')
    .option('--out <dir>', 'folder for the invoice files (default: <data-dir>/invoices)')
    .action((options: NightlyFlags) =>
      runWithDatabase(globals(), async (database, config) => {
        const billed = options.invoicePeriod ? period(options.invoicePeriod, '--invoice-period') : undefined;
        const issueDate = billed ? parseOption('--issue-date', DATE, options.issueDate ?? periodFirstDay(nextPeriod(billed))) : undefined;
        const settings = cdrInputSettings(options);
        const now = new Date();
        print(`database: ${database.kind} at ${database.location}`);
        const tariffs = await loadTariffs(database, options.tariffs, now);
        print(`tariffs: ${tariffs.tariffs.plans.size} plans (${tariffs.created ? `new tariff set ${tariffs.id}` : `tariff set ${tariffs.id}, unchanged`})`);
        const customers = await loadCustomers(database, options.customers);
        print(`customers: ${customers.accounts.length} accounts, ${customers.pbxs.length} PBXs`);
        let files: string[];
        try {
          files = readdirSync(options.cdrs)
            .filter((f) => /\.csv(\.gz)?$/.test(f))
            .sort()
            .map((f) => join(options.cdrs, f));
        } catch {
          throw new UsageError(`--cdrs: ${options.cdrs} is not a readable folder`);
        }
        const reports = await ingestFiles(database, files, { ...settings, now, onFile: (r) => print(formatFileReport(r)) });
        const exit = ingestExitCode(reports);
        if (billed && issueDate) {
          const collected = invoiceCollector(options.out ?? join(config.dataDir, 'invoices'), 'nl');
          await issueInvoices(database, billed, { issueDate, now, onInvoice: collected.take });
          await collected.finish();
          print(`\ninvoices ${options.invoicePeriod}:`);
          print(render('table', collected.rows, INVOICE_SUMMARY));
        }
        return exit;
      }),
    );
}
