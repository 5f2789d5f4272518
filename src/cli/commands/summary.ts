/** `cdrbill summary`: usage per user (line) of an account or enterprise for a period, the current one too. */
import { Command } from 'commander';
import { userSummaries, type HistoryRequest, type UserSummary } from '../../pipeline/call-history.js';
import { requireAccount } from '../../pipeline/accounts.js';
import { InputError } from '../../pipeline/input-error.js';
import { enterpriseAccounts } from '../../store/history-store.js';
import { UsageError, type GlobalFlags } from '../config.js';
import { historyQueryOption, RANGE_OPTIONS } from '../options.js';
import { outputOption, print, render, type Field, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';

const FIELDS: readonly Field<UserSummary>[] = [
  { key: 'account', value: (u) => u.account },
  { key: 'group', value: (u) => u.group },
  { key: 'user', value: (u) => u.user },
  { key: 'line', value: (u) => u.line },
  { key: 'calls', value: (u) => u.calls, align: 'right' },
  { key: 'seconds', value: (u) => u.seconds, table: false },
  { key: 'duration', value: (u) => u.duration, align: 'right' },
  { key: 'charged', header: 'cost (EUR)', value: (u) => u.charged, align: 'right' },
  {
    key: 'byCategory',
    value: (u) => u.byCategory.map((c) => ({ category: c.category, calls: c.calls, seconds: c.seconds, charged: c.charged })),
    table: false,
  },
  { key: 'unlimitedSeconds', header: 'unlimited (s)', value: (u) => u.unlimitedSeconds, align: 'right' },
  { key: 'bundle', value: (u) => u.bundle },
  { key: 'bundleSecondsUsed', header: 'bundle used (s)', value: (u) => u.bundleSecondsUsed, align: 'right' },
  { key: 'bundleSecondsLeft', header: 'left (s)', value: (u) => u.bundleSecondsLeft, align: 'right' },
];

export function summaryCommand(globals: () => GlobalFlags): Command {
  return new Command('summary')
    .description('per user (line): calls, minutes and cost per category, unlimited minutes covered, bundle minutes used and left; the current month too')
    .option('--account <id>', 'a billing account')
    .option('--enterprise <id>', 'an enterprise: every user of its groups')
    .option(...RANGE_OPTIONS.period)
    .option(...RANGE_OPTIONS.from)
    .option(...RANGE_OPTIONS.to)
    .addOption(outputOption())
    .action((options: Pick<HistoryRequest, 'period' | 'from' | 'to'> & { account?: string; enterprise?: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        if ((options.account === undefined) === (options.enterprise === undefined)) throw new UsageError('choose --account ID or --enterprise ID');
        // the range's usage errors before any lookup
        const query = historyQueryOption([], options);
        let accountIds: string[];
        if (options.account !== undefined) accountIds = [(await requireAccount(database, options.account)).id];
        else {
          accountIds = await enterpriseAccounts(database.db, options.enterprise!);
          if (accountIds.length === 0) throw new InputError(`no enterprise ${options.enterprise} with groups`);
        }
        print(render(options.output, await userSummaries(database, { ...query, accountIds }), FIELDS));
      }),
    );
}
