/**
 * Tariff sets: the exact files of a tariff directory, stored when loaded, so that every later run
 * rates with what was validated and loaded, wherever it runs.
 */
import { createHash } from 'node:crypto';
import type { TariffFile } from '../tariffs/parse-tariff-files.js';
import type { Database } from './database.js';

export function hashTariffFiles(files: readonly TariffFile[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) hash.update(f.path).update('\0').update(f.text).update('\0');
  return hash.digest('hex');
}

/** Stores a validated set of files; returns its id and whether it is new. */
export async function saveTariffSet(database: Database, files: readonly TariffFile[], now: Date): Promise<{ id: number; created: boolean }> {
  const contentHash = hashTariffFiles(files);
  const latest = await database.db.selectFrom('tariff_set').select(['id', 'content_hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (latest?.content_hash === contentHash) return { id: latest.id, created: false };
  const filesJson = JSON.stringify(Object.fromEntries(files.map((f) => [f.path, f.text])));
  const row = await database.db
    .insertInto('tariff_set')
    .values({ content_hash: contentHash, files: filesJson, loaded_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, created: true };
}

/** The files of the most recently loaded tariff set, or undefined when none was loaded. */
export async function loadLatestTariffFiles(database: Database): Promise<{ id: number; files: TariffFile[] } | undefined> {
  const id = await latestTariffSetId(database);
  return id === undefined ? undefined : { id, files: await loadTariffFiles(database, id) };
}

/** The id of the most recently loaded tariff set (a stored set's files never change). */
export async function latestTariffSetId(database: Database): Promise<number | undefined> {
  return (await database.db.selectFrom('tariff_set').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst())?.id;
}

/** The files of the stored tariff set `id`. */
export async function loadTariffFiles(database: Database, id: number): Promise<TariffFile[]> {
  const row = await database.db.selectFrom('tariff_set').select('files').where('id', '=', id).executeTakeFirstOrThrow();
  const files = typeof row.files === 'string' ? (JSON.parse(row.files) as Record<string, string>) : row.files;
  return Object.entries(files).map(([path, text]) => ({ path, text }));
}
