/** `cdrbill migrate`: create the database if needed and bring its schema up to date. */
import { Command } from 'commander';
import type { GlobalFlags } from '../config.js';
import { runWithDatabase } from '../run-command.js';

export function migrateCommand(globals: () => GlobalFlags): Command {
  return new Command('migrate').description('create the database if needed and bring its schema up to date').action(() =>
    runWithDatabase(
      globals(),
      async (database, _config, applied) => {
        // a migration that converts the history or rebuilds its index (0017-0019) takes a while on a large one: say what ran
        const what = applied.length > 0 ? `applied ${applied.join(', ')}` : 'nothing to apply';
        console.log(`database ${database.kind} at ${database.location}: schema up to date (${what})`);
      },
      true,
    ),
  );
}
