/**
 * Time bands (peak, off-peak, weekend) in Europe/Amsterdam local time, with Dutch public holidays
 * priced as weekend.
 */
import { amsterdamOffsetMinutes, amsterdamParts, type LocalParts } from '../domain/amsterdam-time.js';
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

/** Per band rules: local days (as `localDayMs`) priced as weekend for being a holiday. */
const holidayCache = new WeakMap<BandRules, Map<number, Set<number>>>();

function holidayDays(rules: BandRules, year: number): Set<number> {
  let byYear = holidayCache.get(rules);
  if (!byYear) {
    byYear = new Map();
    holidayCache.set(rules, byYear);
  }
  let days = byYear.get(year);
  if (!days) {
    days = new Set<number>();
    for (const [date, name] of dutchHolidays(year)) if (rules.holidays.has(name)) days.add(Date.parse(`${date}T00:00:00Z`));
    for (const date of rules.extraHolidayDates) if (date.startsWith(`${year}-`)) days.add(Date.parse(`${date}T00:00:00Z`));
    byYear.set(year, days);
  }
  return days;
}

function isAllDayWeekend(rules: BandRules, p: LocalParts): boolean {
  return rules.weekendDays.has(p.weekday) || holidayDays(rules, p.year).has(p.localDayMs);
}

/** The band in force at an instant. */
export function bandAt(rules: BandRules, utcMs: number): Band {
  const p = amsterdamParts(utcMs);
  if (isAllDayWeekend(rules, p)) return 'weekend';
  if (rules.peakDays.has(p.weekday) && p.secondOfDay >= rules.peakFromSecond && p.secondOfDay < rules.peakToSecond) {
    return 'peak';
  }
  return 'offpeak';
}

/** The next instant after `utcMs` at which the band may change (peak start or end, local midnight). */
function nextBoundaryMs(rules: BandRules, utcMs: number): number {
  const p = amsterdamParts(utcMs);
  let second = 86_400;
  if (rules.peakFromSecond > p.secondOfDay && rules.peakFromSecond < second) second = rules.peakFromSecond;
  if (rules.peakToSecond > p.secondOfDay && rules.peakToSecond < second) second = rules.peakToSecond;
  // wall-clock distance, corrected when a DST change lies in between
  const guess = utcMs + (second - p.secondOfDay) * 1000 - (utcMs % 1000);
  return guess - (amsterdamOffsetMinutes(guess) - amsterdamOffsetMinutes(utcMs)) * 60_000;
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
