/**
 * A fresh, migrated database per test file: the embedded PGlite in memory by default, or a
 * throwaway database on the PostgreSQL server named by DATABASE_URL. With DATABASE_URL set, an
 * unreachable server fails the tests; nothing is skipped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { loadTestSeller } from './seller.js';

export interface TestDatabase {
  readonly database: Database;
  /** the throwaway database's URL on the PostgreSQL server (undefined for the embedded one) */
  readonly url?: string;
  drop(): Promise<void>;
}

export const TEST_BACKEND = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/**
 * A fresh database, migrated (up to the migration `upTo`, if given), with the demo's seller loaded
 * unless `seller: false`.
 */
export async function createTestDatabase(options: { seller?: boolean; upTo?: string } = {}): Promise<TestDatabase> {
  const test = await createEmptyDatabase(options.upTo);
  if (options.seller !== false) await loadTestSeller(test.database);
  return test;
}

async function createEmptyDatabase(upTo: string | undefined): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const database = await openDatabase({});
    await migrateToLatest(database, upTo);
    return { database, drop: () => database.close() };
  }
  const name = `cdrbill_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect(); // throws when the server is unreachable: the test fails
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const testUrl = new URL(url);
  testUrl.pathname = `/${name}`;
  const database = await openDatabase({ url: testUrl.toString() });
  await migrateToLatest(database, upTo);
  return {
    database,
    url: testUrl.toString(),
    async drop() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
