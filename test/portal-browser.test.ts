/**
 * The portal's page in a real browser: Debian's Chromium, headless, driven by puppeteer-core (no
 * browser download; CI installs the Debian package). A customer of a golden case signs in with a
 * token and sees the month's calls and the totals per category; a wrong token is told so. The
 * screenshot is kept in the temp folder for a person to look at (CDRBILL_SCREENSHOT=path to choose).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../src/pipeline/ingest-files.js';
import { issueInvoices } from '../src/pipeline/issue-invoices.js';
import { loadCustomers } from '../src/pipeline/load-customers.js';
import { loadTariffs } from '../src/pipeline/load-tariffs.js';
import { createToken } from '../src/pipeline/tokens.js';
import { buildPortal } from '../src/portal/server.js';
import type { Invoice } from '../src/billing/build-invoice.js';
import { tempDir } from './support/files.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const NOW = new Date('2027-01-01T06:00:00Z');
const CASE = 'test/cases/vast-mobiel-over-bundle';

describe('the portal page in Chromium', () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let token: string;
  let invoice: Invoice;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    test = await createTestDatabase();
    await loadTariffs(test.database, 'tariffs', NOW);
    await loadCustomers(test.database, join(CASE, 'customers.json'));
    await ingestFiles(test.database, [join(CASE, 'cdrs', 'oktober.csv')], { format: 'auto', now: NOW });
    invoice = (await issueInvoices(test.database, { year: 2026, month: 10 }, { issueDate: '2026-11-01', now: NOW }))[0]!.invoice;
    token = (await createToken(test.database, { kind: 'account', id: invoice.account.id }, 'browser test', NOW)).token;
    app = await buildPortal({ database: test.database });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await test?.drop();
  });

  it('shows a golden case’s calls and totals after signing in, and refuses a wrong token', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(base);
    await page.type('#token', 'cdrb_000000000000_wrongwrongwrongwrongwrongwrongwrongwrongwro');
    await page.click('#signin-form button');
    await page.waitForFunction("document.getElementById('signin-error').textContent !== ''");
    expect(await page.$eval('#signin-error', (e) => e.textContent)).toMatch(/niet \(meer\) geldig/);

    await page.$eval('#token', (e) => {
      (e as unknown as { value: string }).value = '';
    });
    await page.type('#token', token);
    await page.click('#signin-form button');
    await page.waitForSelector('#app:not([hidden])');
    await page.$eval('#period', (e) => {
      (e as unknown as { value: string }).value = '2026-10';
    });
    await page.click('#filters button');
    await page.waitForFunction("document.querySelector('#calls tbody').children.length > 0 && !document.querySelector('#calls td.empty')");
    const totals = await page.$$eval('#totals tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    const usage = invoice.lines.filter((l) => l.type === 'usage');
    for (const line of usage) {
      const label = line.description.split(':')[0]!;
      const row = totals.find((t) => t[0] === label);
      expect(row, label).toBeDefined();
      expect(row![3]).toBe(`€ ${line.amount.replace('.', ',')}`);
      expect(row![1]).toBe(String(line.calls));
    }
    const calls = await page.$$eval('#calls tbody tr', (rows) => rows.length);
    expect(calls).toBe(usage.reduce((n, l) => n + (l.calls ?? 0), 0) + totals.filter((t) => t[0] === 'Inkomend').reduce((n, t) => n + Number(t[1]), 0));
    const shot = process.env.CDRBILL_SCREENSHOT ?? join(tempDir('cdrbill-portal-'), 'portal.png');
    await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
    expect(existsSync(shot)).toBe(true);

    // a month without calls says so
    await page.$eval('#period', (e) => {
      (e as unknown as { value: string }).value = '2026-12';
    });
    await page.click('#filters button');
    await page.waitForSelector('#calls td.empty');
    expect(await page.$eval('#calls td.empty', (e) => e.textContent)).toBe('Geen gesprekken in deze periode.');
    expect(await page.$eval('#totals tfoot', (e) => e.textContent)).toMatch(/Totaal0.*€ 0,00/);
  }, 60_000);
});
