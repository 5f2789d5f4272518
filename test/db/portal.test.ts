/**
 * The portal's API as tenants meet it (fastify's inject: the whole HTTP stack but the socket):
 * every endpoint tried with every other tenant's token and with none is refused, and a refusal looks
 * exactly like a resource that does not exist; bad input is a 400 naming it; keyset pages walk the
 * history without gaps or repeats; and a period's totals per category equal the invoices' usage lines
 * on every golden case.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invoice } from '../../src/billing/build-invoice.js';
import { Decimal } from '../../src/domain/money.js';
import { parsePeriod, periodEnd, periodStart } from '../../src/domain/period.js';
import { callHistoryPageWithTotals, callHistoryTotals, userSummaries } from '../../src/pipeline/call-history.js';
import { ingestFiles } from '../../src/pipeline/ingest-files.js';
import { issueInvoices } from '../../src/pipeline/issue-invoices.js';
import { loadCustomers } from '../../src/pipeline/load-customers.js';
import { loadTariffs } from '../../src/pipeline/load-tariffs.js';
import { createToken, revoke } from '../../src/pipeline/tokens.js';
import { buildPortal } from '../../src/portal/server.js';
import { callTotalsDrift } from '../support/call-totals.js';
import { CASES, goldenCases, runCase } from '../support/golden-cases.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/test-database.js';

const NOW = new Date('2027-01-01T06:00:00Z');

describe(`the portal API (${TEST_BACKEND})`, () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    test = await createTestDatabase();
    const { database } = test;
    await loadTariffs(database, 'tariffs', NOW);
    await loadCustomers(database, 'fixtures/customers.json');
    await loadCustomers(database, 'test/cases/enterprise-two-groups/customers.json');
    // a Vast-Mobiel user with a 150-minute bundle, and no calls
    await loadCustomers(database, 'test/cases/vast-mobiel-over-bundle/customers.json');
    await ingestFiles(database, ['fixtures/cdrs/xms-2026-10-a.csv', 'fixtures/cdrs/xms-2026-10-b.csv', 'test/cases/enterprise-two-groups/cdrs/oktober.csv'], {
      format: 'auto',
      now: NOW,
    });
    await issueInvoices(database, { year: 2026, month: 10 }, { issueDate: '2026-11-01', now: NOW });
    for (const [name, scope] of [
      ['R-1001', { kind: 'account', id: 'R-1001' }],
      ['R-1002', { kind: 'account', id: 'R-1002' }],
      ['E-AMS', { kind: 'account', id: 'E-AMS' }],
      ['ENT-NOORD', { kind: 'enterprise', id: 'ENT-NOORD' }],
      ['operator', { kind: 'operator' }],
    ] as const)
      tokens[name] = (await createToken(database, scope, name, NOW)).token;
    app = await buildPortal({ database });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await test?.drop();
  });

  const get = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  /** Every endpoint of one account (or enterprise), and who may see it. */
  const invoiceOf = async (account: string) =>
    (await test.database.db.selectFrom('invoice').select('number').where('account_id', '=', account).executeTakeFirstOrThrow()).number;
  const endpoints = async (): Promise<{ url: string; allowed: string[] }[]> => {
    const list: { url: string; allowed: string[] }[] = [];
    for (const [account, allowed] of [
      ['R-1001', ['R-1001', 'operator']],
      ['R-1002', ['R-1002', 'operator']],
      ['E-AMS', ['E-AMS', 'ENT-NOORD', 'operator']],
      ['E-RTM', ['ENT-NOORD', 'operator']],
    ] as const) {
      const invoice = await invoiceOf(account);
      for (const path of [
        'calls?period=2026-10',
        'calls.csv?period=2026-10',
        'summary?period=2026-10',
        'invoices',
        `invoices/${invoice}.json`,
        `invoices/${invoice}.html`,
        `invoices/${invoice}.pdf`,
      ])
        list.push({ url: `/api/accounts/${account}/${path}`, allowed: [...allowed] });
    }
    list.push({ url: '/api/enterprises/ENT-NOORD/summary?period=2026-10', allowed: ['ENT-NOORD', 'operator'] });
    return list;
  };

  it('refuses every endpoint to every other tenant and to no token, leaking nothing', async () => {
    const missing = await get('/api/accounts/NOPE-404/calls?period=2026-10', tokens.operator);
    expect(missing.statusCode).toBe(404);
    for (const { url, allowed } of await endpoints()) {
      for (const [name, token] of Object.entries(tokens)) {
        const response = await get(url, token);
        if (allowed.includes(name)) expect(response.statusCode, `${name} ${url}`).toBe(200);
        else {
          expect(response.statusCode, `${name} ${url}`).toBe(404);
          expect(response.body, `${name} ${url}`).toBe(missing.body);
          expect(response.headers['content-type']).toBe(missing.headers['content-type']);
        }
      }
      for (const bad of [undefined, 'cdrb_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'garbage']) {
        const response = await get(url, bad);
        expect(response.statusCode, `${bad} ${url}`).toBe(401);
        expect(response.body).not.toMatch(/R-10|E-AMS|E-RTM|invoice/);
      }
    }
    // a tenant cannot tell another tenant's invoice from a missing one
    const other = await invoiceOf('R-1002');
    expect((await get(`/api/accounts/R-1001/invoices/${other}.json`, tokens['R-1001'])).body).toBe(missing.body);
    expect((await get('/api/enterprises/ENT-OTHER/summary?period=2026-10', tokens['ENT-NOORD'])).body).toBe(missing.body);
  }, 120_000);

  it('answers bad input with 400 and a message naming it', async () => {
    const token = tokens['R-1002'];
    for (const [query, message] of [
      ['period=2026-13', /^period: expected a month, YYYY-MM \(Europe\/Amsterdam\), not "2026-13"$/],
      ['from=1.10.2026&to=2026-10-31', /^from: expected the first day, YYYY-MM-DD/],
      ['from=2026-02-30&to=2026-03-01', /from: 2026-02-30 is not a calendar date/],
      ['from=2026-10-10&to=2026-10-01', /before from/],
      ['period=2026-10&limit=5000', /^limit: expected a whole number from 1 to 500, not "5000"$/],
      ['period=2026-10&number=abc', /^number: expected up to 16 digits/],
      ['period=2026-10&cursor=nonsense', /cursor/],
      ['period=2026-10&category=premium', /^category: expected one of local, national, mobile, .*, not "premium"$/],
      ['', /^give period \(a month, YYYY-MM\), or from and to \(days, YYYY-MM-DD\)$/],
    ] as const) {
      const response = await get(`/api/accounts/R-1002/calls?${query}`, token);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error, query).toMatch(message);
    }
  });

  it('pages by a stable cursor: every call once, in order, totals for the whole filtered set', async () => {
    const token = tokens['R-1002'];
    const all = (await get('/api/accounts/R-1002/calls?period=2026-10&limit=500', token)).json();
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { calls: unknown[]; totals: unknown; nextCursor: string | null } = (
        await get(`/api/accounts/R-1002/calls?period=2026-10&limit=7${cursor ? `&cursor=${cursor}` : ''}`, token)
      ).json();
      seen.push(...page.calls);
      expect(page.totals).toEqual(all.totals);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(all.calls);
    expect(pages).toBe(Math.ceil(all.calls.length / 7));
    expect(all.totals.reduce((n: number, t: { calls: number }) => n + t.calls, 0)).toBe(all.calls.length);
    const outgoing = (await get('/api/accounts/R-1002/calls?period=2026-10&direction=outgoing&category=mobile', token)).json();
    expect(outgoing.calls.every((c: { direction: string; category: string }) => c.direction === 'outgoing' && c.category === 'mobile')).toBe(true);
    expect(outgoing.totals.map((t: { category: string }) => t.category)).toEqual(['mobile']);
    const csv = (await get('/api/accounts/R-1002/calls.csv?period=2026-10', token)).body.trim().split('\n');
    expect(csv).toHaveLength(all.calls.length + 1);
    // a page of two accounts' calls (the same statement, each call's account read with it) holds each one's calls
    const october = { period: { year: 2026, month: 10 } };
    const one = (id: string) => callHistoryPageWithTotals(test.database, { accountIds: [id], range: october }, undefined, 500);
    const both = await callHistoryPageWithTotals(test.database, { accountIds: ['R-1001', 'R-1002'], range: october }, undefined, 500);
    const [r1001, r1002] = [await one('R-1001'), await one('R-1002')];
    expect(r1001.calls.length).toBeGreaterThan(0);
    expect(both.calls.filter((c) => c.account === 'R-1001')).toEqual(r1001.calls);
    expect(both.calls.filter((c) => c.account === 'R-1002')).toEqual(r1002.calls);
    expect(both.calls).toHaveLength(r1001.calls.length + r1002.calls.length);
  });

  it('gives per-user summaries for an enterprise across its groups, the current month too', async () => {
    const summary = (await get('/api/enterprises/ENT-NOORD/summary?period=2026-10', tokens['ENT-NOORD'])).json();
    expect(summary.accounts).toEqual(['E-AMS', 'E-RTM']);
    expect(new Set(summary.users.map((u: { group: string }) => u.group))).toEqual(new Set(['Vestiging Amsterdam', 'Vestiging Rotterdam']));
    // the current month, before any call: every user, at zero
    const current = await get('/api/accounts/E-AMS/summary?period=2026-11', tokens['E-AMS']);
    expect(current.statusCode).toBe(200);
    const october = summary.users.filter((u: { account: string }) => u.account === 'E-AMS');
    expect(current.json().users.map((u: { line: string }) => u.line)).toEqual(october.map((u: { line: string }) => u.line));
    expect(
      current
        .json()
        .users.every((u: { calls: number; charged: string; byCategory: unknown[] }) => u.calls === 0 && u.charged === '0.00' && u.byCategory.length === 0),
    ).toBe(true);
  });

  it("shows a user's bundle, whole, before its first call", async () => {
    const { users } = (await get('/api/accounts/B-2/summary?period=2026-11', tokens.operator)).json();
    expect(
      users.map((u: { user: string; bundle: string | null; bundleSecondsUsed: number; bundleSecondsLeft: number | null }) => [
        u.user,
        u.bundle,
        u.bundleSecondsUsed,
        u.bundleSecondsLeft,
      ]),
    ).toEqual([
      ['Anna Kok', null, 0, null],
      ['Bas Kok', 'nl-150', 0, 9000],
    ]);
  });

  it('refuses a revoked token (at once without the scope cache)', async () => {
    const uncached = await buildPortal({ database: test.database, tokenCacheMs: 0 });
    try {
      const created = await createToken(test.database, { kind: 'account', id: 'R-1001' }, 'to revoke', NOW);
      const url = '/api/accounts/R-1001/invoices';
      const headers = { authorization: `Bearer ${created.token}` };
      expect((await uncached.inject({ method: 'GET', url, headers })).statusCode).toBe(200);
      await revoke(test.database, created.id, NOW);
      expect((await uncached.inject({ method: 'GET', url, headers })).statusCode).toBe(401);
      await expect(revoke(test.database, created.id, NOW)).rejects.toThrow(/no live token/);
    } finally {
      await uncached.close();
    }
  });

  it('serves its OpenAPI document and the page', async () => {
    const openapi = (await get('/openapi.json')).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/accounts/{account}/calls', '/api/enterprises/{enterprise}/summary']));
    expect((await get('/')).body).toMatch(/<title>Mijn gesprekken<\/title>/);
  });
});

describe(`history totals against the invoices (${TEST_BACKEND})`, () => {
  it('equal the usage lines of every golden case, per account, month and category', async () => {
    for (const name of goldenCases()) {
      await runCase(join(CASES, name), undefined, async (database, docs) => {
        const all = [...docs.values()];
        const replaced = new Set(all.filter((d): d is Invoice => d.kind === 'corrective').map((d) => d.corrects));
        const billed = new Map<string, Decimal>();
        for (const doc of all.filter((d): d is Invoice => (d.kind as string) !== 'credit_note' && !replaced.has(d.number))) {
          for (const line of doc.lines.filter((l) => l.type === 'usage'))
            billed.set(
              `${doc.account.id}|${line.period}|${line.category}`,
              (billed.get(`${doc.account.id}|${line.period}|${line.category}`) ?? new Decimal(0)).add(line.amount),
            );
        }
        expect(await callTotalsDrift(database), name).toEqual([]);
        const keys = [...new Set([...billed.keys()].map((k) => k.split('|').slice(0, 2).join('|')))];
        expect(keys.length, name).toBeGreaterThan(0);
        for (const key of keys) {
          const [account, period] = key.split('|') as [string, string];
          const totals = await callHistoryTotals(database, { accountIds: [account], range: { period: parsePeriod(period)! } });
          for (const t of totals.filter((t) => t.category !== 'incoming')) {
            expect(t.charged, `${name} ${key} ${t.category}`).toBe(billed.get(`${key}|${t.category}`)?.toFixed(2));
          }
          // the month's days give the same totals, summed from the calls rather than read from call_total
          const range = { period: parsePeriod(period)! };
          const lastDay = new Date(periodEnd(range.period).getTime() - 1).toISOString().slice(0, 10);
          const days = await callHistoryTotals(database, { accountIds: [account], range: { fromDate: `${period}-01`, toDate: lastDay } });
          expect(days, `${name} ${key} by days`).toEqual(totals);
          // the per-user summaries add up to the same calls and seconds, and cover what the calls say
          const users = await userSummaries(database, { accountIds: [account], range });
          for (const t of totals) {
            const rows = users.flatMap((u) => u.byCategory.filter((c) => c.category === t.category));
            expect(
              rows.reduce((n, c) => n + c.calls, 0),
              `${name} ${key} ${t.category} calls`,
            ).toBe(t.calls);
            expect(
              rows.reduce((n, c) => n + c.seconds, 0),
              `${name} ${key} ${t.category} seconds`,
            ).toBe(t.seconds);
          }
          const covered = await sql<{ line: string; unlimited: number; bundle: number }>`
            SELECT line, coalesce(sum(covered_seconds) FILTER (WHERE allowance = 'unlimited'), 0)::int AS unlimited,
                   coalesce(sum(covered_seconds) FILTER (WHERE allowance LIKE 'bundle:%'), 0)::int AS bundle
            FROM rated_call WHERE account_id = ${account} AND started_at >= ${periodStart(range.period)} AND started_at < ${periodEnd(range.period)}
            GROUP BY line`.execute(database.db);
          expect(
            users
              .filter((u) => u.calls > 0)
              .map((u) => ({ line: u.line, unlimited: u.unlimitedSeconds, bundle: u.bundleSecondsUsed }))
              .sort((a, b) => a.line.localeCompare(b.line)),
            `${name} ${key} covered`,
          ).toEqual(covered.rows.sort((a, b) => a.line.localeCompare(b.line)));
        }
      });
    }
  }, 240_000);
});
