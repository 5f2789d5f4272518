/**
 * What a record may hold before it is rated: limits on durations and times (configurable, with
 * defaults), and texts made safe to store and show. Whatever a switch writes into a field, it costs
 * at most its own line.
 */
import type { Cdr, Reject } from '../domain/cdr.js';

export interface IngestLimits {
  /** the longest call believed, in answered seconds (default 24 h) */
  readonly maxCallSeconds: number;
  /** how far after the ingest a call may start (clocks differ a little; default 1 day) */
  readonly maxFutureMs: number;
  /** the earliest start believed (default 2000-01-01) */
  readonly earliestMs: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxCallSeconds: 24 * 3600,
  maxFutureMs: 24 * 3600 * 1000,
  earliestMs: Date.UTC(2000, 0, 1),
};

/** Why a read record cannot be a real call, or undefined. `nowMs` is the ingest's clock, passed in. */
export function implausible(cdr: Cdr, limits: IngestLimits, nowMs: number): Reject | undefined {
  if (!Number.isSafeInteger(cdr.answeredSeconds) || cdr.answeredSeconds > limits.maxCallSeconds) {
    return {
      reason: 'bad_duration',
      detail: `answered ${cdr.answeredSeconds} s is longer than the ${limits.maxCallSeconds} s a call may last (--max-call-seconds); check the switch's times`,
    };
  }
  if (cdr.startedAtMs > nowMs + limits.maxFutureMs) {
    return {
      reason: 'bad_time',
      detail: `the call starts ${new Date(cdr.startedAtMs).toISOString()}, after the ingest (${new Date(nowMs).toISOString()}): a switch clock is wrong`,
    };
  }
  if (cdr.startedAtMs < limits.earliestMs) {
    return {
      reason: 'bad_time',
      detail: `the call starts ${new Date(cdr.startedAtMs).toISOString()}, before ${new Date(limits.earliestMs).toISOString().slice(0, 10)}`,
    };
  }
  return undefined;
}

// C0 controls (but tab) and DEL, and lone surrogates: what PostgreSQL cannot store (NUL) or a person cannot see
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it finds
const UNSAFE_ONE = /[\u0000-\u0008\u000a-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSAFE = new RegExp(UNSAFE_ONE.source, 'g');

/**
 * A text as it is safe to store and show: control characters written as `\xNN`, lone surrogates as
 * U+FFFD, at most `max` characters.
 */
export function inertText(text: string, max = 4096): string {
  const safe = UNSAFE_ONE.test(text)
    ? text.replace(UNSAFE, (c) => (c.charCodeAt(0) < 0xd800 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : '\uFFFD'))
    : text;
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}

const PHONE = /^\+?[0-9*#]{1,32}$/;
const WITHHELD = /^(anonymous|restricted|unknown|unavailable|private|withheld)$/i;

/**
 * The caller as stored and shown: a number (its separators dropped, a `sip:`/`tel:` URI's user part)
 * as a number; a withheld caller as `anonymous`; anything else (a name, markup, a formula) kept as the
 * switch's raw value, percent-encoded after `raw:` so that it is inert in HTML, CSV and SQL alike.
 */
export function callerId(text: string): string {
  const trimmed = text.trim();
  if (PHONE.test(trimmed)) return trimmed;
  const user = trimmed
    .replace(/^(?:sips?|tel):/i, '')
    .replace(/[@;].*$/, '')
    .replace(/[\s.()-]/g, '');
  if (PHONE.test(user)) return user;
  if (trimmed === '' || WITHHELD.test(trimmed)) return 'anonymous';
  return `raw:${encodeURIComponent(inertText(trimmed, 48).replace(/…$/, '')).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** The record with its free texts made safe: the caller normalised, the record id inert. */
export function withSafeTexts(cdr: Cdr): Cdr {
  const callingNumber = callerId(cdr.callingNumber);
  const recordId = inertText(cdr.recordId, 200);
  if (callingNumber === cdr.callingNumber && recordId === cdr.recordId) return cdr;
  return { ...cdr, callingNumber, recordId };
}
