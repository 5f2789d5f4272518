/** `cdrbill migrate`: create the database if needed and bring its schema up to date. */
import { Command } from 'commander';
import type { GlobalFlags } from '../config.js';
import { runWithDatabase } from '../run-command.js';

export function migrateCommand(globals: () => GlobalFlags): Command {
  return new Command('migrate').description('create the database if needed and bring its schema up to date').action(() =>
    runWithDatabase(
      globals(),
      async (database) => {
        console.log(`database ${database.kind} at ${database.location}: schema up to date`);
      },
      true,
    ),
  );
}
