/**
 * Time bands (peak, off-peak, weekend) in Europe/Amsterdam local time, with Dutch public holidays
 * priced as weekend.
 */
import { amsterdamLocalToUtc, amsterdamParts } from '../domain/amsterdam-time.js';
import { dutchHolidays, type DutchHoliday } from './dutch-holidays.js';
import type { Band } from './tariff-set.js';

export interface BandRules {
  /** weekdays (0 = Sunday) with a peak window */
  readonly peakDays: ReadonlySet<number>;
  /** seconds since local midnight, [from, to) */
  readonly peakFromSecond: number;
  readonly peakToSecond: number;
  /** weekdays priced as weekend all day */
  readonly weekendDays: ReadonlySet<number>;
  /** public holidays priced as weekend all day */
  readonly holidays: ReadonlySet<DutchHoliday>;
  /** further dates (`YYYY-MM-DD`) priced as weekend */
  readonly extraHolidayDates: ReadonlySet<string>;
}

export interface BandPart {
  readonly band: Band;
  readonly seconds: number;
}

const holidayCache = new Map<string, Set<string>>();

function holidayDates(rules: BandRules, year: number): Set<string> {
  const key = `${year}|${[...rules.holidays].join(',')}`;
  let dates = holidayCache.get(key);
  if (!dates) {
    dates = new Set<string>();
    for (const [date, name] of dutchHolidays(year)) if (rules.holidays.has(name)) dates.add(date);
    holidayCache.set(key, dates);
  }
  return dates;
}

function isoLocalDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function isAllDayWeekend(rules: BandRules, year: number, month: number, day: number, weekday: number): boolean {
  if (rules.weekendDays.has(weekday)) return true;
  const date = isoLocalDate(year, month, day);
  return holidayDates(rules, year).has(date) || rules.extraHolidayDates.has(date);
}

/** The band in force at an instant. */
export function bandAt(rules: BandRules, utcMs: number): Band {
  const p = amsterdamParts(utcMs);
  if (isAllDayWeekend(rules, p.year, p.month, p.day, p.weekday)) return 'weekend';
  if (rules.peakDays.has(p.weekday) && p.secondOfDay >= rules.peakFromSecond && p.secondOfDay < rules.peakToSecond) {
    return 'peak';
  }
  return 'offpeak';
}

/** The next instant after `utcMs` at which the band may change (peak start or end, local midnight). */
function nextBoundaryMs(rules: BandRules, utcMs: number): number {
  const p = amsterdamParts(utcMs);
  const candidates = [rules.peakFromSecond, rules.peakToSecond, 86_400].filter((s) => s > p.secondOfDay);
  const second = Math.min(...candidates);
  return amsterdamLocalToUtc(p.year, p.month, p.day, second).getTime();
}

/**
 * Splits `seconds` of a call starting at `startMs` into consecutive band parts. A second that
 * contains a boundary counts in the band it starts in.
 */
export function splitIntoBands(rules: BandRules, startMs: number, seconds: number): BandPart[] {
  const parts: BandPart[] = [];
  let cursorMs = startMs;
  let remaining = seconds;
  while (remaining > 0) {
    const band = bandAt(rules, cursorMs);
    const boundary = nextBoundaryMs(rules, cursorMs);
    const span = Math.min(remaining, Math.max(1, Math.ceil((boundary - cursorMs) / 1000)));
    const last = parts[parts.length - 1];
    if (last && last.band === band) parts[parts.length - 1] = { band, seconds: last.seconds + span };
    else parts.push({ band, seconds: span });
    remaining -= span;
    cursorMs += span * 1000;
  }
  return parts;
}
