/**
 * The golden end-to-end cases (test/cases/<case>/{case.json, customers.json, cdrs/, expected/}):
 * case.json lists steps (ingest, invoice, tariff patch, rerate, credit), run here on a fresh database.
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { Invoice } from '../../src/billing/build-invoice.js';
import type { CreditNote } from '../../src/billing/build-credit-note.js';
import { parsePeriod } from '../../src/domain/period.js';
import { creditInvoice } from '../../src/pipeline/credit-invoice.js';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { issueInvoices } from '../../src/pipeline/issue-invoices.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import { reratePeriod } from '../../src/pipeline/rerate-period.js';
import type { Database } from '../../src/store/database.js';
import { createTestDatabase } from './test-database.js';
import { tempDir } from './files.js';

type Step =
  | { ingest: string[] }
  | { invoice: string; issueDate: string }
  | { patchTariff: { file: string; replace: [string, string] } }
  | { rerate: string }
  | { credit: string; reason: string; reissue?: boolean; lines?: number[]; issueDate: string };

interface Case {
  readonly description: string;
  readonly steps: readonly Step[];
}

export const CASES = 'test/cases';
const work = tempDir('cdrbill-golden-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The golden cases' folder names, in order. */
export function goldenCases(): string[] {
  return readdirSync(CASES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * Runs a case's steps on a fresh database; returns every document issued, by number. `inspect`
 * sees the database before it is dropped.
 */
export async function runCase(
  dir: string,
  cdrOrder: (files: string[]) => string[] = (f) => f,
  inspect?: (database: Database, docs: ReadonlyMap<string, Invoice | CreditNote>) => Promise<void>,
): Promise<Map<string, Invoice | CreditNote>> {
  const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case;
  const test = await createTestDatabase();
  const tariffs = join(work, `${dir.replace(/\W/g, '_')}-${Math.random().toString(36).slice(2)}`);
  cpSync('tariffs', tariffs, { recursive: true });
  const docs = new Map<string, Invoice | CreditNote>();
  try {
    // the clock of the loads and ingests: after every call of every case (a call may not start after its ingest)
    const now = new Date('2027-01-01T06:00:00Z');
    await loadTariffs(test.database, tariffs, now);
    await loadCustomers(test.database, join(dir, 'customers.json'));
    for (const step of spec.steps) {
      if ('ingest' in step) {
        await ingestFiles(test.database, cdrOrder(step.ingest.map((f) => join(dir, f))), { format: 'auto', now });
      } else if ('invoice' in step) {
        for (const { invoice } of await issueInvoices(test.database, parsePeriod(step.invoice)!, {
          issueDate: step.issueDate,
          now: new Date(`${step.issueDate}T12:00:00Z`),
        }))
          docs.set(invoice.number, invoice);
      } else if ('patchTariff' in step) {
        const file = join(tariffs, step.patchTariff.file);
        const text = readFileSync(file, 'utf8');
        if (!text.includes(step.patchTariff.replace[0])) throw new Error(`${dir}: ${step.patchTariff.file} has no "${step.patchTariff.replace[0]}"`);
        writeFileSync(file, text.replace(step.patchTariff.replace[0], step.patchTariff.replace[1]));
        await loadTariffs(test.database, tariffs, now);
      } else if ('rerate' in step) {
        await reratePeriod(test.database, parsePeriod(step.rerate)!);
      } else {
        const result = await creditInvoice(test.database, {
          invoiceNumber: step.credit,
          reason: step.reason,
          lines: step.lines ?? [],
          issueDate: step.issueDate,
          reissue: step.reissue ?? false,
        });
        docs.set(result.creditNote.number, result.creditNote);
        if (result.corrective) docs.set(result.corrective.number, result.corrective);
      }
    }
    await inspect?.(test.database, docs);
  } finally {
    await test.drop();
  }
  return docs;
}
