/** `cdrbill invoice`: issue a period's invoices, write them as JSON and HTML, print a summary. */
import { join } from 'node:path';
import { Command } from 'commander';
import { amsterdamDate } from '../../domain/calendar.js';
import { issueInvoices } from '../../pipeline/issue-invoices.js';
import type { GlobalFlags } from '../config.js';
import { INVOICE_SUMMARY, invoiceCollector } from '../documents.js';
import { countProgress } from '../progress.js';
import { DATE, LANGUAGE, parseOption, period } from '../options.js';
import { outputOption, print, render, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';

interface InvoiceFlags {
  readonly period: string;
  readonly out?: string;
  readonly issueDate?: string;
  readonly dryRun?: boolean;
  readonly pdf?: boolean;
  readonly lang?: string;
  readonly output: OutputFormat;
}

export function invoiceCommand(globals: () => GlobalFlags): Command {
  return new Command('invoice')
    .description(
      "issue the period's invoices (after the period has ended; one run at a time): one JSON (for machines) and one HTML (for people) file per invoice, and a summary",
    )
    .requiredOption('--period <YYYY-MM>', 'billing period (calendar month, Europe/Amsterdam)')
    .option('--out <dir>', 'folder for the invoice files (default: <data-dir>/invoices)')
    .option('--issue-date <YYYY-MM-DD>', 'date on the invoices (default: today in Amsterdam)')
    .option('--dry-run', 'show what would be invoiced; store, number and write nothing')
    .option('--pdf', 'also write each invoice as PDF')
    .option('--lang <nl|en>', 'language of the HTML invoices (default: the customer’s language, else Dutch)')
    .addOption(outputOption())
    .action((options: InvoiceFlags) =>
      runWithDatabase(globals(), async (database, config) => {
        const language = options.lang === undefined ? undefined : parseOption('--lang', LANGUAGE, options.lang);
        const billed = period(options.period);
        const issueDate = parseOption('--issue-date', DATE, options.issueDate ?? amsterdamDate(new Date()));
        const collected = invoiceCollector(options.dryRun ? undefined : (options.out ?? join(config.dataDir, 'invoices')), language, options.pdf ?? false);
        const progress = countProgress('invoices');
        await issueInvoices(database, billed, {
          issueDate,
          now: new Date(),
          dryRun: options.dryRun ?? false,
          onInvoice: collected.take,
          ...(progress ? { onProgress: progress } : {}),
        });
        await collected.finish();
        print(render(options.output, collected.rows, INVOICE_SUMMARY));
      }),
    );
}
