/** Ingests CDR files with tariffs and customers loaded once for all of them. */
import { existsSync } from 'node:fs';
import type { CdrFormat } from '../ingest/cdr-format.js';
import { buildNumberingPlan } from '../numbering/numbering-plan.js';
import { createCachedClassifier } from '../numbering/classify-destination.js';
import type { RatingContext } from '../rating/rate-cdr.js';
import type { Database } from '../store/database.js';
import { loadSubscriptionTerms } from '../store/customer-store.js';
import { ingestFile, type FileReport } from './ingest-file.js';
import { InputError } from './input-error.js';
import { loadStoredTariffs } from './load-tariffs.js';

/** Everything rating needs, from the database, once per run. */
export async function loadRatingContext(database: Database): Promise<RatingContext> {
  const tariffs = await loadStoredTariffs(database);
  const subscriptions = await loadSubscriptionTerms(database);
  return { tariffs, subscriptions, classify: createCachedClassifier(buildNumberingPlan()) };
}

export interface IngestFilesOptions {
  readonly format: CdrFormat;
  readonly source?: string;
  readonly now: Date;
  readonly onFile?: (report: FileReport) => void;
}

export async function ingestFiles(database: Database, paths: readonly string[], options: IngestFilesOptions): Promise<FileReport[]> {
  for (const path of paths) if (!existsSync(path)) throw new InputError(`${path}: no such CDR file`);
  const context = await loadRatingContext(database);
  const reports: FileReport[] = [];
  for (const path of paths) {
    const report = await ingestFile(database, context, path, options);
    options.onFile?.(report);
    reports.push(report);
  }
  return reports;
}
