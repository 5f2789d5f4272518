/**
 * Totals of the call history per account, Amsterdam month, category, direction and answered
 * (call_total, 0015): what the portal shows beside each page of a month's calls, read from a few
 * rows. Every statement that writes calls adds what it changed, in its own transaction: an ingest the
 * calls it stored, bundle allocation and a rerate the difference they made to charge and list price.
 * Rows are taken in key order, whoever writes, so that concurrent writers cannot deadlock.
 */
import { sql, type RawBuilder } from 'kysely';
import { CopyBinaryWriter } from './copy-binary-writer.js';
import type { Session } from './database.js';

/** Rows are taken in this order by every writer (bytewise: the keys' collation), so that concurrent writers cannot deadlock. */
const KEY_ORDER = sql.raw('ORDER BY 1, 2, 3, 4, 5');
const ADD_ON_CONFLICT = sql.raw(`ON CONFLICT (account_id, period, category, direction, answered) DO UPDATE SET
      calls = t.calls + excluded.calls, seconds = t.seconds + excluded.seconds,
      list_price_ticks = t.list_price_ticks + excluded.list_price_ticks, charged_ticks = t.charged_ticks + excluded.charged_ticks`);

/**
 * A statement adding what `rows` changed to the totals: a parenthesized subquery with the calls'
 * account_id, started_at, category (null for incoming calls), direction and answered, and per call
 * the calls, seconds, list_price_ticks and charged_ticks to add (1 and the call's own for a call
 * stored, −1 and its negation for one taken back, 0 and a difference for a repriced one). Usable as a
 * data-modifying CTE.
 */
export function addToCallTotals(rows: RawBuilder<unknown>) {
  return sql`
    INSERT INTO call_total AS t (account_id, period, category, direction, answered, calls, seconds, list_price_ticks, charged_ticks)
    SELECT d.account_id COLLATE "C", to_char(d.started_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM') COLLATE "C",
           coalesce(d.category, 'incoming') COLLATE "C", d.direction COLLATE "C", d.answered,
           sum(d.calls), sum(d.seconds), sum(d.list_price_ticks), sum(d.charged_ticks)
    FROM ${rows} d GROUP BY 1, 2, 3, 4, 5 ${KEY_ORDER}
    ${ADD_ON_CONFLICT}`;
}

/**
 * Sums of a file's (or a transaction's) calls as call_total COPY rows (plain data: they cross from a
 * rating thread, their bytes transferred). As bytes rather than columns of values: ~100,000 rows for
 * a large file, which as array parameters of an INSERT made the driver build a text per value.
 */
export interface CallTotalRows {
  readonly count: number;
  /** call_total's columns (TOTAL_COLUMNS), in PostgreSQL's binary COPY format */
  readonly copy: Uint8Array;
}

const TOTAL_COLUMNS = ['account_id', 'period', 'category', 'direction', 'answered', 'calls', 'seconds', 'list_price_ticks', 'charged_ticks'] as const;

interface Sums {
  /** (period, category, direction, answered) as a small number */
  readonly key: number;
  readonly accountId: string;
  readonly period: string;
  readonly category: string;
  readonly direction: string;
  readonly answered: boolean;
  calls: number;
  seconds: number;
  listPriceTicks: number;
  chargedTicks: number;
}

/**
 * Sums calls by call_total's key as they are rated. Ticks add up as numbers (as rating computes
 * them); a sum past 2^53 (€150 million of one account's month and category) is refused, not rounded.
 */
export class CallTotalSums {
  /** by account, then by a small number for (period, category, direction, answered): no key text built per call */
  private readonly sums = new Map<string, Sums[]>();
  private readonly codes = new Map<string, number>();

  /** A small number per period or category text seen. */
  private code(text: string): number {
    let code = this.codes.get(text);
    if (code === undefined) {
      code = this.codes.size;
      this.codes.set(text, code);
    }
    return code;
  }

  add(
    accountId: string,
    period: string,
    category: string,
    direction: string,
    answered: boolean,
    seconds: number,
    listPriceTicks: number,
    chargedTicks: number,
  ): void {
    let ofAccount = this.sums.get(accountId);
    if (ofAccount === undefined) {
      ofAccount = [];
      this.sums.set(accountId, ofAccount);
    }
    const key = ((this.code(period) * 1024 + this.code(category)) * 2 + (direction === 'outgoing' ? 1 : 0)) * 2 + (answered ? 1 : 0);
    // an account has a few keys in a file: a short list is cheaper than a map
    for (const s of ofAccount) {
      if (s.key === key) {
        s.calls++;
        s.seconds += seconds;
        s.listPriceTicks += listPriceTicks;
        s.chargedTicks += chargedTicks;
        return;
      }
    }
    ofAccount.push({ key, accountId, period, category, direction, answered, calls: 1, seconds, listPriceTicks, chargedTicks });
  }

  rows(): CallTotalRows {
    const out = new CopyBinaryWriter(TOTAL_COLUMNS.length, 1 << 16);
    for (const ofAccount of this.sums.values()) {
      for (const s of ofAccount) {
        if (!Number.isSafeInteger(s.listPriceTicks) || !Number.isSafeInteger(s.chargedTicks) || !Number.isSafeInteger(s.seconds)) {
          throw new Error(`call totals of ${s.accountId} ${s.period} ${s.category} exceed exact number arithmetic`);
        }
        out
          .text(s.accountId)
          .text(s.period)
          .text(s.category)
          .text(s.direction)
          .bool(s.answered)
          .int8(s.calls)
          .int8(s.seconds)
          .int8(s.listPriceTicks)
          .int8(s.chargedTicks)
          .endRow();
      }
    }
    return { count: out.rows, copy: out.finish() };
  }
}

/** Adds sums of calls stored as they were rated (once per transaction: each key's row is written once). */
export async function addCallTotals(session: Session, rows: CallTotalRows): Promise<void> {
  if (rows.count === 0) return;
  await sql.raw('CREATE TEMP TABLE IF NOT EXISTS call_total_stage (LIKE call_total) ON COMMIT DELETE ROWS').execute(session.db);
  await sql.raw('TRUNCATE call_total_stage').execute(session.db);
  await session.copyFrom('call_total_stage', TOTAL_COLUMNS, rows.copy, 'binary');
  // one row per key already: added without grouping, in the key order every writer takes
  const added = await sql<{ emptied: number }>`
    WITH added AS (
      INSERT INTO call_total AS t
      SELECT * FROM call_total_stage ${KEY_ORDER} ${ADD_ON_CONFLICT}
      RETURNING calls
    )
    SELECT count(*)::int AS emptied FROM added WHERE calls = 0`.execute(session.db);
  // a key whose calls were all duplicates (taken back when they were not stored) comes to zero calls: no row is kept for it
  if (added.rows[0]!.emptied > 0) {
    await sql`DELETE FROM call_total WHERE calls = 0 AND account_id IN (SELECT account_id FROM call_total_stage)`.execute(session.db);
  }
}
