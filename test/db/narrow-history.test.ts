/**
 * The narrower history: a stored call refers to what rating decided by a profile id that the writer
 * and the database compute alike (0017), a duplicate key to its feed by the name's hash (0018); a
 * history and keys stored before them convert with every call and key reading the same; a profile
 * whose id is another's is refused.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import { callProfileIdOfKey, callProfileKey, recordCallProfiles, type CallProfile } from '../../src/store/call-profile-store.js';
import type { Database } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const CDRS = readdirSync('fixtures/cdrs').map((f) => join('fixtures/cdrs', f));

const calls = (database: Database) => database.db.selectFrom('rated_call').selectAll().orderBy('source').orderBy('record_id').execute();
const keys = async (database: Database) =>
  (
    await sql`SELECT f.label AS source, k.record_id, k.fingerprint FROM cdr_key k JOIN cdr_source f ON f.id = k.source_id
              ORDER BY 1, 2`.execute(database.db)
  ).rows;

const PROFILE_ARGS = sql.raw(
  'plan_id, direction, device, category, subclass, country, tariff_version_id, rate_match, rate_per_minute_micros, setup_fee_ticks, allowance, free_reason',
);

describe('the narrower history', () => {
  let current: TestDatabase;
  beforeAll(async () => {
    current = await createTestDatabase();
    await loadTariffs(current.database, 'tariffs', NOW);
    await loadCustomers(current.database, 'fixtures/customers.json');
    await ingestFiles(current.database, CDRS, { format: 'auto', now: NOW, ratingWorker: false });
  });
  afterAll(async () => current?.drop());

  it('are identified alike by the writer and by the database', async () => {
    const rows = await sql<{ id: string; computed: string }>`
      SELECT id::text AS id, call_profile_id(${PROFILE_ARGS})::text AS computed FROM call_profile`.execute(current.database.db);
    expect(rows.rows.length).toBeGreaterThan(10);
    for (const row of rows.rows) expect(row.computed).toBe(row.id);
    // NULLs, empty texts, digits and letters outside ASCII
    const odd: CallProfile = {
      planId: 'zakelijk-€',
      direction: 'incoming',
      device: 'mobile',
      category: null,
      subclass: '',
      country: 'Curaçao',
      tariffVersionId: -123456789,
      rateMatch: '',
      ratePerMinuteMicros: null,
      setupFeeTicks: 0,
      allowance: null,
      freeReason: 'incoming',
    };
    const inSql = await sql<{ id: string }>`
      SELECT call_profile_id(${odd.planId}, ${odd.direction}, ${odd.device}, ${odd.category}, ${odd.subclass}, ${odd.country},
                             ${odd.tariffVersionId}::int, ${odd.rateMatch}, ${odd.ratePerMinuteMicros}::bigint, ${odd.setupFeeTicks}::bigint,
                             ${odd.allowance}, ${odd.freeReason})::text AS id`.execute(current.database.db);
    expect(Number(inSql.rows[0]!.id)).toBe(callProfileIdOfKey(callProfileKey(odd)));
  });

  it('convert a history stored before them: every call and duplicate key reads the same', async () => {
    const old = await createTestDatabase({ seller: false, upTo: '0016_history_index_narrow' });
    try {
      const before = await calls(current.database);
      expect(before.length).toBeGreaterThan(100);
      const keysBefore = await keys(current.database);
      expect(keysBefore.length).toBe(before.length);
      await sql`INSERT INTO cdr_key SELECT * FROM json_populate_recordset(null::cdr_key, ${JSON.stringify(keysBefore)}::json)`.execute(old.database.db);
      await sql`CREATE TABLE rated_call_2026_10 PARTITION OF rated_call FOR VALUES FROM ('2026-09-30T22:00:00Z') TO ('2026-10-31T23:00:00Z')`.execute(
        old.database.db,
      );
      await sql`INSERT INTO rated_call SELECT * FROM json_populate_recordset(null::rated_call, ${JSON.stringify(before)}::json)`.execute(old.database.db);
      await sql`INSERT INTO tariff_version SELECT * FROM json_populate_recordset(null::tariff_version, ${JSON.stringify(
        await current.database.db.selectFrom('tariff_version').selectAll().execute(),
      )}::json)`.execute(old.database.db);
      await sql`INSERT INTO rated_call (account_id, started_at, source, record_id, line, plan_id, direction, device, calling_number,
          called_number, answered, answered_seconds, billed_seconds, setup_fee_ticks, list_price_ticks, charged_ticks, tariff_version_id,
          rate_match, bands, file_id, line_no)
        VALUES ('X-1', '2031-01-01T00:00:00Z', 'canonical', 'outside-every-month', '+31201234567', 'basis', 'outgoing', 'fixed',
          '+31201234567', '112', true, 5, 0, 0, 0, 0, 0, '', '', 1, 1)`.execute(old.database.db);

      expect(await migrateToLatest(old.database)).toEqual(expect.arrayContaining(['0017_call_profile', '0018_cdr_source', '0019_call_keys_bytewise']));
      expect(await keys(old.database)).toEqual(keysBefore);
      const after = await calls(old.database);
      expect(after.filter((c) => c.account_id !== 'X-1')).toEqual(before);
      expect(after.find((c) => c.account_id === 'X-1')?.record_id).toBe('outside-every-month');
      const partitions = await sql<{ name: string }>`
        SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'call_record'::regclass ORDER BY 1`.execute(old.database.db);
      expect(partitions.rows.map((r) => r.name)).toEqual(['rated_call_2026_10', 'rated_call_default']);
      const ids = async (database: Database) =>
        (await sql<{ id: string }>`SELECT id::text AS id FROM call_profile WHERE tariff_version_id <> 0 ORDER BY id`.execute(database.db)).rows;
      expect(await ids(old.database)).toEqual(await ids(current.database));
      // 0019: the history's keys compare bytewise, in the converted history's index too
      const index = await sql<{ definition: string }>`
        SELECT pg_get_indexdef(x.indexrelid) AS definition FROM pg_index x
        WHERE x.indrelid = 'rated_call_2026_10'::regclass AND pg_get_indexdef(x.indexrelid) LIKE '%btree%'`.execute(old.database.db);
      const collations = await sql<{ name: string; collation: string }>`
        SELECT a.attname AS name, c.collname AS collation FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
        WHERE a.attrelid = 'rated_call_2026_10'::regclass AND a.attname IN ('account_id', 'source', 'record_id') ORDER BY 1`.execute(old.database.db);
      expect(collations.rows).toEqual([
        { name: 'account_id', collation: 'C' },
        { name: 'record_id', collation: 'C' },
        { name: 'source', collation: 'C' },
      ]);
      expect(index.rows.map((r) => r.definition)).toEqual([expect.stringContaining('(account_id, started_at)')]);
    } finally {
      await old.drop();
    }
  });

  it('refuse a profile whose id is taken by another', async () => {
    const profile: CallProfile = {
      planId: 'niet-bestaand',
      direction: 'outgoing',
      device: 'fixed',
      category: 'national',
      subclass: null,
      country: null,
      tariffVersionId: 1,
      rateMatch: 'national',
      ratePerMinuteMicros: 1000,
      setupFeeTicks: 0,
      allowance: null,
      freeReason: null,
    };
    const id = callProfileIdOfKey(callProfileKey(profile));
    await sql`INSERT INTO call_profile (id, plan_id, direction, device, tariff_version_id, rate_match, setup_fee_ticks)
      VALUES (${id}, 'een-ander', 'outgoing', 'fixed', 1, 'national', 0)`.execute(current.database.db);
    await expect(current.database.session((session) => recordCallProfiles(current.database, session, [{ id, profile }]))).rejects.toThrow(
      /call profile .*niet-bestaand.* has the id \d+ of another profile/,
    );
  });
});
