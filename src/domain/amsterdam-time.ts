/**
 * Local time in Europe/Amsterdam, daylight saving included.
 *
 * Rating asks for the local wall-clock time of every call (time bands, periods), so the zone offset
 * is cached per UTC hour: one Intl lookup per hour of calls, a Map hit for the rest.
 */
import { zonedLocalToUtcMs, zoneOffsetFunction } from './zoned-time.js';

export const AMSTERDAM = 'Europe/Amsterdam';

/** Minutes to add to UTC to get Amsterdam wall-clock time at `utcMs`. */
export const amsterdamOffsetMinutes: (utcMs: number) => number = zoneOffsetFunction(AMSTERDAM);

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  /** seconds since local midnight */
  secondOfDay: number;
  /** ms since epoch of this local midnight, read as if local time were UTC (a day key) */
  localDayMs: number;
}

const DAY_MS = 86_400_000;
interface LocalDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly localDayMs: number;
}
/** by day number since the epoch (a small integer key) */
const dayCache = new Map<number, LocalDay>();

/** Wall-clock parts of an instant in Amsterdam. */
export function amsterdamParts(utcMs: number): LocalParts {
  const localMs = utcMs + amsterdamOffsetMinutes(utcMs) * 60_000;
  const dayNumber = Math.floor(localMs / DAY_MS);
  let day = dayCache.get(dayNumber);
  if (day === undefined) {
    const localDayMs = dayNumber * DAY_MS;
    const d = new Date(localDayMs);
    day = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay(), localDayMs };
    dayCache.set(dayNumber, day);
  }
  return {
    year: day.year,
    month: day.month,
    day: day.day,
    weekday: day.weekday,
    secondOfDay: Math.floor((localMs - day.localDayMs) / 1000),
    localDayMs: day.localDayMs,
  };
}

/**
 * The UTC instant of a local wall-clock time in Amsterdam. Of a repeated time (the autumn night)
 * the first is taken; a time in the spring gap is read with the offset in force before it.
 */
export function amsterdamLocalToUtc(year: number, month: number, day: number, secondOfDay = 0): Date {
  return new Date(zonedLocalToUtcMs(AMSTERDAM, year, month, day, secondOfDay));
}

/** Amsterdam midnight at the start of a local date, as a UTC Date. */
export function amsterdamMidnightUtc(year: number, month: number, day: number): Date {
  return amsterdamLocalToUtc(year, month, day, 0);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** An instant as Amsterdam wall-clock date `YYYY-MM-DD` and time `HH:MM:SS` (the call history's columns). */
export function amsterdamDateTime(utcMs: number): { date: string; time: string } {
  const p = amsterdamParts(utcMs);
  const s = p.secondOfDay;
  return { date: `${p.year}-${pad2(p.month)}-${pad2(p.day)}`, time: `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}` };
}

/** Seconds as `h:mm:ss` (a duration a spreadsheet reads as one). */
export function formatDuration(seconds: number): string {
  return `${Math.floor(seconds / 3600)}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}`;
}
