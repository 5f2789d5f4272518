/**
 * Call history as customers read it, the one set of queries behind `cdrbill calls`, `cdrbill
 * summary` and the portal: a filtered range of calls read a page at a time by a stable cursor (or
 * in batches for a CSV download), totals per category over the whole filtered set, and usage per
 * user (line) with what an unlimited plan or a bundle covered.
 */
import { CATEGORY_LABELS } from '../billing/build-invoice.js';
import { categoryLabel } from '../billing/invoice-view.js';
import { amsterdamDateTime, amsterdamMidnightUtc, formatDuration } from '../domain/amsterdam-time.js';
import { addDaysToDate, amsterdamDate, isIsoDate } from '../domain/calendar.js';
import { formatTicks } from '../domain/money.js';
import { formatPeriod, parsePeriod, periodEnd, periodStart, type Period } from '../domain/period.js';
import type { Database } from '../store/database.js';
import { bundlesOfPlans } from '../tariffs/tariff-set.js';
import {
  historyPage,
  historyPageWithTotals,
  lineUsage,
  subscribedLines,
  type CategoryTotalRow,
  type HistoryFilter,
  type HistoryKey,
  type HistoryRow,
  type LineUsageRow,
  type PageCallRow,
} from '../store/history-store.js';
import { requireAccount } from './accounts.js';
import { InputError } from './input-error.js';
import { loadStoredTariffs } from './load-tariffs.js';

export interface CallRecord {
  readonly account: string;
  /** Amsterdam date and time of the answer (of the setup for an unanswered attempt) */
  readonly date: string;
  readonly time: string;
  /** Amsterdam time the call was dialled, when the switch said */
  readonly setupTime: string | null;
  readonly line: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly answered: boolean;
  readonly forwarded: boolean;
  readonly forwardedFrom: string | null;
  readonly device: 'fixed' | 'mobile';
  readonly durationSeconds: number;
  /** h:mm:ss */
  readonly duration: string;
  readonly category: string;
  /** the category's Dutch name */
  readonly categoryLabel: string;
  /** euro, exact (up to 6 decimals) */
  readonly listPrice: string;
  readonly charged: string;
  readonly allowance: string | null;
  readonly tariffVersion: string;
  readonly rate: string;
}

/** A call as a portal page shows it (the CSV download and the command line show all of CallRecord). */
export type PageCall = Pick<
  CallRecord,
  | 'account'
  | 'date'
  | 'time'
  | 'line'
  | 'from'
  | 'to'
  | 'direction'
  | 'answered'
  | 'forwarded'
  | 'device'
  | 'durationSeconds'
  | 'duration'
  | 'category'
  | 'categoryLabel'
  | 'listPrice'
  | 'charged'
  | 'allowance'
>;

export interface CategoryTotal {
  readonly category: string;
  readonly label: string;
  readonly calls: number;
  readonly seconds: number;
  readonly duration: string;
  readonly listPrice: string;
  /** euro, rounded to cents as the invoice's usage line */
  readonly charged: string;
}

/** Which calls: accounts, a period or date range, and optional filters. */
export interface HistoryQuery {
  readonly accountIds: readonly string[];
  readonly range: { readonly period: Period } | { readonly fromDate: string; readonly toDate: string };
  readonly category?: string | undefined;
  readonly direction?: 'outgoing' | 'incoming' | undefined;
  readonly answered?: boolean | undefined;
  readonly number?: string | undefined;
  readonly lines?: readonly string[] | undefined;
}

/** The categories a history can be filtered by (the invoice's usage lines' own). */
export const CATEGORIES = Object.keys(CATEGORY_LABELS);

/**
 * A query's range from what a person gave: a month (YYYY-MM), or a first and last day (YYYY-MM-DD,
 * inclusive); anything else an input error saying what to give, each field as `name` calls it (the
 * portal's query parameter, the command line's option).
 */
function historyRange(
  given: { readonly period?: string | undefined; readonly from?: string | undefined; readonly to?: string | undefined },
  name: (field: 'period' | 'from' | 'to') => string = (field) => field,
): HistoryQuery['range'] {
  if (given.period !== undefined) {
    if (given.from !== undefined || given.to !== undefined) throw new InputError(`${name('period')} or ${name('from')}/${name('to')}, not both`);
    const period = parsePeriod(given.period);
    if (!period) throw new InputError(`${name('period')}: expected a month, YYYY-MM, not "${given.period}"`);
    return { period };
  }
  if (given.from === undefined || given.to === undefined) {
    throw new InputError(`give ${name('period')} (a month, YYYY-MM), or ${name('from')} and ${name('to')} (days, YYYY-MM-DD)`);
  }
  for (const field of ['from', 'to'] as const) {
    if (!isIsoDate(given[field]!)) throw new InputError(`${name(field)}: ${given[field]} is not a calendar date`);
  }
  if (given.to < given.from) throw new InputError(`${name('to')} ${given.to} is before ${name('from')} ${given.from}`);
  return { fromDate: given.from, toDate: given.to };
}

/** A history as a person asks for it (the portal's query parameters, the command line's options), as text. */
export interface HistoryRequest {
  readonly period?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly category?: string | undefined;
  readonly direction?: 'outgoing' | 'incoming' | undefined;
  readonly answered?: 'true' | 'false' | undefined;
  readonly number?: string | undefined;
}

/** The query of `accountIds` that `request` asks for (its range as historyRange reads it, names included). */
export function historyQueryOf<A extends readonly string[]>(
  accountIds: A,
  request: HistoryRequest,
  name?: (field: 'period' | 'from' | 'to') => string,
): HistoryQuery & { readonly accountIds: A } {
  return {
    accountIds,
    range: historyRange(request, name),
    category: request.category,
    direction: request.direction,
    answered: request.answered === undefined ? undefined : request.answered === 'true',
    number: request.number,
  };
}

function dateParts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y!, m!, d!];
}

function toFilter(query: HistoryQuery): HistoryFilter {
  const { range } = query;
  const [from, to] =
    'period' in range
      ? [periodStart(range.period), periodEnd(range.period)]
      : [amsterdamMidnightUtc(...dateParts(range.fromDate)), amsterdamMidnightUtc(...dateParts(addDaysToDate(range.toDate, 1)))];
  return {
    accountIds: query.accountIds,
    from,
    to,
    period: 'period' in range ? formatPeriod(range.period) : undefined,
    category: query.category,
    direction: query.direction,
    answered: query.answered,
    number: query.number,
    lines: query.lines,
  };
}

/** A call with all it has to show (the command line, the CSV download): what a page shows, and the dial time, the forwarding number, tariff version and rate. */
function toRecord(c: HistoryRow): CallRecord {
  return {
    ...toPageCall({
      account_id: c.account_id,
      started_at: c.started_at,
      source: c.source,
      record_id: c.record_id,
      line: c.line,
      calling_number: c.calling_number,
      to: c.to,
      answered: c.answered,
      forwarded: c.forwarded_from !== null,
      answered_seconds: c.answered_seconds,
      list_price_ticks: c.list_price_ticks,
      charged_ticks: c.charged_ticks,
      category: c.category,
      direction: c.direction,
      device: c.device,
      allowance: c.allowance,
    }),
    setupTime: c.setup_at ? amsterdamDateTime(c.setup_at.getTime()).time : null,
    forwardedFrom: c.forwarded_from,
    tariffVersion: c.tariff_version,
    rate: c.rate_match,
  };
}

/** What a call shows, from a page's row or from a stored call (its amounts then as the database's text) */
type ShownCallRow = Omit<PageCallRow, 'list_price_ticks' | 'charged_ticks'> & {
  readonly list_price_ticks: number | string;
  readonly charged_ticks: number | string;
};

function toPageCall(c: ShownCallRow): PageCall {
  const at = amsterdamDateTime(c.started_at.getTime());
  const category = c.category ?? 'incoming';
  return {
    account: c.account_id,
    date: at.date,
    time: at.time,
    line: c.line,
    from: c.calling_number,
    to: c.to,
    direction: c.direction,
    answered: c.answered,
    forwarded: c.forwarded,
    device: c.device,
    durationSeconds: c.answered_seconds,
    duration: formatDuration(c.answered_seconds),
    category,
    categoryLabel: categoryLabel(category, 'nl'),
    listPrice: formatTicks(c.list_price_ticks),
    charged: formatTicks(c.charged_ticks),
    allowance: c.allowance,
  };
}

/** A cursor: the last call's key, opaque to the client. */
function encodeCursor(row: Pick<HistoryRow, 'started_at' | 'source' | 'record_id'>): string {
  return Buffer.from(JSON.stringify([row.started_at.toISOString(), row.source, row.record_id])).toString('base64url');
}

function decodeCursor(cursor: string): HistoryKey {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'string')) {
      const startedAt = new Date(value[0] as string);
      if (!Number.isNaN(startedAt.getTime())) return { startedAt, source: value[1] as string, recordId: value[2] as string };
    }
  } catch {
    // falls through
  }
  throw new InputError('cursor: not a cursor this server gave out (take nextCursor from the previous page)');
}

export const MAX_PAGE_SIZE = 500;

export interface HistoryPage {
  readonly calls: readonly PageCall[];
  /** pass as `cursor` for the next page; null on the last page */
  readonly nextCursor: string | null;
}

/** Every call of the query, in batches (for a download that must not hold a busy month in memory). */
export async function* callHistoryBatches(database: Database, query: HistoryQuery, batchSize = 2_000): AsyncGenerator<CallRecord[]> {
  const filter = toFilter(query);
  let after: HistoryKey | undefined;
  for (;;) {
    const rows = await historyPage(database.db, filter, after, batchSize);
    if (rows.length > 0) yield rows.map(toRecord);
    if (rows.length < batchSize) return;
    const last = rows.at(-1)!;
    after = { startedAt: last.started_at, source: last.source, recordId: last.record_id };
  }
}

/** Totals per category over the whole filtered set. */
export async function callHistoryTotals(database: Database, query: HistoryQuery): Promise<CategoryTotal[]> {
  // the portal's statement with an empty page: the same SQL whichever asks
  return toTotals((await historyPageWithTotals(database, toFilter(query), undefined, 0)).totals);
}

/** A page and the totals of the whole filtered set, read together. */
export async function callHistoryPageWithTotals(
  database: Database,
  query: HistoryQuery,
  cursor: string | undefined,
  limit: number,
): Promise<HistoryPage & { totals: CategoryTotal[] }> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const { rows, totals } = await historyPageWithTotals(database, toFilter(query), after, Math.min(limit, MAX_PAGE_SIZE) + 1);
  const page = rows.slice(0, limit);
  return { calls: page.map(toPageCall), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null, totals: toTotals(totals) };
}

function toTotals(totals: readonly CategoryTotalRow[]): CategoryTotal[] {
  const order = Object.keys(CATEGORY_LABELS);
  const rows = [...totals].sort((a, b) => order.indexOf(a.category ?? 'incoming') - order.indexOf(b.category ?? 'incoming'));
  return rows.map((r) => {
    const category = r.category ?? 'incoming';
    const seconds = Number(r.seconds);
    return {
      category,
      label: categoryLabel(category, 'nl'),
      calls: Number(r.calls),
      seconds,
      duration: formatDuration(seconds),
      listPrice: formatTicks(r.list_price_ticks, 2),
      // rounded half-up to cents, as the invoice's usage line (in integers: formatTicks)
      charged: formatTicks(r.charged_ticks, 2),
    };
  });
}

/** The calls of an account's query, oldest first; an unknown account is an input error. */
export async function callHistory(database: Database, query: HistoryQuery & { readonly accountIds: readonly [string] }): Promise<CallRecord[]> {
  await requireAccount(database, query.accountIds[0]);
  const calls: CallRecord[] = [];
  for await (const batch of callHistoryBatches(database, query)) calls.push(...batch);
  return calls;
}

export interface UserSummary {
  readonly account: string;
  readonly line: string;
  readonly user: string | null;
  readonly group: string | null;
  readonly calls: number;
  readonly seconds: number;
  readonly duration: string;
  readonly charged: string;
  readonly byCategory: readonly {
    readonly category: string;
    readonly label: string;
    readonly calls: number;
    readonly seconds: number;
    readonly charged: string;
  }[];
  /** seconds an unlimited plan covered */
  readonly unlimitedSeconds: number;
  /** the bundle used, its seconds used and left (of one month's bundle), when the line has one */
  readonly bundle: string | null;
  readonly bundleSecondsUsed: number;
  readonly bundleSecondsLeft: number | null;
}

/**
 * Usage per user (line) of accounts in a period or range, the current month too (nothing needs to be
 * invoiced): every line subscribed in the range, those without a call too (with the whole bundle of
 * its plan left), and any other line that calls were billed to.
 */
export async function userSummaries(database: Database, query: HistoryQuery): Promise<UserSummary[]> {
  const filter = toFilter(query);
  const [rows, lines, tariffs] = await Promise.all([
    lineUsage(database.db, filter),
    subscribedLines(database.db, filter.accountIds, amsterdamDate(filter.from), amsterdamDate(filter.to)),
    loadStoredTariffs(database),
  ]);
  const key = (r: { account_id: string; line: string }) => `${r.account_id}|${r.line}`;
  const usage = new Map<string, LineUsageRow[]>();
  for (const r of rows) {
    const list = usage.get(key(r));
    if (list) list.push(r);
    else usage.set(key(r), [r]);
  }
  const subscribed = new Map(lines.map((l) => [key(l), l]));
  const keys = [...new Set([...subscribed.keys(), ...usage.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => {
    const list = usage.get(k) ?? [];
    const line = subscribed.get(k);
    const first = line ?? list[0]!;
    const seconds = list.reduce((n, r) => n + Number(r.seconds), 0);
    const charged = list.reduce((n, r) => n + BigInt(r.charged_ticks), 0n);
    // the bundle the calls drew on, else the one the line's plans give
    const used = list.find((r) => r.bundle)?.bundle?.slice('bundle:'.length);
    const bundle = used ?? bundlesOfPlans(tariffs, line?.plan_ids ?? [], filter.from.getTime(), filter.to.getTime())[0]?.id ?? null;
    const bundleSecondsUsed = list.reduce((n, r) => n + Number(r.bundle_seconds), 0);
    const size = bundle ? tariffs.bundles.get(bundle)?.minutes : undefined;
    return {
      account: first.account_id,
      line: first.line,
      user: line?.user_name ?? null,
      group: line?.pbx_name ?? null,
      calls: list.reduce((n, r) => n + Number(r.calls), 0),
      seconds,
      duration: formatDuration(seconds),
      charged: formatTicks(charged, 2),
      byCategory: list.map((r) => ({
        category: r.category ?? 'incoming',
        label: categoryLabel(r.category ?? 'incoming', 'nl'),
        calls: Number(r.calls),
        seconds: Number(r.seconds),
        // rounded half-up to cents, as the invoice's usage line (in integers: formatTicks)
        charged: formatTicks(r.charged_ticks, 2),
      })),
      unlimitedSeconds: list.reduce((n, r) => n + Number(r.unlimited_seconds), 0),
      bundle,
      bundleSecondsUsed,
      bundleSecondsLeft: size === undefined ? null : Math.max(0, size * 60 - bundleSecondsUsed),
    };
  });
}
