/**
 * What numbering makes of a dialled number: its E.164 form and its destination category.
 */

/** Destination categories, as the customer portal lists costs (plus the classes rating needs). */
export const CATEGORIES = ['local', 'national', 'mobile', 'international', 'service', 'emergency', 'onnet', 'm2m', 'pager'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Country {
  readonly callingCode: string;
  /** ISO 3166 region, e.g. 'GB' */
  readonly region: string;
  readonly name: string;
}

export interface Destination {
  /** E.164 (`+31201234567`) or, for a short code without an E.164 form, the dialled digits (`1233`). */
  readonly number: string;
  /** E.164 form; absent for short codes. */
  readonly e164?: string | undefined;
  readonly category: Category;
  /** e.g. premium, freephone, personal, short_code, municipal, directory, harmonised, voicemail */
  readonly subclass?: string | undefined;
  /** Dutch area code with its 0, e.g. '020' */
  readonly areaCode?: string | undefined;
  readonly place?: string | undefined;
  readonly country?: Country | undefined;
  /** Why this category, in a sentence for support staff. */
  readonly why: string;
}

export type NumberRejectReason = 'invalid_number' | 'unknown_destination';

export type Classification =
  | { readonly ok: true; readonly destination: Destination }
  | { readonly ok: false; readonly reason: NumberRejectReason; readonly detail: string };

/** What classification needs to know about the calling side. */
export interface CallingContext {
  /** E.164 of the calling (billed) line; its area code makes local dialling work. */
  readonly lineE164: string;
  /** Internal extensions of the customer's PBX → the user's E.164 number. */
  readonly extensions?: ReadonlyMap<string, string>;
  /** Numbers of the same enterprise: calls to them are on-net. */
  readonly onNetNumbers?: ReadonlySet<string>;
}
