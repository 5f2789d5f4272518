/**
 * The cdrbill command line. Each command parses its options, calls one library function, prints,
 * and sets the exit code.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { formatMinutes } from '../billing/build-invoice.js';
import { amsterdamParts } from '../domain/amsterdam-time.js';
import { Decimal, formatTicks } from '../domain/money.js';
import { parsePeriod, type Period } from '../domain/period.js';
import { DEFAULT_FORMAT_OPTIONS, FORMAT_NAMES, type FormatName, type FormatOptions } from '../ingest/cdr-format.js';
import { isKnownTimeZone } from '../domain/zoned-time.js';
import { buildNumberingPlan } from '../numbering/numbering-plan.js';
import { classifyDestination } from '../numbering/classify-destination.js';
import { ingestFiles, retryRejects } from '../pipeline/ingest-files.js';
import { issueInvoices, type IssuedInvoice } from '../pipeline/issue-invoices.js';
import { loadCustomers } from '../pipeline/load-customers.js';
import { loadTariffs } from '../pipeline/load-tariffs.js';
import { listCalls, listRejects } from '../store/call-store.js';
import { explainPrice } from '../pipeline/explain-price.js';
import { creditInvoice } from '../pipeline/credit-invoice.js';
import { enterpriseOverview } from '../pipeline/enterprise-overview.js';
import { InputError } from '../pipeline/input-error.js';
import { findByNumber } from '../store/invoice-store.js';
import type { Invoice } from '../billing/build-invoice.js';
import type { CreditNote } from '../billing/build-credit-note.js';
import { renderInvoiceCsv, renderInvoiceHtml, type Language } from '../billing/render-invoice.js';
import { reratePeriod } from '../pipeline/rerate-period.js';
import { applyFairUse, fairUseReport } from '../pipeline/fair-use.js';
import { DEFAULTS, UsageError, type GlobalFlags } from './config.js';
import { formatFileReport, ingestExitCode, writeReportJson } from './ingest-report.js';
import { OUTPUT_FORMATS, render, renderTable, type OutputFormat } from './output.js';
import { EXIT, fail, runWithDatabase } from './run-command.js';

function periodOption(text: string): Period {
  const period = parsePeriod(text);
  if (!period) throw new UsageError(`--period: expected YYYY-MM, got "${text}"`);
  return period;
}

function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table');
}

interface IngestFlags {
  format: string;
  timeZone: string;
  broadworksTimes: string;
  freeswitchLegs: string;
}

/** The CDR format and reading options the ingest flags name. */
function ingestSettings(flags: IngestFlags): { format: FormatName | 'auto'; formatOptions: FormatOptions } {
  if (!isKnownTimeZone(flags.timeZone)) throw new UsageError(`--time-zone: "${flags.timeZone}" is not an IANA time zone (like Europe/Amsterdam or UTC)`);
  if (flags.broadworksTimes !== 'user' && flags.broadworksTimes !== 'fixed') {
    throw new UsageError(`--broadworks-times: expected user or fixed, got "${flags.broadworksTimes}"`);
  }
  if (flags.freeswitchLegs !== 'a' && flags.freeswitchLegs !== 'ab') throw new UsageError(`--freeswitch-legs: expected a or ab, got "${flags.freeswitchLegs}"`);
  const formatOptions: FormatOptions = { timeZone: flags.timeZone, broadworksZoneSource: flags.broadworksTimes, freeswitchLegs: flags.freeswitchLegs };
  if (flags.format === 'auto') return { format: 'auto', formatOptions };
  if (!(FORMAT_NAMES as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format: expected auto or one of ${FORMAT_NAMES.join(', ')}, got "${flags.format}"`);
  }
  return { format: flags.format as FormatName, formatOptions };
}

function addIngestOptions(command: Command): Command {
  return command
    .option('--format <format>', `CDR format: auto, ${FORMAT_NAMES.join(', ')}`, 'auto')
    .option('--time-zone <zone>', 'zone of switch times written without one', DEFAULT_FORMAT_OPTIONS.timeZone)
    .option('--broadworks-times <how>', "BroadWorks times: 'user' = at the record's userTimeZone offset, 'fixed' = in --time-zone", 'user')
    .option('--freeswitch-legs <legs>', "FreeSWITCH mod_cdr_csv 'legs' setting: a or ab (ab: B-leg rows are skipped)", 'a');
}

/**
 * A progress bar on standard error when it is a terminal. For crash-recovery tests,
 * CDRBILL_TEST_KILL_AFTER_BYTES=N kills the process (SIGKILL) once N bytes of a file are read.
 */
function progressBar(): ((file: string, read: number, total: number) => void) | undefined {
  const killAfter = Number(process.env.CDRBILL_TEST_KILL_AFTER_BYTES ?? 'NaN');
  if (Number.isFinite(killAfter)) {
    return (_file, read) => {
      if (read >= killAfter) process.kill(process.pid, 'SIGKILL');
    };
  }
  if (!process.stderr.isTTY) return undefined;
  return (file, read, total) => {
    const share = total > 0 ? Math.min(1, read / total) : 1;
    const width = 30;
    const done = Math.round(share * width);
    process.stderr.write(`\r${file} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${(share * 100).toFixed(0).padStart(3)}%${share === 1 ? '\r\x1b[K' : ''}`);
  };
}

/** Today in Amsterdam, `YYYY-MM-DD`: the CLI is where the clock is read. */
function todayInAmsterdam(now: Date): string {
  const p = amsterdamParts(now.getTime());
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

function invoiceSummary(issued: readonly IssuedInvoice[], format: OutputFormat): string {
  return render(
    format,
    issued,
    [
      { header: 'invoice', value: (i) => i.invoice.number },
      { header: 'account', value: (i) => i.invoice.account.id },
      { header: 'name', value: (i) => i.invoice.account.name },
      { header: 'period', value: (i) => i.invoice.period },
      { header: 'subtotal', value: (i) => i.invoice.subtotal, align: 'right' },
      { header: 'vat', value: (i) => i.invoice.vat, align: 'right' },
      { header: 'total', value: (i) => i.invoice.total, align: 'right' },
      { header: 'status', value: (i) => (i.issuedNow ? 'issued' : i.invoice.number === '(concept)' ? 'dry run' : 'issued earlier') },
    ],
    issued.map((i) => ({ ...i.invoice, issuedNow: i.issuedNow })),
  );
}

/** Writes each document as JSON (for machines) and HTML (for people). */
function writeDocuments(dir: string, docs: readonly (Invoice | CreditNote)[], language: Language): void {
  mkdirSync(dir, { recursive: true });
  for (const doc of docs) {
    writeFileSync(join(dir, `${doc.number}.json`), JSON.stringify(doc, null, 2) + '\n');
    writeFileSync(join(dir, `${doc.number}.html`), renderInvoiceHtml(doc, language));
  }
}

function languageOption(text: string): Language {
  if (text !== 'nl' && text !== 'en') throw new UsageError(`--lang: expected nl or en, got "${text}"`);
  return text;
}

export function buildProgram(): Command {
  const program = new Command('cdrbill')
    .description('Rate call detail records and bill them: a Dutch VoIP provider\'s billing engine.')
    .option('--db <url>', 'PostgreSQL server URL (default: $DATABASE_URL, else the embedded database)')
    .option('--data-dir <dir>', `folder of the embedded database and outputs (default: $CDRBILL_DATA_DIR or ${DEFAULTS.dataDir})`)
    .showHelpAfterError()
    .exitOverride();
  const flags = (): GlobalFlags => program.opts<GlobalFlags>();

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(() =>
      runWithDatabase(flags(), async (database) => {
        console.log(`database ${database.kind} at ${database.location}: schema up to date`);
      }),
    );

  const load = program.command('load').description('load tariffs or customers');
  load
    .command('tariffs')
    .description('validate and load plans and rate decks')
    .argument('[dir]', 'tariff directory', DEFAULTS.tariffDir)
    .action((dir: string) =>
      runWithDatabase(flags(), async (database) => {
        const result = await loadTariffs(database, dir, new Date());
        const decks = [...result.tariffs.rateDecks.values()].map((d) => `${d.id} (${d.versions.length} version${d.versions.length === 1 ? '' : 's'})`);
        console.log(
          `tariffs from ${dir}: ${result.tariffs.plans.size} plans, rate decks ${decks.join(', ')}; ${result.created ? `stored as tariff set ${result.id}` : `unchanged (tariff set ${result.id})`}`,
        );
      }),
    );
  load
    .command('customers')
    .description('load accounts, their lines and plans (JSON, see README)')
    .argument('<file>', 'customers file')
    .action((file: string) =>
      runWithDatabase(flags(), async (database) => {
        const customers = await loadCustomers(database, file);
        const lines = customers.accounts.reduce((n, a) => n + a.lines.length, 0);
        const users = customers.pbxs.reduce((n, p) => n + p.users.length, 0);
        console.log(
          `customers from ${file}: ${customers.accounts.length} accounts, ${lines} line terms, ${customers.pbxs.length} PBXs with ${users} users, ${customers.enterprises.length} enterprises`,
        );
      }),
    );

  addIngestOptions(
    program
      .command('ingest')
      .description('read, classify, rate and store CDR files; or rate stored rejects again')
      .argument('[files...]', 'CDR files (.csv, .csv.gz; - for standard input)'),
  )
    .option('--source <name>', 'name of the feed, for duplicate detection (default: the format)')
    .option('--report-json <file>', 'also write the report as JSON')
    .option('--retry-rejects', 'rate the stored rejects again (after adding a customer or extending a tariff)')
    .action((files: string[], options: IngestFlags & { source?: string; reportJson?: string; retryRejects?: boolean }) =>
      runWithDatabase(flags(), async (database) => {
        const settings = ingestSettings(options);
        if (options.retryRejects) {
          if (files.length > 0) throw new UsageError('--retry-rejects takes no files');
          const retry = await retryRejects(database, settings.formatOptions);
          const still = [...retry.stillRejected].map(([reason, n]) => `${reason} ${n}`).join(', ');
          console.log(`retried ${retry.retried} rejects: ${retry.rated} rated, ${retry.duplicates} duplicates, ${retry.retried - retry.rated - retry.duplicates} still rejected${still ? ` (${still})` : ''}`);
          return retry.retried - retry.rated - retry.duplicates > 0 ? EXIT.input : EXIT.ok;
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

  program
    .command('invoice')
    .description("issue the period's invoices, one JSON file per invoice")
    .requiredOption('--period <YYYY-MM>', 'billing period (calendar month, Europe/Amsterdam)')
    .option('--out <dir>', 'folder for the invoice JSON files (default: <data-dir>/invoices)')
    .option('--issue-date <YYYY-MM-DD>', 'date on the invoices (default: today)')
    .option('--dry-run', 'show what would be invoiced; store and number nothing')
    .option('--lang <nl|en>', 'language of the HTML invoices', 'nl')
    .addOption(formatOption())
    .action((options: { period: string; out?: string; issueDate?: string; dryRun?: boolean; lang: string; format: OutputFormat }) =>
      runWithDatabase(flags(), async (database, config) => {
        const language = languageOption(options.lang);
        const period = periodOption(options.period);
        const issueDate = options.issueDate ?? todayInAmsterdam(new Date());
        if (!/^\d{4}-\d{2}-\d{2}$/.test(issueDate)) throw new UsageError(`--issue-date: expected YYYY-MM-DD, got "${issueDate}"`);
        const issued = await issueInvoices(database, period, { issueDate, dryRun: options.dryRun ?? false });
        if (!options.dryRun) writeDocuments(options.out ?? join(config.dataDir, 'invoices'), issued.map((i) => i.invoice), language);
        console.log(invoiceSummary(issued, options.format));
      }),
    );

  program
    .command('credit')
    .description('issue a credit note for an invoice (whole or chosen lines); with --reissue also a corrective invoice after a rerate')
    .requiredOption('--invoice <number>', 'the invoice to credit')
    .requiredOption('--reason <text>', 'why, printed on the credit note')
    .option('--lines <n,n,…>', 'only these lines (1-based, as on the invoice)')
    .option('--reissue', 'credit the whole invoice and issue a corrective one with its calls at their prices now')
    .option('--issue-date <YYYY-MM-DD>', 'date on the documents (default: today)')
    .option('--out <dir>', 'folder for the documents (default: <data-dir>/invoices)')
    .option('--lang <nl|en>', 'language of the HTML documents', 'nl')
    .action((options: { invoice: string; reason: string; lines?: string; reissue?: boolean; issueDate?: string; out?: string; lang: string }) =>
      runWithDatabase(flags(), async (database, config) => {
        const language = languageOption(options.lang);
        const lines = options.lines === undefined ? [] : options.lines.split(',').map((n) => n.trim());
        if (lines.some((n) => !/^[1-9]\d*$/.test(n))) throw new UsageError(`--lines: expected line numbers like 1,3, got "${options.lines}"`);
        const issueDate = options.issueDate ?? todayInAmsterdam(new Date());
        const result = await creditInvoice(database, {
          invoiceNumber: options.invoice,
          reason: options.reason,
          lines: lines.map(Number),
          issueDate,
          reissue: options.reissue ?? false,
        });
        const docs = [result.creditNote, ...(result.corrective ? [result.corrective] : [])];
        writeDocuments(options.out ?? join(config.dataDir, 'invoices'), docs, language);
        console.log(`credit note ${result.creditNote.number} for invoice ${options.invoice}: ${result.creditNote.total} EUR (${result.creditNote.lines.length} lines)`);
        if (result.corrective) console.log(`corrective invoice ${result.corrective.number} replaces ${options.invoice}: ${result.corrective.total} EUR`);
      }),
    );

  program
    .command('render')
    .description('an issued invoice or credit note as HTML (for people), CSV lines or JSON')
    .requiredOption('--invoice <number>', 'the document number')
    .option('--as <html|csv|json>', 'rendering', 'html')
    .option('--lang <nl|en>', 'language of the HTML', 'nl')
    .option('--out <file>', 'write to this file instead of standard output')
    .action((options: { invoice: string; as: string; lang: string; out?: string }) =>
      runWithDatabase(flags(), async (database) => {
        const language = languageOption(options.lang);
        if (!['html', 'csv', 'json'].includes(options.as)) throw new UsageError(`--as: expected html, csv or json, got "${options.as}"`);
        const row = await findByNumber(database.db, options.invoice);
        if (!row) throw new InputError(`no invoice or credit note ${options.invoice}`);
        const doc = JSON.parse(row.document) as Invoice | CreditNote;
        const text = options.as === 'html' ? renderInvoiceHtml(doc, language) : options.as === 'csv' ? renderInvoiceCsv(doc) : JSON.stringify(doc, null, 2) + '\n';
        if (options.out) writeFileSync(options.out, text);
        else process.stdout.write(text);
      }),
    );

  program
    .command('enterprise')
    .description("an enterprise's overview across its groups for a period")
    .requiredOption('--id <enterprise>', 'enterprise id')
    .requiredOption('--period <YYYY-MM>', 'month (Europe/Amsterdam)')
    .addOption(formatOption())
    .action((options: { id: string; period: string; format: OutputFormat }) =>
      runWithDatabase(flags(), async (database) => {
        const overview = await enterpriseOverview(database, options.id, periodOption(options.period));
        if (options.format === 'table') console.log(`${overview.name} (${options.id}), ${options.period}`);
        console.log(
          render(
            options.format,
            overview.groups,
            [
              { header: 'group', value: (g) => g.pbx },
              { header: 'name', value: (g) => g.pbxName },
              { header: 'billing account', value: (g) => g.account },
              { header: 'users', value: (g) => g.users, align: 'right' },
              { header: 'invoice', value: (g) => g.invoice ?? '(not invoiced yet)' },
              { header: 'subtotal', value: (g) => g.subtotal, align: 'right' },
              { header: 'total', value: (g) => g.total, align: 'right' },
            ],
            { enterprise: options.id, name: overview.name, period: options.period, groups: overview.groups },
          ),
        );
      }),
    );

  program
    .command('calls')
    .description("an account's call history for a period")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--period <YYYY-MM>', 'month (Europe/Amsterdam)')
    .addOption(formatOption())
    .action((options: { account: string; period: string; format: OutputFormat }) =>
      runWithDatabase(flags(), async (database) => {
        const period = periodOption(options.period);
        const calls = await listCalls(database, options.account, period);
        const rows = calls.map((c) => {
          const p = amsterdamParts(c.started_at.getTime());
          const pad = (n: number): string => String(n).padStart(2, '0');
          const s = p.secondOfDay;
          return {
            date: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
            time: `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`,
            from: c.calling_number,
            to: c.destination ?? c.called_number,
            direction: c.direction,
            duration: formatMinutes(c.answered_seconds),
            category: c.category ?? 'incoming',
            listPrice: formatTicks(c.list_price_ticks),
            charged: formatTicks(c.charged_ticks),
            allowance: c.allowance,
            tariffVersion: c.tariff_version,
            rate: c.rate_match,
          };
        });
        console.log(
          render(options.format, rows, [
            { header: 'date', value: (r) => r.date },
            { header: 'time', value: (r) => r.time },
            { header: 'from', value: (r) => r.from },
            { header: 'to', value: (r) => r.to },
            { header: 'duration', value: (r) => r.duration, align: 'right' },
            { header: 'category', value: (r) => r.category },
            { header: 'cost (EUR)', value: (r) => r.charged.slice(0, -2), align: 'right' },
            { header: 'note', value: (r) => (r.allowance === 'unlimited' ? 'onbeperkt' : '') },
          ]),
        );
      }),
    );

  program
    .command('number')
    .description('normalise and classify a dialled number, as seen from a calling line')
    .argument('<digits>', 'the number as dialled')
    .requiredOption('--line <e164>', 'E.164 number of the calling line (for local dialling)')
    .addOption(formatOption())
    .action((digits: string, options: { line: string; format: OutputFormat }) => {
      const result = classifyDestination(buildNumberingPlan(), digits, { lineE164: options.line });
      if (!result.ok) {
        if (options.format === 'json') console.log(JSON.stringify({ input: digits, ok: false, reason: result.reason, detail: result.detail }, null, 2));
        else process.stderr.write(`cdrbill: ${digits}: ${result.reason}: ${result.detail}\n`);
        process.exitCode = EXIT.input;
        return;
      }
      const d = result.destination;
      const json = {
        input: digits,
        e164: d.e164 ?? null,
        number: d.number,
        category: d.category,
        subclass: d.subclass ?? null,
        areaCode: d.areaCode ?? null,
        place: d.place ?? null,
        country: d.country ? { callingCode: d.country.callingCode, region: d.country.region, name: d.country.name } : null,
        why: d.why,
      };
      const rows = Object.entries(json).map(([key, value]) => ({ key, value: typeof value === 'object' && value ? JSON.stringify(value) : value }));
      console.log(options.format === 'json' ? JSON.stringify(json, null, 2) : renderTable(rows, [{ header: 'field', value: (r) => r.key }, { header: 'value', value: (r) => r.value as string }]));
    });

  program
    .command('price')
    .description('the price of one hypothetical call, and why')
    .requiredOption('--line <e164>', 'the calling (billed) line')
    .requiredOption('--to <digits>', 'the number as dialled')
    .requiredOption('--start <iso>', 'start time with a zone, e.g. 2026-10-05T09:14:03+02:00')
    .requiredOption('--seconds <n>', 'answered seconds')
    .option('--device <device>', 'fixed or mobile', 'fixed')
    .option('--plan <id>', "price under this plan instead of the line's subscription")
    .addOption(formatOption())
    .action((options: { line: string; to: string; start: string; seconds: string; device: string; plan?: string; format: OutputFormat }) =>
      runWithDatabase(flags(), async (database) => {
        if (!/^\d+$/.test(options.seconds)) throw new UsageError(`--seconds: expected a whole number, got "${options.seconds}"`);
        if (options.device !== 'fixed' && options.device !== 'mobile') throw new UsageError(`--device: expected fixed or mobile, got "${options.device}"`);
        const startedAtMs = Date.parse(options.start);
        if (Number.isNaN(startedAtMs) || !/(Z|[+-]\d{2}:?\d{2})$/.test(options.start)) {
          throw new UsageError(`--start: expected an ISO time with a zone, got "${options.start}"`);
        }
        const explained = await explainPrice(database, {
          line: options.line,
          dialled: options.to,
          startedAtMs,
          seconds: Number(options.seconds),
          device: options.device,
          ...(options.plan ? { planId: options.plan } : {}),
        });
        if (!explained.ok) {
          process.stderr.write(`cdrbill: cannot price: ${explained.reason}: ${explained.detail}\n`);
          return EXIT.input;
        }
        const json = explained.explanation;
        const rows = Object.entries(json).map(([key, value]) => ({ key, value: typeof value === 'object' && value !== null ? JSON.stringify(value) : value }));
        console.log(options.format === 'json' ? JSON.stringify(json, null, 2) : renderTable(rows, [{ header: 'field', value: (r) => r.key }, { header: 'value', value: (r) => r.value as string }]));
      }),
    );

  program
    .command('rerate')
    .description("re-price a period's stored calls with the tariffs in force at their start, and report what changed")
    .requiredOption('--period <YYYY-MM>', 'month (Europe/Amsterdam)')
    .option('--account <id>', 'only this account')
    .addOption(formatOption())
    .action((options: { period: string; account?: string; format: OutputFormat }) =>
      runWithDatabase(flags(), async (database) => {
        const period = periodOption(options.period);
        const report = await reratePeriod(database, period, options.account ? { accountId: options.account } : {});
        if (options.format === 'json') {
          console.log(JSON.stringify({ period: options.period, ...report, accounts: report.accounts.map((a) => ({ ...a, chargedBefore: formatTicks(a.chargedBefore), chargedAfter: formatTicks(a.chargedAfter) })) }, null, 2));
        } else {
          console.log(`rerate ${options.period}: ${report.examined} calls examined, ${report.changed} re-priced, ${report.failed.length} could not be rated (kept as they were)`);
          for (const f of report.failed.slice(0, 20)) console.log(`  ${f.recordId}: ${f.reason}: ${f.detail}`);
          if (report.accounts.length > 0) {
            console.log(
              render(options.format, report.accounts, [
                { header: 'account', value: (a) => a.accountId },
                { header: 'charged before', value: (a) => formatTicks(a.chargedBefore), align: 'right' },
                { header: 'charged after', value: (a) => formatTicks(a.chargedAfter), align: 'right' },
              ]),
            );
          }
          if (report.invoicesAffected.length > 0) {
            console.log(`issued invoices with re-priced calls (they never change; correct them with credit notes): ${report.invoicesAffected.join(', ')}`);
          }
        }
        return report.failed.length > 0 ? EXIT.input : EXIT.ok;
      }),
    );

  program
    .command('fair-use')
    .description('fair use of unlimited plans: every customer against the average per user over a window of months')
    .requiredOption('--period <YYYY-MM>', 'last month of the window')
    .option('--window <months>', 'months in the window (at least the rule\'s minimum, 3)', '3')
    .option('--apply', 'charge the covered calls at regular rates on the next invoice (needs --customer)')
    .option('--customer <id>', 'the customer to charge')
    .addOption(formatOption())
    .action((options: { period: string; window: string; apply?: boolean; customer?: string; format: OutputFormat }) =>
      runWithDatabase(flags(), async (database) => {
        const period = periodOption(options.period);
        if (!/^\d{1,2}$/.test(options.window)) throw new UsageError(`--window: expected a number of months, got "${options.window}"`);
        const window = Number(options.window);
        if (options.apply) {
          if (!options.customer) throw new UsageError('--apply needs --customer <id>');
          const applied = await applyFairUse(database, period, window, options.customer, new Date());
          for (const a of applied) {
            console.log(
              a.applied
                ? `fair use ${a.group} ${a.months[0]} t/m ${a.months.at(-1)}: ${options.customer} charged ${formatTicks(a.customer.regularPriceTicks, 2)} EUR (${a.customer.calls} covered calls at regular rates) on its next invoice`
                : `fair use ${a.group} ${a.months[0]} t/m ${a.months.at(-1)}: ${options.customer} was charged for this window already; nothing added`,
            );
          }
          return;
        }
        const reports = await fairUseReport(database, period, window);
        const rows = reports.flatMap((r) => r.customers.map((c) => ({ group: r.group, months: r.months, threshold: r.threshold, ...c })));
        console.log(
          render(
            options.format,
            rows,
            [
              { header: 'group', value: (r) => r.group },
              { header: 'customer', value: (r) => r.accountId },
              { header: 'name', value: (r) => r.name },
              { header: 'users', value: (r) => r.users, align: 'right' },
              { header: 'minutes', value: (r) => Math.round(r.coveredSeconds / 60), align: 'right' },
              { header: 'min/user/month', value: (r) => r.minutesPerUser.toFixed(1), align: 'right' },
              { header: 'average', value: (r) => r.averageMinutesPerUser.toFixed(1), align: 'right' },
              { header: 'ratio', value: (r) => r.ratio.toFixed(2), align: 'right' },
              { header: 'by month', value: (r) => r.monthlyRatios.map((m) => m?.toFixed(2) ?? '-').join(' / ') },
              { header: 'over', value: (r) => (r.overThreshold ? `YES (>${r.threshold}x)` : 'no') },
            ],
            rows.map((r) => ({
              group: r.group,
              months: r.months,
              threshold: r.threshold,
              customer: r.accountId,
              name: r.name,
              users: r.users,
              coveredMinutes: new Decimal(r.coveredSeconds).div(60).toFixed(2),
              byUser: r.byUser.map((u) => ({ line: u.line, minutes: new Decimal(u.coveredSeconds).div(60).toFixed(2) })),
              minutesPerUser: r.minutesPerUser.toFixed(4),
              averageMinutesPerUser: r.averageMinutesPerUser.toFixed(4),
              ratio: r.ratio.toFixed(4),
              monthlyRatios: r.monthlyRatios.map((m) => m?.toFixed(4) ?? null),
              overThreshold: r.overThreshold,
              regularPrice: formatTicks(r.regularPriceTicks),
            })),
          ),
        );
      }),
    );

  program
    .command('rejects')
    .description('list rejected CDR lines with their file, line and reason')
    .option('--file <name>', 'only lines of this file (name as ingested)')
    .option('--reason <code>', 'only this reason code')
    .addOption(formatOption())
    .action((options: { file?: string; reason?: string; format: OutputFormat }) =>
      runWithDatabase(flags(), async (database) => {
        const rows = await listRejects(database, { ...(options.file ? { fileName: basename(options.file) } : {}), ...(options.reason ? { reason: options.reason } : {}) });
        console.log(
          render(options.format, rows, [
            { header: 'file', value: (r) => r.file_name },
            { header: 'line', value: (r) => r.line_no, align: 'right' },
            { header: 'reason', value: (r) => r.reason },
            { header: 'detail', value: (r) => r.detail },
            { header: 'raw', value: (r) => r.raw },
          ]),
        );
      }),
    );

  addIngestOptions(
    program
      .command('nightly')
      .description('the nightly job: migrate, load tariffs and customers, ingest a folder of CDR files, optionally invoice a period'),
  )
    .option('--tariffs <dir>', 'tariff directory', DEFAULTS.tariffDir)
    .requiredOption('--customers <file>', 'customers file')
    .requiredOption('--cdrs <dir>', 'folder of CDR files (*.csv, *.csv.gz), ingested in name order')
    .option('--invoice-period <YYYY-MM>', 'then issue the invoices of this period')
    .option('--issue-date <YYYY-MM-DD>', 'date on the invoices (default: the first day after the period)')
    .option('--out <dir>', 'folder for the invoice JSON files (default: <data-dir>/invoices)')
    .action((options: IngestFlags & { tariffs: string; customers: string; cdrs: string; invoicePeriod?: string; issueDate?: string; out?: string }) =>
      runWithDatabase(flags(), async (database, config) => {
        const period = options.invoicePeriod ? periodOption(options.invoicePeriod) : undefined;
        const settings = ingestSettings(options);
        const now = new Date();
        console.log(`database: ${database.kind} at ${database.location}`);
        const tariffs = await loadTariffs(database, options.tariffs, now);
        console.log(`tariffs: ${tariffs.tariffs.plans.size} plans (${tariffs.created ? `new tariff set ${tariffs.id}` : `tariff set ${tariffs.id}, unchanged`})`);
        const customers = await loadCustomers(database, options.customers);
        console.log(`customers: ${customers.accounts.length} accounts, ${customers.pbxs.length} PBXs`);
        let files: string[];
        try {
          files = readdirSync(options.cdrs).filter((f) => /\.csv(\.gz)?$/.test(f)).sort().map((f) => join(options.cdrs, f));
        } catch {
          throw new UsageError(`--cdrs: ${options.cdrs} is not a readable folder`);
        }
        const reports = await ingestFiles(database, files, { ...settings, now, onFile: (r) => console.log(formatFileReport(r)) });
        const exit = ingestExitCode(reports);
        if (period) {
          const issueDate = options.issueDate ?? `${(period.month === 12 ? period.year + 1 : period.year)}-${String((period.month % 12) + 1).padStart(2, '0')}-01`;
          const issued = await issueInvoices(database, period, { issueDate });
          writeDocuments(options.out ?? join(config.dataDir, 'invoices'), issued.map((i) => i.invoice), 'nl');
          console.log(`\ninvoices ${options.invoicePeriod}:`);
          console.log(invoiceSummary(issued, 'table'));
        }
        return exit;
      }),
    );

  return program;
}

/** Runs the CLI on `argv`; resolves when done, with process.exitCode set. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.exitCode = fail(error);
  }
}
