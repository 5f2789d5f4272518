/** `cdrbill enterprise`: an enterprise's overview across its groups for a period. */
import { Command } from 'commander';
import { enterpriseOverview, type EnterpriseGroupLine } from '../../pipeline/enterprise-overview.js';
import type { GlobalFlags } from '../config.js';
import { period } from '../options.js';
import { outputOption, print, render, type Field, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';

type GroupRecord = EnterpriseGroupLine & { readonly enterprise: string; readonly enterpriseName: string; readonly period: string };

const FIELDS: readonly Field<GroupRecord>[] = [
  { key: 'enterprise', value: (g) => g.enterprise, table: false },
  { key: 'enterpriseName', value: (g) => g.enterpriseName, table: false },
  { key: 'period', value: (g) => g.period, table: false },
  { key: 'group', value: (g) => g.pbx },
  { key: 'groupName', header: 'name', value: (g) => g.pbxName },
  { key: 'account', header: 'billing account', value: (g) => g.account },
  { key: 'users', value: (g) => g.users, align: 'right' },
  { key: 'invoice', value: (g) => g.invoice },
  { key: 'subtotal', value: (g) => g.subtotal, align: 'right' },
  { key: 'total', value: (g) => g.total, align: 'right' },
];

export function enterpriseCommand(globals: () => GlobalFlags): Command {
  return new Command('enterprise')
    .description("an enterprise's overview across its groups for a period: billing account, users and invoice per group")
    .requiredOption('--id <enterprise>', 'enterprise id')
    .requiredOption('--period <YYYY-MM>', 'month (Europe/Amsterdam)')
    .addOption(outputOption())
    .action((options: { id: string; period: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const overview = await enterpriseOverview(database, options.id, period(options.period));
        const records = overview.groups.map((g) => ({ ...g, enterprise: options.id, enterpriseName: overview.name, period: options.period }));
        if (options.output === 'table') print(`${overview.name} (${options.id}), ${options.period}`);
        print(render(options.output, records, FIELDS));
      }),
    );
}
