/**
 * Dutch public holidays, computed per year. Which of them a tariff treats as holidays is data
 * (`holidays` in the time-band rules).
 */
export const DUTCH_HOLIDAYS = [
  'nieuwjaarsdag',
  'goede_vrijdag',
  'eerste_paasdag',
  'tweede_paasdag',
  'koningsdag',
  'bevrijdingsdag',
  'hemelvaartsdag',
  'eerste_pinksterdag',
  'tweede_pinksterdag',
  'eerste_kerstdag',
  'tweede_kerstdag',
] as const;
export type DutchHoliday = (typeof DUTCH_HOLIDAYS)[number];

/** Easter Sunday (Gregorian, anonymous algorithm) as [month, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

function isoDate(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 10);
}

/** The holidays of a year as `YYYY-MM-DD` → name. */
export function dutchHolidays(year: number): Map<string, DutchHoliday> {
  const [em, ed] = easterSunday(year);
  const easter = Date.UTC(year, em - 1, ed);
  const day = 86_400_000;
  const kingsDay = Date.UTC(year, 3, 27);
  const result = new Map<string, DutchHoliday>();
  result.set(isoDate(Date.UTC(year, 0, 1)), 'nieuwjaarsdag');
  result.set(isoDate(easter - 2 * day), 'goede_vrijdag');
  result.set(isoDate(easter), 'eerste_paasdag');
  result.set(isoDate(easter + day), 'tweede_paasdag');
  // Koningsdag moves to the 26th when the 27th is a Sunday.
  result.set(isoDate(new Date(kingsDay).getUTCDay() === 0 ? kingsDay - day : kingsDay), 'koningsdag');
  result.set(isoDate(Date.UTC(year, 4, 5)), 'bevrijdingsdag');
  result.set(isoDate(easter + 39 * day), 'hemelvaartsdag');
  result.set(isoDate(easter + 49 * day), 'eerste_pinksterdag');
  result.set(isoDate(easter + 50 * day), 'tweede_pinksterdag');
  result.set(isoDate(Date.UTC(year, 11, 25)), 'eerste_kerstdag');
  result.set(isoDate(Date.UTC(year, 11, 26)), 'tweede_kerstdag');
  return result;
}
