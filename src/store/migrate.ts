/**
 * Applies the numbered SQL files in `migrations/` through kysely's Migrator (its lock and
 * bookkeeping), the same files on PostgreSQL and PGlite.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Database } from './database.js';

/** The project folder: the nearest ancestor of this module with a migrations/ folder. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'migrations')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the cdrbill project folder (with migrations/)');
    dir = parent;
  }
  return dir;
}

class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of readdirSync(this.folder)
      .filter((f) => /^\d{4}_.+\.sql$/.test(f))
      .sort()) {
      const text = readFileSync(join(this.folder, file), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = {
        up: async (db: Kysely<unknown>) => {
          await sql.raw(text).execute(db);
        },
      };
    }
    return migrations;
  }
}

export class MigrationError extends Error {}

/**
 * Brings the schema up to date, or up to the migration `upTo` (by name, without `.sql`: a database
 * as an earlier release left it, to test a conversion); returns the names of the migrations it applied.
 */
export async function migrateToLatest(database: Database, upTo?: string): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: new SqlFileMigrationProvider(join(projectRoot(), 'migrations')),
  });
  const { error, results }: MigrationResultSet = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(`migration ${failed ?? ''} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
