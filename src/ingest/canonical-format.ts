/**
 * The canonical CDR CSV: cdrbill's own format, and the one every switch format maps to.
 *
 * A header row with these columns (in this order), then one call per row:
 *
 * | column           | example                     | meaning                                               |
 * |------------------|-----------------------------|-------------------------------------------------------|
 * | record_id        | `c-000123`                  | unique per source; repeats are duplicates              |
 * | started_at       | `2026-10-05T09:14:03+02:00` | the answer (the setup if unanswered), ISO 8601 + zone  |
 * | answered_seconds | `125`                       | empty = not answered; `0` = answered, hung up at once  |
 * | calling_number   | `+31201234567`              | the A-number                                           |
 * | called_number    | `0612345678`                | the B-number as dialled (national, 00…, +…, short)     |
 * | direction        | `outgoing`                  | `outgoing` or `incoming`                               |
 * | billed_line      | `+31201234567`              | E.164 of the customer's line the call is billed to     |
 * | device           | `fixed`                     | `fixed` or `mobile`; empty = fixed                     |
 * | forwarded_from   | `+31201234567`              | for a forwarded leg: the forwarding line; else empty   |
 */
import type { Cdr, ReadResult } from '../domain/cdr.js';
import { isRealDay } from '../domain/zoned-time.js';

export const CANONICAL_COLUMNS = [
  'record_id',
  'started_at',
  'answered_seconds',
  'calling_number',
  'called_number',
  'direction',
  'billed_line',
  'device',
  'forwarded_from',
] as const;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** Checks a header row; returns a message when it is not the canonical header. */
export function checkCanonicalHeader(fields: readonly string[]): string | undefined {
  const names = fields.map((f) => f.trim().toLowerCase());
  if (names.length === CANONICAL_COLUMNS.length && names.every((n, i) => n === CANONICAL_COLUMNS[i])) return undefined;
  return `expected the header ${CANONICAL_COLUMNS.join(',')}`;
}

/** Maps one data row of a canonical file to a Cdr, or a reject with a reason. */
export function readCanonicalRow(fields: readonly string[], source: string): ReadResult {
  if (fields.length !== CANONICAL_COLUMNS.length) {
    return { kind: 'reject', reason: 'wrong_column_count', detail: `expected ${CANONICAL_COLUMNS.length} columns, got ${fields.length}` };
  }
  const [recordId, startedAt, answeredSeconds, calling, called, direction, billedLine, device, forwardedFrom] = fields.map((f) =>
    f.trim(),
  ) as unknown as string[] & { length: 9 };
  if (!recordId) return { kind: 'reject', reason: 'missing_field', detail: 'record_id is empty' };
  if (!ISO_WITH_ZONE.test(startedAt!)) {
    return { kind: 'reject', reason: 'bad_time', detail: `started_at: expected ISO 8601 with a zone, like 2026-10-05T09:14:03+02:00, got "${startedAt}"` };
  }
  const startedAtMs = Date.parse(startedAt!.replace(' ', 'T'));
  if (Number.isNaN(startedAtMs) || !isRealDay(Number(startedAt!.slice(0, 4)), Number(startedAt!.slice(5, 7)), Number(startedAt!.slice(8, 10)))) {
    return { kind: 'reject', reason: 'bad_time', detail: `started_at: "${startedAt}" is not a real time (no such day or hour)` };
  }
  let answered = false;
  let seconds = 0;
  if (answeredSeconds !== '') {
    if (!/^\d+$/.test(answeredSeconds!)) {
      return { kind: 'reject', reason: 'bad_duration', detail: `answered_seconds: expected a whole number ≥ 0 or empty, got "${answeredSeconds}"` };
    }
    answered = true;
    seconds = Number(answeredSeconds);
  }
  if (!calling) return { kind: 'reject', reason: 'missing_field', detail: 'calling_number is empty' };
  if (!called) return { kind: 'reject', reason: 'missing_field', detail: 'called_number is empty' };
  if (direction !== 'outgoing' && direction !== 'incoming') {
    return { kind: 'reject', reason: 'bad_value', detail: `direction: expected outgoing or incoming, got "${direction}"` };
  }
  if (!E164.test(billedLine!))
    return { kind: 'reject', reason: 'bad_value', detail: `billed_line: expected an E.164 number like +31201234567, got "${billedLine}"` };
  if (device !== '' && device !== 'fixed' && device !== 'mobile') {
    return { kind: 'reject', reason: 'bad_value', detail: `device: expected fixed or mobile, got "${device}"` };
  }
  if (forwardedFrom !== '' && !E164.test(forwardedFrom!)) {
    return { kind: 'reject', reason: 'bad_value', detail: `forwarded_from: expected an E.164 number or empty, got "${forwardedFrom}"` };
  }
  const cdr: Cdr = {
    source,
    recordId: recordId!,
    startedAtMs,
    setupAtMs: undefined,
    answered,
    answeredSeconds: seconds,
    callingNumber: calling!,
    calledNumber: called!,
    direction,
    billedLine: billedLine!,
    device: device === 'mobile' ? 'mobile' : 'fixed',
    forwardedFrom: forwardedFrom || undefined,
  };
  return { kind: 'cdr', cdr };
}
