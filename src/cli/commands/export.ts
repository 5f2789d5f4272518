/**
 * `cdrbill export register|journal|vat|revenue|ubl|sepa`: what finance books and files, from the
 * issued documents, chosen by issue date (--from/--to) or period of supply (--period). Tabular
 * exports print with the one output option (CSV and JSON the same keys, every cell inert in a
 * spreadsheet); a re-run prints the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { addMonthsToDate, addDaysToDate } from '../../domain/calendar.js';
import type { JournalLine } from '../../exports/journal.js';
import { registerTotals, type RegisterRow } from '../../exports/register.js';
import type { RevenueRow } from '../../exports/revenue.js';
import type { VatReturnRow } from '../../exports/vat-return.js';
import type { DocumentSelection } from '../../pipeline/finance-exports.js';
import { InputError } from '../../pipeline/input-error.js';
import { DATE, parseOption, period } from '../options.js';
import { outputOption, print, render, type Field, type OutputFormat } from '../output.js';
import { UsageError, type GlobalFlags } from '../config.js';
import { runWithDatabase } from '../run-command.js';

interface SelectionFlags {
  readonly from?: string;
  readonly to?: string;
  readonly period?: string;
}

function withSelection(command: Command): Command {
  return command
    .option('--from <YYYY-MM-DD>', 'documents issued on or after this date')
    .option('--to <YYYY-MM-DD>', 'documents issued on or before this date')
    .option('--period <YYYY-MM>', 'documents of this period of supply');
}

function selection(flags: SelectionFlags): DocumentSelection {
  if (flags.period !== undefined) {
    if (flags.from !== undefined || flags.to !== undefined) throw new UsageError('--period or --from/--to, not both');
    const p = period(flags.period);
    return { period: `${p.year}-${String(p.month).padStart(2, '0')}` };
  }
  if (flags.from === undefined || flags.to === undefined) throw new UsageError('choose the documents: --from and --to (issue dates), or --period');
  const from = parseOption('--from', DATE, flags.from);
  const to = parseOption('--to', DATE, flags.to);
  if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
  return { from, to };
}

const REGISTER: readonly Field<RegisterRow>[] = [
  { key: 'number', value: (r) => r.number },
  { key: 'kind', value: (r) => r.kind },
  { key: 'issueDate', value: (r) => r.issueDate },
  { key: 'dueDate', value: (r) => r.dueDate },
  { key: 'period', value: (r) => r.period },
  { key: 'account', value: (r) => r.account },
  { key: 'accountName', header: 'name', value: (r) => r.accountName },
  { key: 'refersTo', value: (r) => r.refersTo },
  { key: 'vatRate', value: (r) => r.vatRate, align: 'right' },
  { key: 'net', value: (r) => r.net, align: 'right' },
  { key: 'vat', value: (r) => r.vat, align: 'right' },
  { key: 'gross', value: (r) => r.gross, align: 'right' },
];

const JOURNAL: readonly Field<JournalLine>[] = [
  { key: 'entry', value: (l) => l.entry },
  { key: 'date', value: (l) => l.date },
  { key: 'journal', value: (l) => l.journal },
  { key: 'kind', value: (l) => l.kind, table: false },
  { key: 'ledgerAccount', header: 'account', value: (l) => l.ledgerAccount },
  { key: 'relation', value: (l) => l.relation },
  { key: 'description', value: (l) => l.description },
  { key: 'debit', value: (l) => l.debit, align: 'right' },
  { key: 'credit', value: (l) => l.credit, align: 'right' },
  { key: 'vatCode', value: (l) => l.vatCode },
];

const VAT: readonly Field<VatReturnRow>[] = [
  { key: 'period', value: (r) => r.period },
  { key: 'rubriek', value: (r) => r.rubriek },
  { key: 'description', value: (r) => r.description },
  { key: 'vatRate', value: (r) => r.vatRate, align: 'right' },
  { key: 'documents', value: (r) => r.documents, align: 'right' },
  { key: 'turnover', value: (r) => r.turnover, align: 'right' },
  { key: 'vat', value: (r) => r.vat, align: 'right' },
  { key: 'turnoverWholeEuros', header: 'turnover (€)', value: (r) => r.turnoverWholeEuros, align: 'right' },
  { key: 'vatWholeEuros', header: 'vat (€)', value: (r) => r.vatWholeEuros, align: 'right' },
];

const REVENUE: readonly Field<RevenueRow>[] = [
  { key: 'month', value: (r) => r.month },
  { key: 'type', value: (r) => r.type },
  { key: 'key', header: 'product/category', value: (r) => r.key },
  { key: 'productKind', value: (r) => r.productKind },
  { key: 'label', value: (r) => r.label, table: false },
  { key: 'net', value: (r) => r.net, align: 'right' },
];

/** A VAT return's period: YYYY-MM or YYYY-Qn, as issue dates. */
const RETURN_PERIOD = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, 'expected a month YYYY-MM or a quarter YYYY-Q1…Q4')
  .transform((text) => {
    const quarter = /Q(\d)$/.exec(text);
    const first = quarter ? `${text.slice(0, 4)}-${String((Number(quarter[1]) - 1) * 3 + 1).padStart(2, '0')}-01` : `${text}-01`;
    const to = addDaysToDate(addMonthsToDate(first, quarter ? 3 : 1), -1);
    return { from: first, to, by: (quarter ? 'quarter' : 'month') as 'month' | 'quarter' };
  });

/** The exports and their XML builder, loaded when an export runs (not by every other command). */
const finance = () => import('../../pipeline/finance-exports.js');

export function exportCommand(globals: () => GlobalFlags): Command {
  const command = new Command('export').description(
    'what finance books and files: register, journal, vat, revenue (CSV or JSON), ubl (e-invoices), sepa (direct debits)',
  );
  withSelection(command.command('register'))
    .description('every invoice, corrective invoice and credit note: number, kind, dates, account, refers-to, net, VAT and gross per VAT rate')
    .addOption(outputOption())
    .action((options: SelectionFlags & { output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const rows = await (await finance()).exportRegister(database, selection(options));
        print(render(options.output, rows, REGISTER));
        if (options.output === 'table') {
          const t = registerTotals(rows);
          print(`${new Set(rows.map((r) => r.number)).size} documents: net ${t.net}, VAT ${t.vat}, gross ${t.gross}`);
        }
      }),
    );
  withSelection(command.command('journal'))
    .description('the sales journal: per document a debtor line, revenue and VAT lines; debits equal credits')
    .option('--ledger <file>', 'ledger account mapping (JSON)', 'finance/ledger.json')
    .addOption(
      new Option('--layout <layout>', 'generic (CSV/JSON rows) or twinfield (Twinfield XML import)').choices(['generic', 'twinfield']).default('generic'),
    )
    .option('--out <file>', 'write the Twinfield XML to this file instead of standard output')
    .addOption(outputOption())
    .action((options: SelectionFlags & { ledger: string; layout: 'generic' | 'twinfield'; out?: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const ledger = (await finance()).readLedger(options.ledger);
        const { documents, lines } = await (await finance()).exportJournal(database, selection(options), ledger);
        if (options.layout === 'generic') {
          print(render(options.output, lines, JOURNAL));
          return;
        }
        const { twinfieldXml } = await import('../../exports/journal.js');
        const xml = twinfieldXml(documents, lines, ledger);
        if (options.out) writeFileSync(options.out, xml);
        else process.stdout.write(xml);
      }),
    );
  command
    .command('vat')
    .description('the VAT return (BTW-aangifte) figures per rubriek (1a, 1b, 1c, 1e) for a month or quarter of issue dates')
    .requiredOption('--period <YYYY-MM|YYYY-Qn>', 'the return period: a month or a quarter (by issue date)')
    .addOption(outputOption())
    .action((options: { period: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const returnPeriod = parseOption('--period', RETURN_PERIOD, options.period);
        const rows = await (await finance()).exportVatReturn(database, { from: returnPeriod.from, to: returnPeriod.to }, returnPeriod.by);
        print(render(options.output, rows, VAT));
      }),
    );
  withSelection(command.command('revenue'))
    .description('net revenue per month of supply, per product and per usage category')
    .addOption(outputOption())
    .action((options: SelectionFlags & { output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        print(render(options.output, await (await finance()).exportRevenue(database, selection(options)), REVENUE));
      }),
    );
  withSelection(command.command('ubl'))
    .description('SI-UBL 2.0 (NLCIUS) e-invoices of business accounts: one XML file per document (Invoice 380/384, CreditNote 381)')
    .requiredOption('--out <dir>', 'folder for the XML files')
    .option('--all', 'residential accounts too, where their documents can be e-invoices')
    .action((options: SelectionFlags & { out: string; all?: boolean }) =>
      runWithDatabase(globals(), async (database) => {
        mkdirSync(options.out, { recursive: true });
        const result = await (await finance()).exportUbl(
          database,
          selection(options),
          (number, xml) => writeFileSync(join(options.out, `${number}.xml`), xml),
          options.all ?? false,
        );
        print(
          `${result.written} e-invoices written to ${options.out}${result.consumers ? `; ${result.consumers} residential documents left out (--all includes them)` : ''}`,
        );
        if (result.refused.length > 0) throw new InputError(`${result.refused.length} documents cannot be e-invoices:\n  ${result.refused.join('\n  ')}`);
      }),
    );
  withSelection(command.command('sepa'))
    .description("a SEPA direct-debit file (pain.008.001.08) for the direct-debit accounts' invoices; credit notes reduce the invoice they credit")
    .requiredOption('--out <file>', 'the pain.008 XML file')
    .option('--collection-date <YYYY-MM-DD>', "collect on this date (default: each invoice's due date)")
    .addOption(outputOption())
    .action((options: SelectionFlags & { out: string; collectionDate?: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const date = options.collectionDate === undefined ? undefined : parseOption('--collection-date', DATE, options.collectionDate);
        const batch = await (await finance()).exportSepa(database, selection(options), date);
        if (batch.xml) writeFileSync(options.out, batch.xml);
        const rows = [
          ...batch.collections.map((c) => ({
            document: c.invoice,
            status: `${c.sequence} ${c.collectionDate}`,
            amount: c.amount,
            note: c.reducedBy.join(' '),
          })),
          ...batch.excluded.map((e) => ({ document: e.document, status: 'excluded', amount: '', note: e.reason })),
        ];
        print(
          render(options.output, rows, [
            { key: 'document', value: (r) => r.document },
            { key: 'status', value: (r) => r.status },
            { key: 'amount', value: (r) => r.amount, align: 'right' },
            { key: 'note', value: (r) => r.note },
          ]),
        );
        if (options.output === 'table') {
          print(
            batch.xml
              ? `${options.out}: ${batch.collections.length} collections, control sum ${batch.controlSum}`
              : 'no direct debits to collect; no file written',
          );
        }
      }),
    );
  return command;
}
