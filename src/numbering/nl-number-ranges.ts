/**
 * The non-geographic part of the Dutch numbering plan as data: which national significant number
 * (NSN, without the trunk 0) prefixes exist, how long their numbers are, and how cdrbill classifies
 * them. Geographic area codes are in nl-area-codes-data.ts. Sources:
 * ../shared/reference/nl-numbering/nonGeographic.md (libphonenumber, ACM, RVO).
 */
import type { Category } from './destination.js';

export interface NumberRange {
  /** NSN prefix, e.g. '800' for 0800 */
  readonly prefix: string;
  /** valid NSN lengths */
  readonly lengths: readonly number[];
  readonly category: Category;
  readonly subclass?: string;
  readonly description: string;
}

/** National ranges with an E.164 form (+31 …), other than geographic area codes. */
export const NL_NUMBER_RANGES: readonly NumberRange[] = [
  ...['61', '62', '63', '64', '65', '68'].map(
    (prefix): NumberRange => ({ prefix, lengths: [9], category: 'mobile', description: `mobile number (0${prefix})` }),
  ),
  { prefix: '66', lengths: [9], category: 'pager', description: 'pager number (066)' },
  { prefix: '97', lengths: [11], category: 'm2m', description: 'machine-to-machine number (097)' },
  { prefix: '800', lengths: [7, 10], category: 'service', subclass: 'freephone', description: 'freephone number (0800)' },
  { prefix: '900', lengths: [7, 10], category: 'service', subclass: 'premium', description: 'paid information number (0900)' },
  { prefix: '906', lengths: [7, 10], category: 'service', subclass: 'premium', description: 'paid information number (0906)' },
  { prefix: '909', lengths: [7, 10], category: 'service', subclass: 'premium', description: 'paid information number (0909)' },
  { prefix: '84', lengths: [9], category: 'service', subclass: 'personal', description: 'personal assistant number (084)' },
  { prefix: '87', lengths: [9], category: 'service', subclass: 'personal', description: 'personal assistant number (087)' },
  { prefix: '85', lengths: [9], category: 'national', subclass: 'non_geographic', description: 'location-independent number (085), rated as Dutch fixed' },
  { prefix: '91', lengths: [9], category: 'national', subclass: 'non_geographic', description: 'location-independent number (091), rated as Dutch fixed' },
  { prefix: '88', lengths: [9], category: 'national', subclass: 'company', description: 'company number (088), rated as Dutch fixed' },
];

export interface ShortCode {
  /** leading digits of the dialled short code */
  readonly prefix: string;
  /** total dialled length */
  readonly length: number;
  readonly category: Category;
  readonly subclass?: string;
  readonly description: string;
  /** codes in the prefix that do not exist */
  readonly except?: readonly string[];
}

/** Short codes: dialled nationally only, no trunk 0, no E.164 form. */
export const NL_SHORT_CODES: readonly ShortCode[] = [
  { prefix: '112', length: 3, category: 'emergency', description: 'emergency number 112' },
  { prefix: '911', length: 3, category: 'emergency', description: 'emergency number 911 (redirected to 112)' },
  { prefix: '116', length: 6, category: 'service', subclass: 'harmonised', description: 'harmonised service of social value (116xxx)' },
  { prefix: '113', length: 3, category: 'service', subclass: 'short_code', description: 'suicide prevention line 113' },
  { prefix: '1233', length: 4, category: 'service', subclass: 'voicemail', description: 'voicemail access 1233' },
  { prefix: '1234', length: 4, category: 'service', subclass: 'short_code', description: 'short code 1234' },
  { prefix: '1244', length: 4, category: 'service', subclass: 'short_code', description: 'short code 1244' },
  { prefix: '120', length: 4, category: 'service', subclass: 'short_code', description: 'operator service number (1200–1209)' },
  { prefix: '130', length: 4, category: 'service', subclass: 'short_code', description: 'short code 130x' },
  ...['133', '134', '135', '136', '137', '138', '139'].map(
    (prefix): ShortCode => ({ prefix, length: 4, category: 'service', subclass: 'short_code', description: `short code ${prefix}x` }),
  ),
  { prefix: '1400', length: 4, category: 'service', subclass: 'short_code', description: 'government information number 1400' },
  { prefix: '18', length: 4, category: 'service', subclass: 'directory', description: 'directory enquiries (18xy)', except: ['1818'] },
];

/** Municipal numbers: 14 followed by an area code including its 0 (14 020, 14 0118). */
export const MUNICIPAL_PREFIX = '14';
