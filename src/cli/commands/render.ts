/** `cdrbill render`: an issued invoice or credit note as HTML (for people), CSV lines or JSON. */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { CreditNote } from '../../billing/build-credit-note.js';
import type { Invoice } from '../../billing/build-invoice.js';
import { renderInvoiceCsv, renderInvoiceHtml } from '../../billing/render-invoice.js';
import { InputError } from '../../pipeline/input-error.js';
import { findByNumber } from '../../store/invoice-store.js';
import { UsageError, type GlobalFlags } from '../config.js';
import { pdfRenderer } from '../documents.js';
import { LANGUAGE, parseOption } from '../options.js';
import { runWithDatabase } from '../run-command.js';

interface RenderFlags {
  readonly invoice: string;
  readonly output: 'html' | 'pdf' | 'csv' | 'json';
  readonly lang?: string;
  readonly out?: string;
}

export function renderCommand(globals: () => GlobalFlags): Command {
  return new Command('render')
    .description('an issued invoice or credit note as HTML or PDF (for people), CSV (its lines, for spreadsheets) or JSON (the stored document)')
    .requiredOption('--invoice <number>', 'the document number')
    .addOption(new Option('-o, --output <format>', 'rendering').choices(['html', 'pdf', 'csv', 'json']).default('html'))
    .option('--lang <nl|en>', 'language of the HTML (default: the customer’s language, else Dutch)')
    .option('--out <file>', 'write to this file instead of standard output')
    .action((options: RenderFlags) =>
      runWithDatabase(globals(), async (database) => {
        const language = options.lang === undefined ? undefined : parseOption('--lang', LANGUAGE, options.lang);
        const row = await findByNumber(database.db, options.invoice);
        if (!row) throw new InputError(`no invoice or credit note ${options.invoice}; the numbers issued are in the summary of cdrbill invoice`);
        const doc = JSON.parse(row.document) as Invoice | CreditNote;
        const content =
          options.output === 'pdf'
            ? await (await pdfRenderer())(doc, language)
            : options.output === 'html'
              ? renderInvoiceHtml(doc, language)
              : options.output === 'csv'
                ? renderInvoiceCsv(doc)
                : `${JSON.stringify(doc, null, 2)}\n`;
        if (options.out) writeFileSync(options.out, content);
        else if (options.output === 'pdf' && process.stdout.isTTY)
          throw new UsageError('a PDF is not for the terminal: give --out FILE or redirect the output');
        else process.stdout.write(content);
      }),
    );
}
