/**
 * Reads a tariff directory, validates it, and stores it as the tariff set in force; and loads the
 * stored set for rating.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseTariffFiles, TariffDataError, type TariffFile } from '../tariffs/parse-tariff-files.js';
import type { TariffSet } from '../tariffs/tariff-set.js';
import type { Database } from '../store/database.js';
import { loadLatestTariffFiles, saveTariffSet } from '../store/tariff-store.js';
import { InputError } from './input-error.js';

/** The .json and .csv files below `dir`, with paths relative to it. */
export function readTariffDirectory(dir: string): TariffFile[] {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new InputError(`${dir}: no such tariff directory`);
  }
  if (!isDir) throw new InputError(`${dir}: expected a tariff directory (with plans.json and rate-decks/)`);
  const files: TariffFile[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(json|csv)$/.test(entry.name)) {
        files.push({ path: relative(dir, path).split(sep).join('/'), text: readFileSync(path, 'utf8') });
      }
    }
  };
  walk(dir);
  return files;
}

export interface LoadTariffsResult {
  readonly tariffs: TariffSet;
  readonly id: number;
  readonly created: boolean;
  readonly fileCount: number;
}

/** Validates and stores the tariff directory; nothing is stored when a file is invalid. */
export async function loadTariffs(database: Database, dir: string, now: Date): Promise<LoadTariffsResult> {
  const files = readTariffDirectory(dir);
  let tariffs: TariffSet;
  try {
    tariffs = parseTariffFiles(files);
  } catch (error) {
    if (error instanceof TariffDataError) throw new InputError(`${dir}/${error.message}`, { cause: error });
    throw error;
  }
  const { id, created } = await saveTariffSet(database, files, now);
  return { tariffs, id, created, fileCount: files.length };
}

/** The files of the tariff set in force (the last one loaded). */
export async function loadStoredTariffFiles(database: Database): Promise<TariffFile[]> {
  const stored = await loadLatestTariffFiles(database);
  if (!stored) throw new InputError('no tariffs loaded yet: run `cdrbill load tariffs [dir]` first');
  return stored.files;
}

/** The tariff set in force (the last one loaded). */
export async function loadStoredTariffs(database: Database): Promise<TariffSet> {
  return parseTariffFiles(await loadStoredTariffFiles(database));
}
