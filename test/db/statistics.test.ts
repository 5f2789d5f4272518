/**
 * The statistics refresh after an ingest, a customer load or an invoice run, beside other sessions:
 * a worker's temporary table (its staged month totals) is listed by PostgreSQL's statistics but is
 * not ours to analyze, and it goes when the worker's session ends, possibly between the listing and
 * its ANALYZE (seen as an ingest ending in exit 3: relation "pg_temp_4.call_total_stage" does not exist).
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeChangedTables } from '../../src/store/database.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

describe.runIf(TEST_BACKEND === 'postgres')('the statistics refresh', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => test?.drop());

  it("analyzes the changed tables and leaves other sessions' temporary tables alone", async () => {
    const other = new pg.Client({ connectionString: test.url });
    await other.connect();
    try {
      await other.query('CREATE TEMP TABLE staged AS SELECT g AS n FROM generate_series(1, 5000) g');
      // (autovacuum would analyze it on its own, at a moment of its choosing)
      await other.query('CREATE TABLE scratch (n integer) WITH (autovacuum_enabled = false)');
      await other.query('INSERT INTO scratch SELECT g FROM generate_series(1, 5000) g');
      await other.query('SELECT pg_stat_force_next_flush()');
      await other.query('SELECT 1');
      // the statistics of both reach the shared view once the other session reports them
      let listed: string[] = [];
      for (let i = 0; i < 50 && listed.length < 2; i++) {
        const rows = await sql<{ relname: string }>`
          SELECT relname FROM pg_stat_user_tables WHERE relname IN ('staged', 'scratch') AND n_mod_since_analyze > 500`.execute(test.database.db);
        listed = rows.rows.map((r) => r.relname);
        if (listed.length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      expect(listed.sort()).toEqual(['scratch', 'staged']);

      const analyzed = await analyzeChangedTables(test.database);
      expect(analyzed).toContain('public.scratch');
      expect(analyzed.filter((name) => name.startsWith('pg_temp'))).toEqual([]);
    } finally {
      await other.end();
    }
  });
});
