/**
 * The customer portal: an HTTP JSON API (fastify, its OpenAPI document at /openapi.json) over the
 * same queries as `cdrbill calls` and `cdrbill summary`, and a small web page (no build step) at /.
 * Every /api request carries a bearer token; whatever lies outside the token's scope answers 404,
 * exactly as a missing resource does, and a missing or bad token 401. Request input is validated
 * (400 with a message) and reaches SQL only as parameters.
 */
import { Readable } from 'node:stream';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifySchemaValidationError } from 'fastify';
import type { CreditNote } from '../billing/build-credit-note.js';
import type { Invoice } from '../billing/build-invoice.js';
import { renderInvoiceHtml } from '../billing/render-invoice.js';
import { renderInvoicePdf } from '../billing/render-invoice-pdf.js';
import { csvRow } from '../domain/csv.js';
import { buildUbl, ublObstacle } from '../exports/ubl.js';
import {
  CATEGORIES,
  callHistoryBatches,
  callHistoryPageWithTotals,
  historyQueryOf,
  MAX_PAGE_SIZE,
  userSummaries,
  type CallRecord,
  type HistoryRequest,
} from '../pipeline/call-history.js';
import { InputError } from '../pipeline/input-error.js';
import { authenticate, canSeeAccount, canSeeEnterprise, type TokenScope } from '../pipeline/tokens.js';
import { loadAccounts } from '../store/customer-store.js';
import { findByNumber, invoicesOfAccount } from '../store/invoice-store.js';
import { enterpriseAccounts } from '../store/history-store.js';
import type { Database } from '../store/database.js';

import { PAGE } from './page.js';

const ID = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'an id: letters, digits, dots, dashes and underscores' } as const;
const RANGE = {
  period: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'a month, YYYY-MM (Europe/Amsterdam)' },
  from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the first day, YYYY-MM-DD (with to, instead of period)' },
  to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the last day, YYYY-MM-DD (inclusive)' },
} as const;
const FILTERS = {
  ...RANGE,
  category: { type: 'string', enum: CATEGORIES },
  direction: { type: 'string', enum: ['outgoing', 'incoming'] },
  answered: { type: 'string', enum: ['true', 'false'] },
  number: { type: 'string', pattern: '^\\+?[0-9]{1,16}$', description: 'up to 16 digits (a leading + allowed) that the from or to number contains' },
} as const;

type RangeQuery = Pick<HistoryRequest, 'period' | 'from' | 'to'>;
type FilterQuery = HistoryRequest;

class NotFound extends Error {}

/**
 * A request that fails its schema, as a person reads it: the field, what was expected (the field's
 * description, its allowed values or range) and what was given (ajv's own words name a regular
 * expression instead).
 */
function invalidInput(errors: FastifySchemaValidationError[], part: string): Error {
  const error = errors[0] as FastifySchemaValidationError & { parentSchema?: Record<string, unknown>; data?: unknown };
  const field = error.instancePath.replace(/^\//, '') || String(error.params.missingProperty ?? part);
  const schema = error.parentSchema ?? {};
  const expected =
    error.keyword === 'required'
      ? 'a value'
      : Array.isArray(schema.enum)
        ? `one of ${schema.enum.join(', ')}`
        : schema.type === 'integer'
          ? `a whole number from ${schema.minimum ?? '…'} to ${schema.maximum ?? '…'}`
          : typeof schema.description === 'string'
            ? schema.description
            : typeof schema.maxLength === 'number'
              ? `at most ${schema.maxLength} characters`
              : (error.message ?? 'another value');
  const given = typeof error.data === 'string' || typeof error.data === 'number' ? `, not ${JSON.stringify(String(error.data).slice(0, 40))}` : '';
  return new InputError(`${field}: expected ${expected}${given}`);
}

/** A call as the portal shows it: what a customer reads (the CLI's JSON adds the dial time, tariff version and rate). */
const CALL = {
  type: 'object',
  properties: {
    date: { type: 'string', description: 'Europe/Amsterdam, the answer (or, unanswered, the dialling)' },
    time: { type: 'string' },
    line: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    durationSeconds: { type: 'integer' },
    duration: { type: 'string', description: 'h:mm:ss' },
    category: { type: 'string' },
    categoryLabel: { type: 'string' },
    direction: { type: 'string', enum: ['outgoing', 'incoming'] },
    answered: { type: 'boolean' },
    forwarded: { type: 'boolean' },
    device: { type: 'string', enum: ['fixed', 'mobile'] },
    charged: { type: 'string', description: 'euro, exact' },
    listPrice: { type: 'string', description: 'euro, exact: what the call is worth at tariff (an allowance covered the difference)' },
    allowance: { type: ['string', 'null'], description: 'unlimited or bundle:<id>' },
  },
} as const;
/** The CSV download's columns: the same as the JSON page's. */
const CALL_FIELDS = Object.keys(CALL.properties) as (keyof typeof CALL.properties & keyof CallRecord)[];
const TOTAL = {
  type: 'object',
  properties: {
    category: { type: 'string' },
    label: { type: 'string' },
    calls: { type: 'integer' },
    seconds: { type: 'integer' },
    duration: { type: 'string' },
    listPrice: { type: 'string' },
    charged: { type: 'string', description: 'euro, rounded to cents as on the invoice' },
  },
} as const;
const CALLS_PAGE = {
  type: 'object',
  properties: {
    account: { type: 'string' },
    calls: { type: 'array', items: CALL },
    nextCursor: { type: ['string', 'null'] },
    totals: { type: 'array', items: TOTAL },
  },
} as const;

export interface PortalOptions {
  readonly database: Database;
  /** log requests (pino, fastify's own) */
  readonly logger?: boolean;
  /** how long a token's scope is remembered (default 5 s: a revocation takes effect within it; 0 asks the database every time) */
  readonly tokenCacheMs?: number;
}

/** Token scopes remembered for a few seconds, so that a page costs no extra round trip to check its token. */
function scopeCache(database: Database, ttlMs: number): (token: string) => Promise<TokenScope | undefined> {
  const cache = new Map<string, { scope: TokenScope | undefined; until: number }>();
  return async (token) => {
    const now = Date.now();
    const hit = cache.get(token);
    if (hit && hit.until > now) return hit.scope;
    const scope = await authenticate(database, token);
    if (ttlMs > 0) {
      if (cache.size >= 10_000) cache.clear();
      cache.set(token, { scope, until: now + ttlMs });
    }
    return scope;
  };
}

/** The portal as a fastify app (not yet listening). */
export async function buildPortal(options: PortalOptions): Promise<FastifyInstance> {
  const { database } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    // verbose: a failed check carries its schema and the value, for invalidInput's message
    ajv: { customOptions: { removeAdditional: false, allErrors: false, verbose: true } },
    schemaErrorFormatter: invalidInput,
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'cdrbill portal', version: '1', description: 'Call history, per-user summaries and invoices. Bearer token: cdrbill token create.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  const scopeOfToken = scopeCache(database, options.tokenCacheMs ?? 5_000);
  app.decorateRequest('scope', null);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.url.startsWith('/api/')) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    const scope = match ? await scopeOfToken(match[1]!) : undefined;
    if (!scope) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a valid bearer token is needed (cdrbill token create)' });
    (request as FastifyRequest & { scope: TokenScope }).scope = scope;
  });
  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number }, _request, reply) => {
    if (error instanceof NotFound) return reply.code(404).send({ error: 'not found' });
    if (error.validation || error instanceof InputError) return reply.code(400).send({ error: error.message });
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
    app.log.error(error);
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));

  const scopeOf = (request: FastifyRequest) => (request as FastifyRequest & { scope: TokenScope }).scope;
  /** The account, if the token may see it; else 404, the same as for an account that does not exist. */
  const visibleAccount = async (request: FastifyRequest, account: string): Promise<string> => {
    const scope = scopeOf(request);
    if (!(await canSeeAccount(database, scope, account))) throw new NotFound();
    // an account token names an account that existed when it was made (accounts are never deleted)
    if (scope.kind !== 'account' && (await loadAccounts(database, [account])).length === 0) throw new NotFound();
    return account;
  };

  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/api/me',
    { schema: { description: 'what this token may see', response: { 200: { type: 'object', additionalProperties: true } } } },
    async (request) => {
      const scope = scopeOf(request);
      const accounts = scope.kind === 'account' ? [scope.id] : scope.kind === 'enterprise' ? await enterpriseAccounts(database.db, scope.id) : null;
      return { scope: scope.kind, ...(scope.kind === 'operator' ? {} : { id: scope.id }), accounts };
    },
  );

  const accountParams = { type: 'object', required: ['account'], properties: { account: ID } } as const;
  app.get<{ Params: { account: string }; Querystring: FilterQuery & { cursor?: string; limit?: number } }>(
    '/api/accounts/:account/calls',
    {
      schema: {
        description: 'a page of the call history (oldest first) with totals per category for the whole filtered set',
        params: accountParams,
        querystring: {
          type: 'object',
          properties: {
            ...FILTERS,
            cursor: { type: 'string', maxLength: 400, description: 'nextCursor of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 100 },
          },
        },
        response: { 200: CALLS_PAGE },
      },
    },
    async (request) => {
      const account = await visibleAccount(request, request.params.account);
      const query = historyQueryOf([account], request.query);
      return { account, ...(await callHistoryPageWithTotals(database, query, request.query.cursor, request.query.limit ?? 100)) };
    },
  );

  app.get<{ Params: { account: string }; Querystring: FilterQuery }>(
    '/api/accounts/:account/calls.csv',
    {
      schema: {
        description: 'the whole filtered call history as CSV, streamed',
        params: accountParams,
        querystring: { type: 'object', properties: FILTERS },
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const account = await visibleAccount(request, request.params.account);
      const query = historyQueryOf([account], request.query);
      async function* csv(): AsyncGenerator<string> {
        yield `${csvRow(CALL_FIELDS)}\n`;
        for await (const batch of callHistoryBatches(database, query)) {
          yield `${batch.map((c) => csvRow(CALL_FIELDS.map((f) => String(c[f] ?? '')))).join('\n')}\n`;
        }
      }
      const name = `calls-${account}-${request.query.period ?? `${request.query.from}-${request.query.to}`}.csv`;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(Readable.from(csv()));
    },
  );

  app.get<{ Params: { account: string }; Querystring: RangeQuery }>(
    '/api/accounts/:account/summary',
    {
      schema: {
        description:
          'per user (line): calls, minutes and cost per category, unlimited minutes covered, bundle minutes used and left; any period, the current one too',
        params: accountParams,
        querystring: { type: 'object', properties: RANGE },
      },
    },
    async (request) => {
      const account = await visibleAccount(request, request.params.account);
      return { account, users: await userSummaries(database, historyQueryOf([account], request.query)) };
    },
  );

  app.get<{ Params: { enterprise: string }; Querystring: RangeQuery }>(
    '/api/enterprises/:enterprise/summary',
    {
      schema: {
        description: "an enterprise administrator's view: every user of its groups",
        params: { type: 'object', required: ['enterprise'], properties: { enterprise: ID } },
        querystring: { type: 'object', properties: RANGE },
      },
    },
    async (request) => {
      const { enterprise } = request.params;
      if (!canSeeEnterprise(scopeOf(request), enterprise)) throw new NotFound();
      const accounts = await enterpriseAccounts(database.db, enterprise);
      if (accounts.length === 0) throw new NotFound();
      return { enterprise, accounts, users: await userSummaries(database, historyQueryOf(accounts, request.query)) };
    },
  );

  app.get<{ Params: { account: string } }>(
    '/api/accounts/:account/invoices',
    { schema: { description: "the account's invoices and credit notes, with their documents", params: accountParams } },
    async (request) => {
      const account = await visibleAccount(request, request.params.account);
      const rows = await invoicesOfAccount(database.db, account);
      return {
        account,
        documents: rows.map((r) => {
          const base = `/api/accounts/${account}/invoices/${r.number}`;
          const doc = JSON.parse(r.document) as Invoice | CreditNote;
          return {
            number: r.number,
            kind: r.kind,
            period: r.period,
            issueDate: r.issue_date,
            total: r.total,
            refersTo: r.refers_to,
            documents: { json: `${base}.json`, html: `${base}.html`, pdf: `${base}.pdf`, ...(ublObstacle(doc) ? {} : { ubl: `${base}.xml` }) },
          };
        }),
      };
    },
  );

  app.get<{ Params: { account: string; number: string; format: string } }>(
    '/api/accounts/:account/invoices/:number.:format',
    {
      schema: {
        description: 'one document as JSON, HTML, PDF or SI-UBL XML',
        params: {
          type: 'object',
          required: ['account', 'number', 'format'],
          properties: { account: ID, number: { type: 'string', pattern: '^\\d{4}-\\d{6}$' }, format: { type: 'string', enum: ['json', 'html', 'pdf', 'xml'] } },
        },
      },
    },
    async (request, reply) => {
      const account = await visibleAccount(request, request.params.account);
      const row = await findByNumber(database.db, request.params.number);
      if (!row || row.account_id !== account) throw new NotFound();
      const doc = JSON.parse(row.document) as Invoice | CreditNote;
      switch (request.params.format) {
        case 'json':
          return reply.type('application/json').send(row.document);
        case 'html':
          return reply.type('text/html; charset=utf-8').send(renderInvoiceHtml(doc));
        case 'pdf':
          return reply.type('application/pdf').send(await renderInvoicePdf(doc));
        default:
          if (ublObstacle(doc)) throw new NotFound();
          return reply.type('application/xml').send(buildUbl(doc));
      }
    },
  );
  return app;
}
