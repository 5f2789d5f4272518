/**
 * Labels stored once and referred to by a 4-byte id, the label's FNV-1a hash, so that whoever writes
 * rows that refer to them (a rating thread, a worker on another machine) computes the id without a
 * lookup: the tariff versions calls were priced under (`tariff_version`, 0014) and the feeds that
 * duplicate keys name (`cdr_source`, 0018). A label is recorded before rows that refer to it are
 * written; one whose id is another label's is refused.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { fnv1a } from './fnv1a.js';
import type { Schema } from './schema.js';

export type LabelTable = 'tariff_version' | 'cdr_source';

const ids = new Map<string, number>();
/** labels this process recorded, per database and table */
const recorded = new WeakMap<Database, Map<LabelTable, Set<string>>>();

/** The id a label is stored under. */
export function labelId(label: string): number {
  let id = ids.get(label);
  if (id === undefined) {
    id = fnv1a(label);
    ids.set(label, id);
  }
  return id;
}

/**
 * Records labels not recorded before, through `db` (for concurrent writers, a connection outside
 * their transactions: see `outsideTransaction`); refuses one whose id is another label's, saying so
 * with `collision`.
 */
export async function recordLabels(
  database: Database,
  db: Kysely<Schema>,
  table: LabelTable,
  labels: Iterable<string>,
  collision: (label: string, other: string) => string,
): Promise<void> {
  const tables = recorded.get(database) ?? new Map<LabelTable, Set<string>>();
  recorded.set(database, tables);
  const known = tables.get(table) ?? new Set<string>();
  tables.set(table, known);
  const fresh = [...new Set(labels)].filter((l) => !known.has(l));
  if (fresh.length === 0) return;
  const idsOf = fresh.map(labelId);
  const target = sql.table(table);
  await sql`INSERT INTO ${target} (id, label) SELECT * FROM unnest(${idsOf}::int[], ${fresh}::text[]) ON CONFLICT DO NOTHING`.execute(db);
  const stored = await sql<{ id: number; label: string }>`SELECT id, label FROM ${target} WHERE id = ANY(${idsOf}::int[])`.execute(db);
  const byId = new Map(stored.rows.map((r) => [r.id, r.label]));
  for (const label of fresh) {
    const other = byId.get(labelId(label));
    if (other !== label) throw new Error(collision(label, other ?? '(none)'));
    known.add(label);
  }
}
