/** `cdrbill calls`: an account's call history for a period. */
import { Command } from 'commander';
import { callHistory, type CallRecord } from '../../pipeline/call-history.js';
import type { GlobalFlags } from '../config.js';
import { period } from '../options.js';
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

export function callsCommand(globals: () => GlobalFlags): Command {
  return new Command('calls')
    .description("an account's call history for a period: date and time (answered, Europe/Amsterdam), from, to, duration, category, cost")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--period <YYYY-MM>', 'month (Europe/Amsterdam)')
    .addOption(outputOption())
    .action((options: { account: string; period: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const calls = await callHistory(database, options.account, period(options.period));
        print(render(options.output, calls, FIELDS));
      }),
    );
}
