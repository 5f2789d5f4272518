/**
 * Billing periods: calendar months in Europe/Amsterdam, written `YYYY-MM`.
 */
import { amsterdamMidnightUtc } from './amsterdam-time.js';
import { daysInMonth } from './calendar.js';

export interface Period {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
}

const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Parses `YYYY-MM`; returns undefined when the text is not a period. */
export function parsePeriod(text: string): Period | undefined {
  const match = PERIOD_PATTERN.exec(text);
  if (!match) return undefined;
  return { year: Number(match[1]), month: Number(match[2]) };
}

export function formatPeriod(period: Period): string {
  return `${period.year}-${String(period.month).padStart(2, '0')}`;
}

/** The period's first local day, `YYYY-MM-01` (dated terms are compared as local dates). */
export function periodFirstDay(period: Period): string {
  return `${formatPeriod(period)}-01`;
}

export function nextPeriod(period: Period): Period {
  return period.month === 12 ? { year: period.year + 1, month: 1 } : { year: period.year, month: period.month + 1 };
}

export function previousPeriod(period: Period): Period {
  return period.month === 1 ? { year: period.year - 1, month: 12 } : { year: period.year, month: period.month - 1 };
}

/** First instant of the period (Amsterdam midnight on the 1st), as a UTC Date. */
export function periodStart(period: Period): Date {
  return amsterdamMidnightUtc(period.year, period.month, 1);
}

/** First instant after the period. */
export function periodEnd(period: Period): Date {
  return periodStart(nextPeriod(period));
}

export function daysInPeriod(period: Period): number {
  return daysInMonth(period.year, period.month);
}
