/**
 * Runs one command body with an open, migrated database, and turns its outcome into an exit code:
 * 0 ok, 1 bad input or partial failure, 2 usage error, 3 internal fault.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../pipeline/input-error.js';
import { RunInProgress } from '../pipeline/issue-invoices.js';
import { QueuedIngestFailed } from '../pipeline/ingest-queue.js';
import { ConnectionLost, DEFAULT_CONNECTIONS, isConnectionLost, openDatabase, ping, type Database } from '../store/database.js';
import { MigrationError, migrateToLatest } from '../store/migrate.js';
import { embeddedDatabaseDir, resolveConfig, UsageError, type Config, type GlobalFlags } from './config.js';

export const EXIT = { ok: 0, input: 1, usage: 2, internal: 3, busy: 4 } as const;

/** The database cannot be reached (or opened): exit 3 with what to check. */
export class DatabaseUnreachable extends Error {}

export function fail(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`cdrbill: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof InputError) {
    process.stderr.write(`cdrbill: ${error.message}\n`);
    return EXIT.input;
  }
  if (error instanceof RunInProgress) {
    process.stderr.write(`cdrbill: ${error.message}\n`);
    return EXIT.busy;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ConnectionLost) {
    process.stderr.write(`cdrbill: ${message}\n`);
    return EXIT.internal;
  }
  if (isConnectionLost(error)) {
    process.stderr.write(`cdrbill: database connection lost (${message}); what was committed stays, run the command again\n`);
    return EXIT.internal;
  }
  if (error instanceof DatabaseUnreachable || error instanceof MigrationError || error instanceof QueuedIngestFailed) {
    process.stderr.write(`cdrbill: ${message}\n`);
    return EXIT.internal;
  }
  process.stderr.write(`cdrbill: internal error: ${message}\n`);
  if (process.env.CDRBILL_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  else process.stderr.write('(set CDRBILL_DEBUG=1 for the stack trace)\n');
  return EXIT.internal;
}

function reasonOf(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { message?: string }[] };
  const message = e?.message || e?.errors?.[0]?.message || e?.code || String(error);
  return message;
}

/**
 * Opens the database the config names and checks that it answers. An embedded database is created
 * only when `create` is set (`cdrbill migrate`): a command pointed at a folder without one says so
 * instead of working on a new, empty database.
 */
export async function connect(config: Config, create = false): Promise<Database> {
  const where = config.databaseUrl ? undefined : embeddedDatabaseDir(config);
  if (where !== undefined && !create && !existsSync(where)) {
    throw new InputError(
      `no cdrbill database in ${config.dataDir} (looked for ${where}); create one with cdrbill migrate, or name the folder with --data-dir or CDRBILL_DATA_DIR`,
    );
  }
  let database: Database;
  try {
    database = await openDatabase(
      config.databaseUrl ? { url: config.databaseUrl, ...(config.connections ? { connections: config.connections } : {}) } : { dataDir: where! },
    );
  } catch (error) {
    throw new DatabaseUnreachable(`cannot open the embedded database in ${where}: ${reasonOf(error)}`);
  }
  try {
    await ping(database);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw new DatabaseUnreachable(`cannot connect to ${database.location}: ${reasonOf(error)}; is the server running and the URL right?`);
  }
  return database;
}

/** A command body: what it returns is the exit code (nothing: 0). */
// biome-ignore lint/suspicious/noConfusingVoidType: a body that prints and returns nothing succeeded
export type CommandBody = (database: Database, config: Config, applied: readonly string[]) => Promise<number | void>;

/**
 * Opens the database the flags name (creating an embedded one only if `create`; a PostgreSQL pool of
 * at least `minConnections`), migrates it, runs `body` (told which migrations were applied), closes
 * it; sets process.exitCode.
 */
export async function runWithDatabase(flags: GlobalFlags, body: CommandBody, create = false, minConnections = 0): Promise<void> {
  let database: Database | undefined;
  try {
    const resolved = resolveConfig(flags, process.env);
    const config = minConnections > (resolved.connections ?? DEFAULT_CONNECTIONS) ? { ...resolved, connections: minConnections } : resolved;
    database = await connect(config, create);
    const applied = await migrateToLatest(database);
    process.exitCode = (await body(database, config, applied)) ?? EXIT.ok;
  } catch (error) {
    process.exitCode = fail(error);
  } finally {
    await database?.close().catch(() => undefined);
  }
}

/** Runs a body that needs no database, with the same exit codes. */
export async function runWithoutDatabase(body: () => Promise<number | undefined> | number | undefined): Promise<void> {
  try {
    process.exitCode = (await body()) ?? EXIT.ok;
  } catch (error) {
    process.exitCode = fail(error);
  }
}
