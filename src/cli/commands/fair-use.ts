/** `cdrbill fair-use`: fair use of unlimited plans over a window of months; `--apply` charges a customer. */
import { Command } from 'commander';
import { z } from 'zod';
import { Decimal, formatTicks } from '../../domain/money.js';
import { applyFairUse, fairUseReport, type CustomerFairUse } from '../../pipeline/fair-use.js';
import { UsageError, type GlobalFlags } from '../config.js';
import { parseOption, period } from '../options.js';
import { outputOption, print, render, type Field, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';

type Row = CustomerFairUse & { readonly group: string; readonly months: readonly string[]; readonly threshold: string };

const minutes = (seconds: number): string => new Decimal(seconds).div(60).toFixed(2);

const FIELDS: readonly Field<Row>[] = [
  { key: 'group', value: (r) => r.group },
  { key: 'months', value: (r) => r.months, table: false },
  { key: 'threshold', value: (r) => r.threshold, table: false },
  { key: 'customer', value: (r) => r.accountId },
  { key: 'name', value: (r) => r.name },
  { key: 'users', value: (r) => r.users, align: 'right' },
  { key: 'coveredMinutes', header: 'minutes', value: (r) => minutes(r.coveredSeconds), tableValue: (r) => Math.round(r.coveredSeconds / 60), align: 'right' },
  { key: 'byUser', value: (r) => r.byUser.map((u) => ({ line: u.line, minutes: minutes(u.coveredSeconds) })), table: false },
  {
    key: 'minutesPerUser',
    header: 'min/user/month',
    value: (r) => r.minutesPerUser.toFixed(4),
    tableValue: (r) => r.minutesPerUser.toFixed(1),
    align: 'right',
  },
  {
    key: 'averageMinutesPerUser',
    header: 'average',
    value: (r) => r.averageMinutesPerUser.toFixed(4),
    tableValue: (r) => r.averageMinutesPerUser.toFixed(1),
    align: 'right',
  },
  { key: 'ratio', value: (r) => r.ratio.toFixed(4), tableValue: (r) => r.ratio.toFixed(2), align: 'right' },
  {
    key: 'monthlyRatios',
    header: 'by month',
    value: (r) => r.monthlyRatios.map((m) => m?.toFixed(4) ?? null),
    tableValue: (r) => r.monthlyRatios.map((m) => m?.toFixed(2) ?? '-').join(' / '),
  },
  { key: 'overThreshold', header: 'over', value: (r) => r.overThreshold, tableValue: (r) => (r.overThreshold ? `YES (>${r.threshold}x)` : 'no') },
  { key: 'regularPrice', value: (r) => formatTicks(r.regularPriceTicks), table: false },
];

export function fairUseCommand(globals: () => GlobalFlags): Command {
  return new Command('fair-use')
    .description('fair use of unlimited plans: every customer against the average per user over a window of months; --apply charges one')
    .requiredOption('--period <YYYY-MM>', 'last month of the window')
    .option('--window <months>', "months in the window (at least the rule's minimum, 3)", '3')
    .option('--apply', 'charge the covered calls at regular rates on the next invoice (needs --customer)')
    .option('--customer <id>', 'the customer to charge')
    .addOption(outputOption())
    .action((options: { period: string; window: string; apply?: boolean; customer?: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const last = period(options.period);
        const window = parseOption(
          '--window',
          z
            .string()
            .regex(/^\d{1,2}$/, 'expected a number of months')
            .transform(Number),
          options.window,
        );
        if (options.apply) {
          if (!options.customer) throw new UsageError('--apply needs --customer <id>');
          const applied = await applyFairUse(database, last, window, options.customer, new Date());
          for (const a of applied) {
            print(
              a.applied
                ? `fair use ${a.group} ${a.months[0]} t/m ${a.months.at(-1)}: ${options.customer} charged ${formatTicks(a.customer.regularPriceTicks, 2)} EUR (${a.customer.calls} covered calls at regular rates) on its next invoice`
                : `fair use ${a.group} ${a.months[0]} t/m ${a.months.at(-1)}: ${options.customer} was charged for this window already; nothing added`,
            );
          }
          return;
        }
        const reports = await fairUseReport(database, last, window);
        const rows = reports.flatMap((r) => r.customers.map((c) => ({ ...c, group: r.group, months: r.months, threshold: r.threshold })));
        print(render(options.output, rows, FIELDS));
      }),
    );
}
