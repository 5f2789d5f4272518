/** `cdrbill calls`: an account's call history for a period or date range, filtered, or its totals per category. */
import { Command, Option } from 'commander';
import { requireAccount } from '../../pipeline/accounts.js';
import { CATEGORIES, callHistory, callHistoryTotals, type CallRecord, type CategoryTotal, type HistoryRequest } from '../../pipeline/call-history.js';
import type { GlobalFlags } from '../config.js';
import { historyQueryOption, RANGE_OPTIONS } from '../options.js';
import { outputOption, print, render, type Field, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';

const FIELDS: readonly Field<CallRecord>[] = [
  { key: 'date', value: (c) => c.date },
  { key: 'time', value: (c) => c.time },
  { key: 'setupTime', header: 'dialled', value: (c) => c.setupTime, table: false },
  { key: 'line', value: (c) => c.line, table: false },
  { key: 'from', value: (c) => c.from },
  { key: 'to', value: (c) => c.to },
  { key: 'direction', value: (c) => c.direction, table: false },
  { key: 'answered', value: (c) => c.answered, table: false },
  { key: 'forwarded', value: (c) => c.forwarded, table: false },
  { key: 'forwardedFrom', value: (c) => c.forwardedFrom, table: false },
  { key: 'device', value: (c) => c.device, table: false },
  { key: 'durationSeconds', value: (c) => c.durationSeconds, table: false },
  { key: 'duration', value: (c) => c.duration, align: 'right' },
  { key: 'category', value: (c) => c.category },
  { key: 'categoryLabel', header: 'soort', value: (c) => c.categoryLabel, table: false },
  { key: 'listPrice', value: (c) => c.listPrice, table: false },
  { key: 'charged', header: 'cost (EUR)', value: (c) => c.charged, tableValue: (c) => c.charged.slice(0, -2), align: 'right' },
  { key: 'allowance', header: 'note', value: (c) => c.allowance },
  { key: 'tariffVersion', value: (c) => c.tariffVersion, table: false },
  { key: 'rate', value: (c) => c.rate, table: false },
];

/** The totals per category, as the portal's and the invoice's usage lines give them. */
const TOTAL_FIELDS: readonly Field<CategoryTotal>[] = [
  { key: 'category', value: (t) => t.category },
  { key: 'label', header: 'soort', value: (t) => t.label },
  { key: 'calls', value: (t) => t.calls, align: 'right' },
  { key: 'seconds', value: (t) => t.seconds, table: false },
  { key: 'duration', value: (t) => t.duration, align: 'right' },
  { key: 'listPrice', header: 'list price (EUR)', value: (t) => t.listPrice, align: 'right' },
  { key: 'charged', header: 'cost (EUR)', value: (t) => t.charged, align: 'right' },
];

interface CallsOptions extends HistoryRequest {
  readonly account: string;
  readonly totals?: boolean;
  readonly output: OutputFormat;
}

export function callsCommand(globals: () => GlobalFlags): Command {
  return new Command('calls')
    .description(
      "an account's call history for a month or dates: date and time (answered, Europe/Amsterdam), from, to, duration, category, cost; or, with --totals, its totals per category",
    )
    .requiredOption('--account <id>', 'account id')
    .option(...RANGE_OPTIONS.period)
    .option(...RANGE_OPTIONS.from)
    .option(...RANGE_OPTIONS.to)
    .addOption(new Option('--category <category>', 'only calls of this category').choices(CATEGORIES))
    .addOption(new Option('--direction <direction>', 'only outgoing or incoming calls').choices(['outgoing', 'incoming']))
    .addOption(new Option('--answered <answered>', 'only answered (true) or unanswered (false) calls').choices(['true', 'false']))
    .option('--number <digits>', 'only calls whose from or to number contains these digits')
    .option('--totals', 'the totals per category of the calls asked for (as the invoice and the portal sum them), not the calls')
    .addOption(outputOption())
    .action((options: CallsOptions) =>
      runWithDatabase(globals(), async (database) => {
        const query = historyQueryOption([options.account] as const, options);
        if (options.totals) {
          await requireAccount(database, options.account);
          print(render(options.output, await callHistoryTotals(database, query), TOTAL_FIELDS));
        } else {
          print(render(options.output, await callHistory(database, query), FIELDS));
        }
      }),
    );
}
