/**
 * Calendar arithmetic on local dates (`YYYY-MM-DD`) and Amsterdam days, on date-fns.
 *
 * Dates are calendar days without a zone: they are computed in UTC (a `TZDate` in 'UTC'), so that
 * the machine's zone never shifts a day. The per-call hot path (a call's local wall-clock time,
 * amsterdam-time.ts) stays hand-written, cached per hour and day: see the README's figures.
 */
import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { addMonths } from 'date-fns/addMonths';
import { format } from 'date-fns/format';
import { getDaysInMonth } from 'date-fns/getDaysInMonth';
import { isValid } from 'date-fns/isValid';
import { parse } from 'date-fns/parse';
import { z } from 'zod';
import { AMSTERDAM } from './amsterdam-time.js';
import { isRealDay } from './zoned-time.js';

const ISO_DATE = 'yyyy-MM-dd';
const UTC = 'UTC';

/** A real calendar date `YYYY-MM-DD` (no 30 February), or undefined. */
export function parseIsoDate(text: string): TZDate | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const date = parse(text, ISO_DATE, new TZDate(0, UTC));
  return isValid(date) ? new TZDate(date, UTC) : undefined;
}

/** Whether `text` is a real calendar date `YYYY-MM-DD` (cheap: no zone is consulted). */
export function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return m !== null && isRealDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

function requireDate(text: string): TZDate {
  const date = parseIsoDate(text);
  if (!date) throw new RangeError(`not a calendar date: "${text}"`);
  return date;
}

/** `date` plus `months` calendar months (the 31st becomes the month's last day where it has fewer). */
export function addMonthsToDate(date: string, months: number): string {
  return format(addMonths(requireDate(date), months), ISO_DATE);
}

/** `date` plus `days` calendar days. */
export function addDaysToDate(date: string, days: number): string {
  return format(addDays(requireDate(date), days), ISO_DATE);
}

/** Days in a calendar month (a plain local Date: only its year and month are read). */
export function daysInMonth(year: number, month: number): number {
  return getDaysInMonth(new Date(year, month - 1, 1));
}

/** The Amsterdam calendar date of an instant, `YYYY-MM-DD` (the faces read the clock and pass it here). */
export function amsterdamDate(instant: Date): string {
  return format(new TZDate(instant, AMSTERDAM), ISO_DATE);
}

/** A calendar date `YYYY-MM-DD` in the data files and options: the format, then a real day. */
export const CALENDAR_DATE = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected a date YYYY-MM-DD')
  .refine(isIsoDate, { error: (issue) => `${String(issue.input)} is not a calendar date` });
