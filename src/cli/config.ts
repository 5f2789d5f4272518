/**
 * Settings: defaults here, then the environment, then flags; validated once.
 */
import { join } from 'node:path';
import { redactUrl } from '../store/database.js';

export const DEFAULTS = {
  dataDir: '.cdrbill',
  tariffDir: 'tariffs',
} as const;

export interface Config {
  /** PostgreSQL server URL; undefined = embedded database */
  readonly databaseUrl?: string;
  /** cdrbill's local folder: the embedded database and default outputs */
  readonly dataDir: string;
  /** PostgreSQL connections per process (CDRBILL_DB_CONNECTIONS, 2 to 100, default 4) */
  readonly connections?: number;
}

export interface GlobalFlags {
  readonly db?: string;
  readonly dataDir?: string;
}

export class UsageError extends Error {}

export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv): Config {
  const databaseUrl = flags.db ?? (env.DATABASE_URL || undefined);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError(`--db / DATABASE_URL: expected postgres://user@host:port/database, got "${redactUrl(databaseUrl)}"`);
  }
  const connections = env.CDRBILL_DB_CONNECTIONS ? Number(env.CDRBILL_DB_CONNECTIONS) : undefined;
  // two at least: an ingest holds a file's transaction on one and records the labels and call
  // profiles its calls refer to on another (outsideTransaction)
  if (connections !== undefined && !(Number.isInteger(connections) && connections >= 2 && connections <= 100)) {
    throw new UsageError(`CDRBILL_DB_CONNECTIONS: expected a whole number from 2 to 100 (an ingest needs two), got "${env.CDRBILL_DB_CONNECTIONS}"`);
  }
  return {
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir: flags.dataDir ?? (env.CDRBILL_DATA_DIR || DEFAULTS.dataDir),
    ...(connections ? { connections } : {}),
  };
}

/** Folder of the embedded database inside the data folder. */
export function embeddedDatabaseDir(config: Config): string {
  return join(config.dataDir, 'db');
}
