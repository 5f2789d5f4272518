/**
 * Tariff versions as the history stores them: a call refers to the label of the plan and rate deck
 * versions it was priced under (`basis@2026-01-01 xms-standard@2026-01-01`) by a 4-byte id, the
 * label's FNV-1a hash, so that whoever writes calls (a rating thread, a worker on another machine)
 * computes it without a lookup. The labels are recorded before calls that use them are written.
 */
import { sql } from 'kysely';
import type { Database } from './database.js';
import { fnv1a } from './fnv1a.js';

const ids = new Map<string, number>();
/** labels this process recorded, per database */
const recorded = new WeakMap<Database, Set<string>>();

/** The id a label is stored under. */
export function tariffVersionId(label: string): number {
  let id = ids.get(label);
  if (id === undefined) {
    id = fnv1a(label);
    ids.set(label, id);
  }
  return id;
}

/**
 * Records labels (in a transaction of its own: concurrent ingests do not wait on each other's);
 * refuses one whose id is another label's.
 */
export async function recordTariffVersions(database: Database, labels: Iterable<string>): Promise<void> {
  const known = recorded.get(database) ?? new Set<string>();
  recorded.set(database, known);
  const fresh = [...new Set(labels)].filter((l) => !known.has(l));
  if (fresh.length === 0) return;
  const idsOf = fresh.map(tariffVersionId);
  await sql`INSERT INTO tariff_version (id, label) SELECT * FROM unnest(${idsOf}::int[], ${fresh}::text[]) ON CONFLICT DO NOTHING`.execute(database.db);
  const stored = await sql<{ id: number; label: string }>`SELECT id, label FROM tariff_version WHERE id = ANY(${idsOf}::int[])`.execute(database.db);
  const byId = new Map(stored.rows.map((r) => [r.id, r.label]));
  for (const label of fresh) {
    const other = byId.get(tariffVersionId(label));
    if (other !== label) throw new Error(`tariff version "${label}" has the id of "${other ?? '(none)'}": rename a plan or rate deck version`);
    known.add(label);
  }
}

/** The label of a call's tariff version, in a query over rated_call as `c`. */
export const TARIFF_VERSION_LABEL = sql<string>`(SELECT v.label FROM tariff_version v WHERE v.id = c.tariff_version_id)`;
