/** `cdrbill rerate`: re-price a period's stored calls with the tariffs now loaded, and report what changed. */
import { Command } from 'commander';
import { formatTicks } from '../../domain/money.js';
import { requireAccount } from '../../pipeline/accounts.js';
import { reratePeriod, type AccountChange } from '../../pipeline/rerate-period.js';
import type { GlobalFlags } from '../config.js';
import { period } from '../options.js';
import { outputOption, print, render, toJson, type Field, type OutputFormat } from '../output.js';
import { EXIT, runWithDatabase } from '../run-command.js';

const FIELDS: readonly Field<AccountChange>[] = [
  { key: 'account', value: (a) => a.accountId },
  { key: 'chargedBefore', header: 'charged before', value: (a) => formatTicks(a.chargedBefore), align: 'right' },
  { key: 'chargedAfter', header: 'charged after', value: (a) => formatTicks(a.chargedAfter), align: 'right' },
];

export function rerateCommand(globals: () => GlobalFlags): Command {
  return new Command('rerate')
    .description("re-price a period's stored calls with the tariffs in force at their start, reallocate bundles, and report what changed per account")
    .requiredOption('--period <YYYY-MM>', 'month (Europe/Amsterdam)')
    .option('--account <id>', 'only this account')
    .addOption(outputOption())
    .action((options: { period: string; account?: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const month = period(options.period);
        if (options.account) await requireAccount(database, options.account);
        const report = await reratePeriod(database, month, options.account ? { accountId: options.account } : {});
        if (options.output === 'json') {
          const { accounts, ...totals } = report;
          print(JSON.stringify({ period: options.period, ...totals, accounts: toJson(accounts, FIELDS) }, null, 2));
        } else if (options.output === 'csv') {
          print(render('csv', report.accounts, FIELDS));
        } else {
          print(
            `rerate ${options.period}: ${report.examined} calls examined, ${report.changed} re-priced, ${report.failed.length} could not be rated (kept as they were)`,
          );
          for (const f of report.failed.slice(0, 20)) print(`  ${f.recordId}: ${f.reason}: ${f.detail}`);
          if (report.accounts.length > 0) print(render('table', report.accounts, FIELDS));
          if (report.invoicesAffected.length > 0) {
            print(`issued invoices with re-priced calls (they never change; correct them with credit notes): ${report.invoicesAffected.join(', ')}`);
          }
        }
        return report.failed.length > 0 ? EXIT.input : EXIT.ok;
      }),
    );
}
