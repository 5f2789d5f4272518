/**
 * BroadWorks accounting CSV (the hosted PBX): no header, fields by position (column N is RADIUS
 * attribute N of the BroadSoft dictionary), release-dependent extra columns tolerated. See
 * ../shared/reference/broadworks-cdr-format.md.
 *
 * - The `version=… encoding=…` line and `Start`/`End` interval markers are skipped: they are not calls.
 * - `Normal` records are calls, one per user and leg: `Originating` (the user placed or redirected the
 *   leg: billed to the user) or `Terminating` (received: free).
 * - Times are `YYYYMMDDhhmmss.mmm`. Whether they are UTC or local is not public; the samples carry
 *   the user's zone as `D±hhmmss` (#11), so by default they are read as local times at that offset
 *   (`zoneSource: 'user'`); `'fixed'` reads them in the configured zone instead.
 * - Billable seconds = release − answer, partial seconds rounded up. An answered call is rated from
 *   its answerTime (#13): band, month, tariff version; startTime (#10, the setup) is kept beside it.
 * - A forwarded leg (redirect fields #36/#39, or #148 naming a forwarding service) is the user's
 *   outgoing call to the forward target.
 * - `Long Duration` and `Failover` records (partial calls) are rejected as unsupported, not guessed.
 */
import type { Cdr, ReadResult } from '../domain/cdr.js';
import { isRealDay, zonedLocalToUtcMs } from '../domain/zoned-time.js';
import type { FieldList } from './positional-fields.js';
import { lineToE164 } from './switch-fields.js';

export interface BroadWorksOptions {
  /** 'user': times at the record's userTimeZone offset; 'fixed': times in `timeZone` */
  readonly zoneSource: 'user' | 'fixed';
  readonly timeZone: string;
}

/** 1-based column numbers. */
const COL = {
  recordId: 1,
  type: 3,
  userNumber: 4,
  direction: 6,
  callingNumber: 7,
  calledNumber: 9,
  startTime: 10,
  userTimeZone: 11,
  answerIndicator: 12,
  answerTime: 13,
  releaseTime: 14,
  dialedDigits: 18,
  networkTranslatedNumber: 21,
  originalCalledNumber: 36,
  redirectingNumber: 39,
  userId: 121,
  relatedCallIdReason: 148,
  locationType: 313,
} as const;

/** Normal records must reach remoteCallId (#46); later columns are read when present. */
const MIN_NORMAL_COLUMNS = 46;

const FORWARDING_SERVICES = new Set([
  'Call Forward Always',
  'Call Forward Busy',
  'Call Forward No Answer',
  'Call Forward Not Reachable',
  'Call Forward Selective',
  'Group Night Forwarding',
  'Sequential Ring',
  'Simultaneous Ring',
  'Simultaneous Ring Personal',
  'Find-me/Follow-me',
  'Remote Office',
  'Deflection',
]);

const BW_ZONE = /^[01]([+-])(\d{2})(\d{2})(\d{2})$/;

function field(fields: FieldList, column: number): string {
  return (fields.at(column - 1) ?? '').trim();
}

let lastZoneText = '';
let lastZone: number | undefined;

/** `D±hhmmss` → minutes east of UTC. */
export function parseUserTimeZone(text: string): number | undefined {
  if (text === lastZoneText) return lastZone; // a file has a handful of zones
  const m = BW_ZONE.exec(text);
  const minutes = m ? Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 60 : 0;
  lastZoneText = text;
  lastZone = !m ? undefined : m[1] === '-' ? -minutes : minutes;
  return lastZone;
}

/** The decimal number in text[from, from + count), or -1 if any of it is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** `YYYYMMDDhhmmss` with an optional `.m`, `.mm` or `.mmm` (a hot path: no regular expression). */
export function parseBwTime(text: string, options: BroadWorksOptions, offsetMinutes: number | undefined): number | undefined {
  const n = text.length;
  if (n < 14 || n > 18 || (n > 14 && text.charCodeAt(14) !== 46)) return undefined;
  const y = digitsAt(text, 0, 4);
  const mo = digitsAt(text, 4, 2);
  const d = digitsAt(text, 6, 2);
  const h = digitsAt(text, 8, 2);
  const mi = digitsAt(text, 10, 2);
  const s = digitsAt(text, 12, 2);
  const fraction = n > 15 ? digitsAt(text, 15, n - 15) : 0;
  if (y < 0 || fraction < 0 || !isRealDay(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  const ms = n === 16 ? fraction * 100 : n === 17 ? fraction * 10 : fraction;
  if (options.zoneSource === 'user' && offsetMinutes !== undefined) {
    return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000;
  }
  return zonedLocalToUtcMs(options.timeZone, y, mo, d, h * 3600 + mi * 60 + s, ms);
}

/** Whether a first line looks like BroadWorks CSV. */
export function looksLikeBroadWorks(fields: readonly string[]): boolean {
  if (fields[0]?.startsWith('version=')) return true;
  return fields.length >= 3 && /^(Start|Normal|End|Long Duration|Failover)$/.test(fields[2] ?? '');
}

/** Reads one record; `fields` is an array of fields or a positional view of an unquoted line. */
export function readBroadWorksRow(fields: FieldList, source: string, options: BroadWorksOptions): ReadResult {
  if (fields.length === 1 && fields.at(0)!.startsWith('version=')) return { kind: 'skip', detail: 'version line' };
  const type = field(fields, COL.type);
  if (type === 'Start' || type === 'End') return { kind: 'skip', detail: `${type} interval marker` };
  if (type === 'Long Duration' || type === 'Failover') {
    return {
      kind: 'reject',
      reason: 'unsupported_record',
      detail: `a ${type} record (part of a call) is not rated; ask for the complete call's Normal record`,
    };
  }
  if (type !== 'Normal') return { kind: 'reject', reason: 'bad_value', detail: `type (#3): expected Start, Normal or End, got "${type}"` };
  if (fields.length < MIN_NORMAL_COLUMNS) {
    return { kind: 'reject', reason: 'wrong_column_count', detail: `a Normal record has at least ${MIN_NORMAL_COLUMNS} columns, got ${fields.length}` };
  }
  if (fields.length >= COL.userId) {
    const userId = field(fields, COL.userId);
    const before = field(fields, COL.userId - 1);
    if (!userId.includes('@') && before.includes('@')) {
      return {
        kind: 'reject',
        reason: 'damaged_record',
        detail: `userId is in column ${COL.userId - 1}, not ${COL.userId}: a column is missing before it, so later fields cannot be trusted`,
      };
    }
  }
  const recordId = field(fields, COL.recordId);
  if (!recordId) return { kind: 'reject', reason: 'missing_field', detail: 'recordId (#1) is empty' };
  const userNumber = field(fields, COL.userNumber);
  if (!userNumber) return { kind: 'reject', reason: 'missing_field', detail: 'userNumber (#4) is empty' };
  const direction = field(fields, COL.direction);
  if (direction !== 'Originating' && direction !== 'Terminating') {
    return { kind: 'reject', reason: 'bad_value', detail: `direction (#6): expected Originating or Terminating, got "${direction}"` };
  }
  const zoneText = field(fields, COL.userTimeZone);
  const offset = parseUserTimeZone(zoneText);
  if (options.zoneSource === 'user' && offset === undefined) {
    return { kind: 'reject', reason: 'bad_time', detail: `userTimeZone (#11): expected D±hhmmss like 1+020000, got "${zoneText}"` };
  }
  const startText = field(fields, COL.startTime);
  const startedAtMs = parseBwTime(startText, options, offset);
  if (startedAtMs === undefined) return { kind: 'reject', reason: 'bad_time', detail: `startTime (#10): expected YYYYMMDDhhmmss.mmm, got "${startText}"` };
  const answerIndicator = field(fields, COL.answerIndicator);
  let answered = answerIndicator === 'Yes' || answerIndicator === 'Yes-PostRedirection';
  let seconds = 0;
  let answeredAtMs = startedAtMs;
  if (answered) {
    const answerText = field(fields, COL.answerTime);
    const releaseText = field(fields, COL.releaseTime);
    const answerMs = parseBwTime(answerText, options, offset);
    const releaseMs = parseBwTime(releaseText, options, offset);
    if (answerMs === undefined) return { kind: 'reject', reason: 'bad_time', detail: `answerTime (#13): expected YYYYMMDDhhmmss.mmm, got "${answerText}"` };
    if (releaseMs === undefined) return { kind: 'reject', reason: 'bad_time', detail: `releaseTime (#14): expected YYYYMMDDhhmmss.mmm, got "${releaseText}"` };
    if (releaseMs < answerMs) return { kind: 'reject', reason: 'bad_duration', detail: `releaseTime (#14) is before answerTime (#13)` };
    seconds = Math.ceil((releaseMs - answerMs) / 1000);
    answeredAtMs = answerMs;
  } else if (answerIndicator !== 'No' && answerIndicator !== '') {
    return { kind: 'reject', reason: 'bad_value', detail: `answerIndicator (#12): expected Yes, No or Yes-PostRedirection, got "${answerIndicator}"` };
  }
  // a Terminating leg answered only after being redirected away was not answered by this user
  if (direction === 'Terminating' && answerIndicator === 'Yes-PostRedirection') {
    answered = false;
    seconds = 0;
    answeredAtMs = startedAtMs;
  }

  const line = lineToE164(userNumber);
  const translated = field(fields, COL.networkTranslatedNumber);
  const dialled = field(fields, COL.dialedDigits);
  const called = field(fields, COL.calledNumber);
  const calledForRating = direction === 'Originating' ? (translated.startsWith('+') ? translated : called || dialled) : line;
  if (!calledForRating) return { kind: 'reject', reason: 'missing_field', detail: 'calledNumber (#9) and networkTranslatedNumber (#21) are empty' };
  const forwarded =
    direction === 'Originating' &&
    (FORWARDING_SERVICES.has(field(fields, COL.relatedCallIdReason)) ||
      field(fields, COL.redirectingNumber) !== '' ||
      field(fields, COL.originalCalledNumber) !== '');
  const cdr: Cdr = {
    source,
    recordId,
    startedAtMs: answeredAtMs,
    setupAtMs: startedAtMs,
    answered,
    answeredSeconds: seconds,
    callingNumber: field(fields, COL.callingNumber) || line,
    calledNumber: calledForRating,
    direction: direction === 'Originating' ? 'outgoing' : 'incoming',
    billedLine: line,
    device: /mobil/i.test(field(fields, COL.locationType)) ? 'mobile' : 'fixed',
    forwardedFrom: forwarded ? line : undefined,
  };
  return { kind: 'cdr', cdr };
}
