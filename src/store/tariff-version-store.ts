/**
 * Tariff versions as the history stores them: a call refers to the label of the plan and rate deck
 * versions it was priced under (`basis@2026-01-01 xms-standard@2026-01-01`) by a 4-byte id, the
 * label's FNV-1a hash (hashed-labels.ts). The labels are recorded before calls that use them are written.
 */
import { sql } from 'kysely';
import type { Database } from './database.js';
import { labelId, recordLabels } from './hashed-labels.js';

/** The id a label is stored under. */
export const tariffVersionId = labelId;

/** Records labels (in a transaction of its own); refuses one whose id is another label's. */
export async function recordTariffVersions(database: Database, labels: Iterable<string>): Promise<void> {
  await recordLabels(
    database,
    database.db,
    'tariff_version',
    labels,
    (label, other) => `tariff version "${label}" has the id of "${other}": rename a plan or rate deck version`,
  );
}

/** The label of the tariff version whose id is in `column` (`alias.tariff_version_id`). */
export const tariffVersionLabel = (column: string) => sql<string>`(SELECT v.label FROM tariff_version v WHERE v.id = ${sql.ref(column)})`;

/** The label of a call's tariff version, in a query over rated_call as `c`. */
export const TARIFF_VERSION_LABEL = tariffVersionLabel('c.tariff_version_id');
