/**
 * Local wall-clock times in any IANA zone (switch CSVs without a zone are read in a configured one).
 * Offsets are cached per zone and UTC hour.
 */
import { tzOffset } from '@date-fns/tz';

const HOUR_MS = 3_600_000;
const offsetFunctions = new Map<string, (utcMs: number) => number>();

/** A function giving the offset (minutes east of UTC) in one zone, cached per UTC hour. */
export function zoneOffsetFunction(zone: string): (utcMs: number) => number {
  let offsetAt = offsetFunctions.get(zone);
  if (!offsetAt) {
    const hours = new Map<number, number>();
    offsetAt = (utcMs) => {
      const hour = Math.floor(utcMs / HOUR_MS);
      let offset = hours.get(hour);
      if (offset === undefined) {
        offset = tzOffset(zone, new Date(hour * HOUR_MS));
        hours.set(hour, offset);
      }
      return offset;
    };
    offsetFunctions.set(zone, offsetAt);
  }
  return offsetAt;
}

/** Minutes to add to UTC for wall-clock time in `zone` at `utcMs`. */
export function zoneOffsetMinutes(zone: string, utcMs: number): number {
  return zoneOffsetFunction(zone)(utcMs);
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The UTC instant of a wall-clock time in `zone`. Of a repeated time (autumn) the first is taken; a
 * time in the spring gap is read with the offset in force before it.
 */
export function zonedLocalToUtcMs(zone: string, year: number, month: number, day: number, secondOfDay: number, ms = 0): number {
  const asUtc = Date.UTC(year, month - 1, day) + secondOfDay * 1000 + ms;
  const before = zoneOffsetMinutes(zone, asUtc - 14 * HOUR_MS);
  const after = zoneOffsetMinutes(zone, asUtc + 14 * HOUR_MS);
  let best: number | undefined;
  for (const offset of [before, after]) {
    const utcMs = asUtc - offset * 60_000;
    if (zoneOffsetMinutes(zone, utcMs) === offset && (best === undefined || utcMs < best)) best = utcMs;
  }
  return best ?? asUtc - before * 60_000;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether year-month-day is a real calendar day (no 30 February). Hand-written: the switch readers
 * call it for every time they read (see calendar.ts for the rest of the calendar, on date-fns).
 */
export function isRealDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0);
}
