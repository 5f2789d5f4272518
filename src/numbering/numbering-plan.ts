/**
 * The numbering plan in memory: built once from the data tables, then read by every classification.
 */
import { COUNTRY_CODES } from './country-codes-data.js';
import type { Country } from './destination.js';
import { NL_AREA_CODES } from './nl-area-codes-data.js';
import { NL_NUMBER_RANGES, NL_SHORT_CODES, type NumberRange, type ShortCode } from './nl-number-ranges.js';
import { PrefixTrie } from './prefix-trie.js';

interface CountryEntry extends Country {
  readonly leadingDigits?: RegExp;
  readonly why: string;
}

export interface AreaCode {
  /** with its 0, e.g. '020' */
  readonly code: string;
  readonly place: string;
  /** explanations, built once */
  readonly localWhy: string;
  readonly nationalWhy: string;
}

export interface NumberingPlan {
  /** NSN prefix ('20', '118') → area code */
  readonly areaCodes: PrefixTrie<AreaCode>;
  /** NSN prefix → non-geographic range */
  readonly ranges: PrefixTrie<NumberRange>;
  readonly shortCodes: PrefixTrie<ShortCode>;
  /** calling code → regions, the main one first */
  readonly countries: PrefixTrie<readonly CountryEntry[]>;
}

/** The Dutch plan and the world's calling codes. Build it once. */
export function buildNumberingPlan(): NumberingPlan {
  const areaCodes = new PrefixTrie<AreaCode>();
  for (const [code, place] of NL_AREA_CODES) {
    const nsnPrefix = code.slice(1);
    if (areaCodes.longestMatch(nsnPrefix)) throw new Error(`area code ${code} overlaps a shorter one`);
    areaCodes.insert(nsnPrefix, {
      code,
      place,
      localWhy: `area code ${code} (${place}) is the calling line's own area: local call`,
      nationalWhy: `area code ${code} (${place}) is not the calling line's area: national call`,
    });
  }
  const ranges = new PrefixTrie<NumberRange>();
  for (const range of NL_NUMBER_RANGES) {
    if (areaCodes.longestMatch(range.prefix)) throw new Error(`range 0${range.prefix} overlaps an area code`);
    ranges.insert(range.prefix, range);
  }
  const shortCodes = new PrefixTrie<ShortCode>();
  for (const code of NL_SHORT_CODES) shortCodes.insert(code.prefix, code);

  const byCode = new Map<string, CountryEntry[]>();
  for (const [callingCode, region, name, main, leadingDigits] of COUNTRY_CODES) {
    const entry: CountryEntry = {
      callingCode,
      region,
      name,
      why: `calling code +${callingCode}: ${name}`,
      ...(leadingDigits ? { leadingDigits: new RegExp(`^(?:${leadingDigits})`) } : {}),
    };
    const list = byCode.get(callingCode) ?? [];
    if (main) list.unshift(entry);
    else list.push(entry);
    byCode.set(callingCode, list);
  }
  const countries = new PrefixTrie<readonly CountryEntry[]>();
  for (const [code, list] of byCode) countries.insert(code, list);
  return { areaCodes, ranges, shortCodes, countries };
}

/** The region of an international number: a region whose leading digits match, else the main one. */
export function findCountry(plan: NumberingPlan, digits: string): (Country & { readonly why: string }) | undefined {
  const match = plan.countries.longestMatch(digits);
  if (!match) return undefined;
  const regions = match.value;
  if (regions.length === 1) return regions[0];
  const national = digits.slice(match.prefix.length);
  return regions.find((r) => r.leadingDigits?.test(national)) ?? regions[0];
}
