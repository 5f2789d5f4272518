/**
 * Golden end-to-end cases: test/cases/<case>/{case.json, customers.json, cdrs/, expected/}.
 * case.json lists steps (ingest, invoice, tariff patch, rerate, credit); every document issued must
 * equal expected/<number>.json byte for byte. UPDATE_GOLDEN=1 writes the expected files instead
 * (then read them, by hand, before committing).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Invoice } from '../src/billing/build-invoice.js';
import type { CreditNote } from '../src/billing/build-credit-note.js';
import { CASES, goldenCases, runCase } from './support/golden-cases.js';
import { TEST_BACKEND } from './support/test-database.js';
import { tempDir } from './support/files.js';

const update = process.env.UPDATE_GOLDEN === '1';
const work = tempDir('cdrbill-golden-split-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function serialize(doc: Invoice | CreditNote): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

describe(`golden cases (${TEST_BACKEND})`, () => {
  const cases = goldenCases();

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
