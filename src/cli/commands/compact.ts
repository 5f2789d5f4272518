/** `cdrbill compact`: rewrite a month's call history in account order (what `nightly --close-month` does after invoicing). */
import { Command } from 'commander';
import { compactMonth } from '../../store/month-compaction-store.js';
import type { GlobalFlags } from '../config.js';
import { period } from '../options.js';
import { outputOption, print, render, renderRecord, type Field, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';

interface Compacted {
  readonly period: string;
  readonly calls: number;
  readonly seconds: number;
}

const FIELDS: readonly Field<Compacted>[] = [
  { key: 'period', value: (c) => c.period },
  { key: 'calls', value: (c) => c.calls, align: 'right' },
  { key: 'seconds', value: (c) => c.seconds, align: 'right' },
];

export function compactCommand(globals: () => GlobalFlags): Command {
  return new Command('compact')
    .description(
      "rewrite a month's call history in account order, so that an account's calls of the month lie together (portal pages and per-user summaries then read a few pages instead of one per call); readers go on meanwhile, ingests wait",
    )
    .requiredOption('--period <YYYY-MM>', 'month (Europe/Amsterdam), usually one that ended and was invoiced')
    .addOption(outputOption())
    .action((options: { period: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const month = period(options.period);
        const t0 = performance.now();
        const compacted = await compactMonth(database, month, new Date());
        const result: Compacted = { period: options.period, calls: compacted?.calls ?? 0, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) };
        if (options.output !== 'table') print(options.output === 'json' ? renderRecord('json', result, FIELDS) : render('csv', [result], FIELDS));
        else if (!compacted) print(`compact ${options.period}: no calls stored for the month, nothing to do`);
        else print(`compact ${options.period}: ${result.calls.toLocaleString('en-US')} calls rewritten in account order in ${result.seconds} s`);
      }),
    );
}
