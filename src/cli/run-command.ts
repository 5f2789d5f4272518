/**
 * Runs one command body with an open, migrated database, and turns its outcome into an exit code:
 * 0 ok, 1 bad input or partial failure, 2 usage error, 3 internal fault.
 */
import { MigrationError, migrateToLatest } from '../store/migrate.js';
import { openDatabase, type Database } from '../store/database.js';
import { InputError } from '../pipeline/input-error.js';
import { embeddedDatabaseDir, resolveConfig, UsageError, type Config, type GlobalFlags } from './config.js';

export const EXIT = { ok: 0, input: 1, usage: 2, internal: 3 } as const;

export function fail(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`cdrbill: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof InputError) {
    process.stderr.write(`cdrbill: ${error.message}\n`);
    return EXIT.input;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof MigrationError || isConnectionError(error)) {
    process.stderr.write(`cdrbill: database: ${message}\n`);
    return EXIT.internal;
  }
  process.stderr.write(`cdrbill: internal error: ${message}\n`);
  if (process.env.CDRBILL_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  else process.stderr.write('(set CDRBILL_DEBUG=1 for the stack trace)\n');
  return EXIT.internal;
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000' || code === '28P01';
}

/** Opens the database the flags name, migrates it, runs `body`, closes it; sets process.exitCode. */
export async function runWithDatabase(
  flags: GlobalFlags,
  body: (database: Database, config: Config) => Promise<number | void>,
): Promise<void> {
  let database: Database | undefined;
  try {
    const config = resolveConfig(flags, process.env);
    database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: embeddedDatabaseDir(config) });
    await migrateToLatest(database);
    process.exitCode = (await body(database, config)) ?? EXIT.ok;
  } catch (error) {
    process.exitCode = fail(error);
  } finally {
    await database?.close().catch(() => undefined);
  }
}
