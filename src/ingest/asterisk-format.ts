/**
 * Asterisk CDR CSV: `cdr_csv` Master.csv (16, 17, 18 or 21 columns, depending on loguniqueid,
 * loguserfield and newcdrcolumns) and `cdr_custom` with its stock mapping (19 columns, clid first).
 * See ../shared/reference/other-cdr-formats.md.
 *
 * - Times are `YYYY-MM-DD HH:MM:SS` in the switch's zone (the configured one; UTC with usegmtime).
 * - Answered = disposition ANSWERED; billable seconds = billsec. An answered call is rated from
 *   `answer` (band, month, tariff version); `start` (the setup) is kept beside it.
 * - Direction: a call that entered from outside (dialplan context such as `from-pstn`, `from-trunk`,
 *   `*-pstn`, `inbound`) is incoming and belongs to the destination; anything else is an outgoing
 *   call of the source.
 * - Rows of `Local/` channels are dialplan plumbing, not calls: skipped.
 * - Record id: uniqueid (with the sequence when newcdrcolumns are on); without uniqueid, the row
 *   itself identifies it (a repeated row is a duplicate).
 */
import { createHash } from 'node:crypto';
import type { Cdr, ReadResult } from '../domain/cdr.js';
import { lineToE164, parseLocalTime, parseSeconds } from './switch-fields.js';

export interface AsteriskOptions {
  readonly timeZone: string;
}

interface Layout {
  readonly accountcode: number;
  readonly src: number;
  readonly dst: number;
  readonly dcontext: number;
  readonly channel: number;
  readonly start: number;
  readonly answer: number;
  readonly billsec: number;
  readonly disposition: number;
  readonly uniqueid?: number;
  readonly sequence?: number;
}

const CDR_CSV: Layout = { accountcode: 0, src: 1, dst: 2, dcontext: 3, channel: 5, start: 9, answer: 10, billsec: 13, disposition: 14 };
const LAYOUTS: ReadonlyMap<number, Layout> = new Map([
  [16, CDR_CSV],
  [17, { ...CDR_CSV, uniqueid: 16 }],
  [18, { ...CDR_CSV, uniqueid: 16 }],
  [21, { ...CDR_CSV, uniqueid: 16, sequence: 20 }],
  // cdr_custom stock mapping: clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,start,answer,end,
  // duration,billsec,disposition,amaflags,accountcode,uniqueid,userfield,sequence
  [19, { accountcode: 15, src: 1, dst: 2, dcontext: 3, channel: 4, start: 8, answer: 9, billsec: 12, disposition: 13, uniqueid: 16, sequence: 18 }],
]);

const DISPOSITIONS = new Set(['ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CONGESTION']);
const INBOUND_CONTEXT = /(^from-(pstn|trunk|external|did)|pstn|inbound|incoming|^from-provider)/i;
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Whether a first row looks like an Asterisk CDR. */
export function looksLikeAsterisk(fields: readonly string[]): boolean {
  const layout = LAYOUTS.get(fields.length);
  return layout !== undefined && TIME.test(fields[layout.start] ?? '') && DISPOSITIONS.has(fields[layout.disposition] ?? '');
}

export function readAsteriskRow(fields: readonly string[], source: string, raw: string, options: AsteriskOptions): ReadResult {
  const layout = LAYOUTS.get(fields.length);
  if (!layout) return { kind: 'reject', reason: 'wrong_column_count', detail: `expected 16, 17, 18, 19 or 21 columns, got ${fields.length}` };
  const get = (i: number | undefined): string => (i === undefined ? '' : (fields[i] ?? '').trim());
  if (get(layout.channel).startsWith('Local/')) return { kind: 'skip', detail: 'Local/ channel (dialplan plumbing)' };
  const disposition = get(layout.disposition);
  if (!DISPOSITIONS.has(disposition)) {
    return { kind: 'reject', reason: 'bad_value', detail: `disposition: expected ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION, got "${disposition}"` };
  }
  const startText = get(layout.start);
  const startedAtMs = parseLocalTime(startText, options.timeZone);
  if (startedAtMs === undefined) return { kind: 'reject', reason: 'bad_time', detail: `start: expected YYYY-MM-DD HH:MM:SS, got "${startText}"` };
  const answered = disposition === 'ANSWERED';
  let answeredAtMs = startedAtMs;
  if (answered) {
    const answerText = get(layout.answer);
    const answerMs = parseLocalTime(answerText, options.timeZone);
    if (answerMs === undefined)
      return { kind: 'reject', reason: 'bad_time', detail: `answer: expected YYYY-MM-DD HH:MM:SS for an ANSWERED call, got "${answerText}"` };
    if (answerMs < startedAtMs) return { kind: 'reject', reason: 'bad_time', detail: `answer (${answerText}) is before start (${startText})` };
    answeredAtMs = answerMs;
  }
  const billsec = parseSeconds(get(layout.billsec));
  if (billsec === undefined) return { kind: 'reject', reason: 'bad_duration', detail: `billsec: expected whole seconds ≥ 0, got "${get(layout.billsec)}"` };
  const src = get(layout.src);
  const dst = get(layout.dst);
  if (!dst) return { kind: 'reject', reason: 'missing_field', detail: 'dst is empty' };
  const incoming = INBOUND_CONTEXT.test(get(layout.dcontext));
  const uniqueid = get(layout.uniqueid);
  const sequence = get(layout.sequence);
  const recordId = uniqueid ? (sequence ? `${uniqueid}:${sequence}` : uniqueid) : `row:${createHash('sha1').update(raw).digest('hex')}`;
  const line = lineToE164(incoming ? dst : src);
  if (!line) return { kind: 'reject', reason: 'missing_field', detail: 'src is empty' };
  const cdr: Cdr = {
    source,
    recordId,
    startedAtMs: answeredAtMs,
    setupAtMs: startedAtMs,
    answered,
    answeredSeconds: answered ? billsec : 0,
    callingNumber: src || 'anonymous',
    calledNumber: dst,
    direction: incoming ? 'incoming' : 'outgoing',
    billedLine: line,
    device: 'fixed',
    forwardedFrom: undefined,
  };
  return { kind: 'cdr', cdr };
}
