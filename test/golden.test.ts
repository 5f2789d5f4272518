/**
 * Golden end-to-end cases: test/cases/<case>/{case.json, customers.json, cdrs/, expected/}.
 * case.json lists steps (ingest, invoice, tariff patch, rerate, credit); every document issued must
 * equal expected/<number>.json byte for byte. UPDATE_GOLDEN=1 writes the expected files instead
 * (then read them, by hand, before committing).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Invoice } from '../src/billing/build-invoice.js';
import type { CreditNote } from '../src/billing/build-credit-note.js';
import { parsePeriod } from '../src/domain/period.js';
import { creditInvoice } from '../src/pipeline/credit-invoice.js';
import { ingestFiles } from '../src/pipeline/ingest-files.js';
import { issueInvoices } from '../src/pipeline/issue-invoices.js';
import { loadCustomers } from '../src/pipeline/load-customers.js';
import { loadTariffs } from '../src/pipeline/load-tariffs.js';
import { reratePeriod } from '../src/pipeline/rerate-period.js';
import { createTestDatabase, TEST_BACKEND } from './support/test-database.js';
import { tempDir } from './support/files.js';

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

const CASES = 'test/cases';
const update = process.env.UPDATE_GOLDEN === '1';
const work = tempDir('cdrbill-golden-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a case's steps on a fresh database; returns every document issued, by number. */
async function runCase(dir: string, cdrOrder: (files: string[]) => string[] = (f) => f): Promise<Map<string, Invoice | CreditNote>> {
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
  } finally {
    await test.drop();
  }
  return docs;
}

function serialize(doc: Invoice | CreditNote): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

describe(`golden cases (${TEST_BACKEND})`, () => {
  const cases = readdirSync(CASES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  it.each(cases)('%s', async (name) => {
    const dir = join(CASES, name);
    const docs = await runCase(dir);
    const expectedDir = join(dir, 'expected');
    if (update) {
      rmSync(expectedDir, { recursive: true, force: true });
      mkdirSync(expectedDir, { recursive: true });
      for (const [number, doc] of docs) writeFileSync(join(expectedDir, `${number}.json`), serialize(doc));
    }
    expect(existsSync(expectedDir)).toBe(true);
    const expected = readdirSync(expectedDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect([...docs.keys()].map((n) => `${n}.json`).sort()).toEqual(expected);
    for (const file of expected) {
      expect(serialize(docs.get(file.replace(/\.json$/, ''))!), `${name}/expected/${file}`).toBe(readFileSync(join(expectedDir, file), 'utf8'));
    }
  });

  it('gives byte-identical invoices when the CDRs come in another order and split', async () => {
    const dir = join(CASES, 'vast-mobiel-over-bundle');
    const inOrder = await runCase(dir);
    const reversedSplit = await runCase(dir, (files) => {
      const lines = files.flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').slice(1));
      const header = readFileSync(files[0]!, 'utf8').split('\n')[0]!;
      const reversed = lines.reverse();
      const parts = [reversed.slice(0, 2), reversed.slice(2, 3), reversed.slice(3)];
      return parts.map((part, i) => {
        const path = join(work, `split-${i}-${Math.random().toString(36).slice(2)}.csv`);
        writeFileSync(path, `${[header, ...part].join('\n')}\n`);
        return path;
      });
    });
    expect([...reversedSplit.keys()]).toEqual([...inOrder.keys()]);
    for (const [number, doc] of inOrder) expect(serialize(reversedSplit.get(number)!)).toBe(serialize(doc));
  });
});
