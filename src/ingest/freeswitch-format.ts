/**
 * FreeSWITCH mod_cdr_csv with the stock `example` template (15 quoted fields):
 * caller_id_name, caller_id_number, destination_number, context, start_stamp, answer_stamp,
 * end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode, read_codec, write_codec.
 *
 * - Times are `YYYY-MM-DD HH:MM:SS` in the switch's zone (the configured one).
 * - Answered when answer_stamp is set; billable seconds = billsec. An answered call is rated from
 *   answer_stamp (band, month, tariff version); start_stamp (the setup) is kept beside it.
 * - Direction: context `public` (calls from outside, in the stock dialplan) is incoming to the
 *   destination; anything else is an outgoing call of the caller.
 * - With `legs=ab` each call has an A-leg row and a B-leg row carrying the A-leg's uuid in
 *   bleg_uuid's place: the B-leg is skipped (the call is rated on its A-leg). With the stock
 *   `legs=a`, bleg_uuid on an A-leg row names its B-leg and every row is a call.
 */
import type { Cdr, ReadResult } from '../domain/cdr.js';
import { lineToE164, parseLocalTime, parseSeconds } from './switch-fields.js';

export interface FreeSwitchOptions {
  readonly timeZone: string;
  readonly legs: 'a' | 'ab';
}

const COLUMNS = 15;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a first row looks like the FreeSWITCH example template. */
export function looksLikeFreeSwitch(fields: readonly string[]): boolean {
  return fields.length === COLUMNS && UUID.test(fields[10] ?? '') && /^[A-Z_]+$/.test(fields[9] ?? '');
}

export function readFreeSwitchRow(fields: readonly string[], source: string, options: FreeSwitchOptions): ReadResult {
  if (fields.length !== COLUMNS)
    return { kind: 'reject', reason: 'wrong_column_count', detail: `expected ${COLUMNS} columns (example template), got ${fields.length}` };
  const [, callerNumber, destination, context, startText, answerText, , , billsecText, , uuid, blegUuid] = fields.map((f) => f.trim()) as string[] & {
    length: 15;
  };
  if (!uuid) return { kind: 'reject', reason: 'missing_field', detail: 'uuid is empty' };
  if (options.legs === 'ab' && blegUuid) return { kind: 'skip', detail: 'B-leg (rated on its A-leg)' };
  const startedAtMs = parseLocalTime(startText!, options.timeZone);
  if (startedAtMs === undefined) return { kind: 'reject', reason: 'bad_time', detail: `start_stamp: expected YYYY-MM-DD HH:MM:SS, got "${startText}"` };
  const answeredAtMs = answerText ? parseLocalTime(answerText, options.timeZone) : startedAtMs;
  if (answeredAtMs === undefined)
    return { kind: 'reject', reason: 'bad_time', detail: `answer_stamp: expected YYYY-MM-DD HH:MM:SS or empty, got "${answerText}"` };
  if (answeredAtMs < startedAtMs) return { kind: 'reject', reason: 'bad_time', detail: `answer_stamp (${answerText}) is before start_stamp (${startText})` };
  const billsec = parseSeconds(billsecText!);
  if (billsec === undefined) return { kind: 'reject', reason: 'bad_duration', detail: `billsec: expected whole seconds ≥ 0, got "${billsecText}"` };
  if (!destination) return { kind: 'reject', reason: 'missing_field', detail: 'destination_number is empty' };
  const incoming = context === 'public';
  const line = lineToE164(incoming ? destination : callerNumber!);
  if (!line) return { kind: 'reject', reason: 'missing_field', detail: 'caller_id_number is empty' };
  const answered = answerText !== '';
  const cdr: Cdr = {
    source,
    recordId: uuid,
    startedAtMs: answeredAtMs,
    setupAtMs: startedAtMs,
    answered,
    answeredSeconds: answered ? billsec : 0,
    callingNumber: callerNumber || 'anonymous',
    calledNumber: destination!,
    direction: incoming ? 'incoming' : 'outgoing',
    billedLine: line,
    device: 'fixed',
    forwardedFrom: undefined,
  };
  return { kind: 'cdr', cdr };
}
