/**
 * Money in cdrbill.
 *
 * Two representations, one rule: no JavaScript `number` ever holds a fractional amount of euros.
 *
 * - **Ticks** (`bigint`-safe integers held in `number`, always whole) are what rating produces. One tick
 *   is 1/60 of a micro-euro, so that a per-minute price in micro-euros times a number of seconds is
 *   exact: `ticks = pricePerMinuteMicros * billedSeconds`. A setup fee of 0.045 EUR is
 *   45_000 µEUR = 2_700_000 ticks. Nothing is rounded while rating or summing calls; a per-call amount
 *   is exact however odd the increment.
 * - **Decimal** (decimal.js) is what billing uses once ticks become euros: invoice lines are rounded
 *   half-up to cents exactly once, and VAT is computed per VAT rate on the rounded lines.
 *
 * Prices in data files are strings (`"0.0125"`) with at most six decimals (whole micro-euros).
 *
 * @example
 * const perMinute = parsePriceMicros('0.0125', 'price_per_minute'); // 12_500
 * ticksToEuros(perMinute * 61).toFixed(8); // '0.01270833'
 */
import { Decimal } from 'decimal.js';

export { Decimal };

/** Ticks per euro: 1_000_000 micro-euros × 60. */
export const TICKS_PER_EURO = 60_000_000;
/** Ticks per micro-euro. */
export const TICKS_PER_MICRO = 60;

Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

const PRICE_PATTERN = /^(\d{1,9})(?:\.(\d{1,6}))?$/;

export class MoneyFormatError extends Error {}

/**
 * Parses a non-negative euro amount with at most six decimals into whole micro-euros.
 * Throws MoneyFormatError naming `field` when the text is not such an amount.
 */
export function parsePriceMicros(text: string, field: string): number {
  const match = PRICE_PATTERN.exec(text.trim());
  if (!match) {
    throw new MoneyFormatError(`${field}: expected a euro amount like "0.0125" (at most 6 decimals), got "${text}"`);
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return whole * 1_000_000 + fraction;
}

/** Exact euro value of a tick count (or of a decimal string of ticks, as summed by SQL). */
export function ticksToEuros(ticks: number | bigint | string): Decimal {
  return new Decimal(ticks.toString()).div(TICKS_PER_EURO);
}

/** Rounds half-up to cents: the one rounding an amount gets, at the invoice line. */
export function roundToCents(euros: Decimal): Decimal {
  return euros.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** An amount of euros for people and JSON: a string with exactly `places` decimals. */
export function formatEuros(euros: Decimal, places = 2): string {
  return euros.toFixed(places, Decimal.ROUND_HALF_UP);
}

const BIG_TICKS_PER_EURO = BigInt(TICKS_PER_EURO);
/** Ticks per unit shown with 0..6 decimals (a table: the power was 2 % of the portal's CPU) */
const TICKS_PER_SHOWN_UNIT = Array.from({ length: 7 }, (_, places) => TICKS_PER_EURO / 10 ** places);

/**
 * A tick amount shown with `places` decimals, rounded half away from zero, as
 * `formatEuros(ticksToEuros(ticks), places)` writes it (display only; the stored value stays exact).
 * In integers, not Decimal (the call history formats two amounts per call): in doubles while the
 * tick count is a safe integer, else in BigInt.
 */
export function formatTicks(ticks: number | bigint | string, places = 6): string {
  const perUnit = TICKS_PER_SHOWN_UNIT[places];
  if (perUnit !== undefined && typeof ticks !== 'bigint') {
    // in doubles, exact: a safe integer divided by a whole number of ticks per unit shown
    const n = typeof ticks === 'number' ? ticks : Number(ticks);
    if (Number.isSafeInteger(n)) {
      const magnitude = Math.abs(n);
      const rest = magnitude % perUnit;
      const units = (magnitude - rest) / perUnit + (rest * 2 >= perUnit ? 1 : 0);
      const digits = String(units).padStart(places + 1, '0');
      const sign = n < 0 ? '-' : '';
      return places === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
    }
  }
  const t = BigInt(ticks);
  const negative = t < 0n;
  const scaled = (negative ? -t : t) * 10n ** BigInt(places);
  let units = scaled / BIG_TICKS_PER_EURO;
  if ((scaled % BIG_TICKS_PER_EURO) * 2n >= BIG_TICKS_PER_EURO) units++;
  const digits = units.toString().padStart(places + 1, '0');
  const sign = negative ? '-' : '';
  return places === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
