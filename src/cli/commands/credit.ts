/** `cdrbill credit`: a credit note for an invoice (whole or chosen lines), optionally with a corrective invoice. */
import { join } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { amsterdamDate } from '../../domain/calendar.js';
import { creditInvoice } from '../../pipeline/credit-invoice.js';
import type { GlobalFlags } from '../config.js';
import { writeDocuments } from '../documents.js';
import { DATE, LANGUAGE, parseOption } from '../options.js';
import { runWithDatabase } from '../run-command.js';

const LINES = z
  .string()
  .regex(/^\s*[1-9]\d*\s*(,\s*[1-9]\d*\s*)*$/, 'expected line numbers like 1,3')
  .transform((text) => text.split(',').map((n) => Number(n.trim())));

interface CreditFlags {
  readonly invoice: string;
  readonly reason: string;
  readonly lines?: string;
  readonly reissue?: boolean;
  readonly issueDate?: string;
  readonly out?: string;
  readonly lang?: string;
}

export function creditCommand(globals: () => GlobalFlags): Command {
  return new Command('credit')
    .description('issue a credit note for an invoice (whole or chosen lines); with --reissue also a corrective invoice after a rerate')
    .requiredOption('--invoice <number>', 'the invoice to credit')
    .requiredOption('--reason <text>', 'why, printed on the credit note')
    .option('--lines <n,n,…>', 'only these lines (1-based, as on the invoice)')
    .option('--reissue', 'credit the whole invoice and issue a corrective one with its calls at their prices now')
    .option('--issue-date <YYYY-MM-DD>', 'date on the documents (default: today in Amsterdam)')
    .option('--out <dir>', 'folder for the documents (default: <data-dir>/invoices)')
    .option('--lang <nl|en>', 'language of the HTML documents (default: the customer’s language, else Dutch)')
    .action((options: CreditFlags) =>
      runWithDatabase(globals(), async (database, config) => {
        const language = options.lang === undefined ? undefined : parseOption('--lang', LANGUAGE, options.lang);
        const lines = options.lines === undefined ? [] : parseOption('--lines', LINES, options.lines);
        const issueDate = parseOption('--issue-date', DATE, options.issueDate ?? amsterdamDate(new Date()));
        const result = await creditInvoice(database, {
          invoiceNumber: options.invoice,
          reason: options.reason,
          lines,
          issueDate,
          reissue: options.reissue ?? false,
        });
        const docs = [result.creditNote, ...(result.corrective ? [result.corrective] : [])];
        writeDocuments(options.out ?? join(config.dataDir, 'invoices'), docs, language);
        console.log(
          `credit note ${result.creditNote.number} for invoice ${options.invoice}: ${result.creditNote.total} EUR (${result.creditNote.lines.length} lines)`,
        );
        if (result.corrective) console.log(`corrective invoice ${result.corrective.number} replaces ${options.invoice}: ${result.corrective.total} EUR`);
      }),
    );
}
