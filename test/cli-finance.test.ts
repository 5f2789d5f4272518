/**
 * Finance at the command line, as a finance clerk runs it on the demo's month: every export prints
 * CSV and JSON with the same keys, every CSV cell inert in a spreadsheet (an account named
 * `=HYPERLINK(…)`), re-runs print the same bytes, the e-invoices and the pain.008 file are written,
 * the PDF is a PDF, and bad choices are usage errors naming the option.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/files.js';

const dir = tempDir('cdrbill-finance-cli-');
const dataDir = join(dir, 'data');
const HOSTILE = '=HYPERLINK("http://evil.example","klik")';

function cdrbill(...args: string[]) {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, ['bin/cdrbill.js', '--data-dir', dataDir, ...args], { encoding: 'utf8', env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const EXPORTS: Record<string, string[]> = {
  register: ['export', 'register', '--period', '2026-10'],
  journal: ['export', 'journal', '--from', '2026-11-01', '--to', '2026-11-30'],
  vat: ['export', 'vat', '--period', '2026-Q4'],
  revenue: ['export', 'revenue', '--period', '2026-10'],
  sepa: ['export', 'sepa', '--period', '2026-10', '--out', join(dir, 'sepa.xml')],
};

describe('finance at the command line', () => {
  beforeAll(() => {
    const customers = JSON.parse(readFileSync('fixtures/customers.json', 'utf8'));
    customers.accounts[0].name = HOSTILE;
    writeFileSync(join(dir, 'customers.json'), JSON.stringify(customers));
    for (const args of [
      ['migrate'],
      ['load', 'tariffs'],
      ['load', 'customers', join(dir, 'customers.json')],
      ['load', 'seller', 'fixtures/seller.json'],
      ['ingest', 'fixtures/cdrs/xms-2026-10-a.csv', 'fixtures/cdrs/xms-2026-10-b.csv', 'fixtures/cdrs/xms-2026-10-c.csv'],
      ['invoice', '--period', '2026-10', '--issue-date', '2026-11-01', '--out', join(dir, 'invoices'), '--pdf'],
    ]) {
      const run = cdrbill(...args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
  }, 120_000);

  it.each(Object.entries(EXPORTS))('prints %s as CSV and JSON with the same keys, inert cells, the same bytes when re-run', (_name, args) => {
    const csv = cdrbill(...args, '-o', 'csv');
    expect(csv.code, csv.stderr).toBe(0);
    const rows = parse(csv.stdout) as string[][];
    expect(rows.length).toBeGreaterThan(1);
    for (const cell of rows.flat()) expect(/^[=+@\t\r]/.test(cell) || /^-(?!\d+(\.\d+)?$)/.test(cell), cell).toBe(false);
    const json = JSON.parse(cdrbill(...args, '-o', 'json').stdout) as Record<string, unknown>[];
    expect(json).toHaveLength(rows.length - 1);
    expect(rows[0]).toEqual(Object.keys(json[0]!));
    expect(cdrbill(...args, '-o', 'csv').stdout).toBe(csv.stdout);
  });

  it('keeps the hostile name as text in the register, and the register sums to the invoices', () => {
    const register = parse(cdrbill(...EXPORTS.register!, '-o', 'csv').stdout, { columns: true }) as Record<string, string>[];
    expect(register.find((r) => r.account === 'R-1001')!.accountName).toBe(`'${HOSTILE}`);
    const files = readdirSync(join(dir, 'invoices')).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(6);
    const gross = files.reduce((s, f) => s + Math.round(Number(JSON.parse(readFileSync(join(dir, 'invoices', f), 'utf8')).total) * 100), 0);
    expect(register.reduce((s, r) => s + Math.round(Number(r.gross) * 100), 0)).toBe(gross);
  });

  it('writes a PDF beside each invoice, and renders one on request', () => {
    const pdfs = readdirSync(join(dir, 'invoices')).filter((f) => f.endsWith('.pdf'));
    expect(pdfs).toHaveLength(6);
    const out = join(dir, 'one.pdf');
    expect(cdrbill('render', '--invoice', '2026-000001', '-o', 'pdf', '--out', out).code).toBe(0);
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/Title \d+ 0 R/);
    expect(pdf.toString('latin1')).toMatch(/%%EOF\s*$/);
  });

  it('writes e-invoices for the business account and a direct-debit file', () => {
    const ubl = cdrbill('export', 'ubl', '--period', '2026-10', '--out', join(dir, 'ubl'));
    expect(ubl.code, ubl.stderr).toBe(0);
    expect(ubl.stdout).toMatch(/1 e-invoices written .*5 residential documents left out/);
    expect(readFileSync(join(dir, 'ubl', '2026-000001.xml'), 'utf8')).toContain(
      '<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0',
    );
    const sepa = cdrbill(...EXPORTS.sepa!);
    expect(sepa.stdout).toMatch(/4 collections, control sum \d+\.\d\d/);
    const journal = cdrbill('export', 'journal', '--period', '2026-10', '--layout', 'twinfield');
    expect(journal.code, journal.stderr).toBe(0);
    expect(journal.stdout).toMatch(/<transaction destiny="temporary">/);
  });

  it('refuses unclear choices as usage errors naming the option, and a bad ledger file naming its field', () => {
    expect(cdrbill('export', 'register').stderr).toMatch(/--from and --to .* or --period/);
    expect(cdrbill('export', 'register', '--period', '2026-10', '--from', '2026-10-01').code).toBe(2);
    expect(cdrbill('export', 'vat', '--period', '2026-Q5').stderr).toMatch(/--period: expected a month YYYY-MM or a quarter/);
    writeFileSync(join(dir, 'ledger.json'), JSON.stringify({ ...JSON.parse(readFileSync('finance/ledger.json', 'utf8')), debtors: '' }));
    const bad = cdrbill('export', 'journal', '--period', '2026-10', '--ledger', join(dir, 'ledger.json'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ledger\.json: debtors: expected a ledger account code/);
  });
});
