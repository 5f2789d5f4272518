/**
 * Pricing, as loaded from `tariffs/`: Plan → PlanVersion → RateDeck(Version) → Rate.
 * Money is in whole micro-euros here (see domain/money.ts); rating turns it into ticks.
 */
import type { Category } from '../numbering/destination.js';
import type { PrefixTrie } from '../numbering/prefix-trie.js';
import type { BandRules } from './time-bands.js';

export const BANDS = ['peak', 'offpeak', 'weekend'] as const;
export type Band = (typeof BANDS)[number];

export interface Rate {
  /** `+44`-style E.164 prefix, or a category key such as `national` or `service:premium` */
  readonly match: string;
  readonly destination: string;
  /** per band; a deck without band columns has the same price in every band */
  readonly pricePerMinuteMicros: Readonly<Record<Band, number>>;
  readonly setupFeeMicros: number;
  readonly firstIncrementSeconds: number;
  readonly nextIncrementSeconds: number;
  readonly minimumSeconds: number;
  readonly capMicros?: number;
  /** where the row came from, for explanations and errors: `file:line` */
  readonly source: string;
}

export interface RateDeckVersion {
  readonly deckId: string;
  /** first local day in force, `YYYY-MM-DD` */
  readonly effectiveFrom: string;
  /** UTC ms of Amsterdam midnight on effectiveFrom */
  readonly effectiveFromMs: number;
  /** rows keyed by E.164 digits (without +) */
  readonly prefixes: PrefixTrie<Rate>;
  /** rows keyed by category or category:subclass */
  readonly categories: ReadonlyMap<string, Rate>;
  readonly rowCount: number;
}

export interface RateDeck {
  readonly id: string;
  /** oldest first */
  readonly versions: readonly RateDeckVersion[];
}

export type AllowanceRule =
  | {
      readonly type: 'unlimited';
      readonly categories: readonly Category[];
      readonly devices: readonly Device[];
    }
  | {
      readonly type: 'bundle';
      readonly id: string;
      readonly minutes: number;
      readonly categories: readonly Category[];
      readonly devices: readonly Device[];
    };

export type Device = 'fixed' | 'mobile';

export interface PlanVersion {
  readonly planId: string;
  readonly effectiveFrom: string;
  readonly effectiveFromMs: number;
  readonly monthlyFeeMicros: number;
  /** looked up in order: the first deck with a matching rate prices the call */
  readonly rateDecks: readonly string[];
  /** a call crossing a band boundary: split into parts, or priced at its start band */
  readonly bandBoundary: 'split' | 'start';
  readonly allowances: readonly AllowanceRule[];
  /** the fair-use rule of its unlimited allowance, if the tariff enables one */
  readonly fairUse?: FairUseRule | undefined;
}

/**
 * Fair use of an unlimited option: customers on plans of the same group are measured per user
 * against the group's average; over `threshold` times it in every month of a window of at least
 * `minimumMonths` months is excessive use.
 */
export interface FairUseRule {
  readonly group: string;
  /** a decimal string, e.g. '3' */
  readonly threshold: string;
  readonly minimumMonths: number;
}

export interface Plan {
  readonly id: string;
  readonly name: string;
  readonly segment: 'residential' | 'business' | 'mobile';
  /** oldest first */
  readonly versions: readonly PlanVersion[];
}

export const CATALOGUE_KINDS = ['profile', 'mobile_subscription', 'user_option', 'plan_user_fee', 'group_option', 'number_block'] as const;
export type CatalogueKind = (typeof CATALOGUE_KINDS)[number];

/** A recurring product of the catalogue (licences, options, number blocks), priced per month. */
export interface CatalogueItem {
  readonly id: string;
  readonly name: string;
  readonly kind: CatalogueKind;
  /** for a plan_user_fee: the plan whose every user pays it */
  readonly plan?: string | undefined;
  /** oldest first */
  readonly versions: readonly { readonly effectiveFrom: string; readonly effectiveFromMs: number; readonly monthlyFeeMicros: number }[];
}

export interface TariffSet {
  readonly plans: ReadonlyMap<string, Plan>;
  readonly catalogue: ReadonlyMap<string, CatalogueItem>;
  /** bundle id → its size; an id means the same bundle in every plan that names it */
  readonly bundles: ReadonlyMap<string, { readonly minutes: number }>;
  readonly rateDecks: ReadonlyMap<string, RateDeck>;
  readonly bandRules: BandRules;
  /** VAT rate as a decimal string, e.g. '0.21' */
  readonly vatRate: string;
}

/** The versions of a dated series in force at some time in [fromMs, toMs), oldest first. */
export function versionsBetween<T extends { readonly effectiveFromMs: number }>(versions: readonly T[], fromMs: number, toMs: number): T[] {
  return versions.filter((v, i) => v.effectiveFromMs < toMs && (versions[i + 1]?.effectiveFromMs ?? Number.POSITIVE_INFINITY) > fromMs);
}

/** The bundles that plans give at some time in [fromMs, toMs): id and size, each once, in the plans' order. */
export function bundlesOfPlans(tariffs: TariffSet, planIds: readonly string[], fromMs: number, toMs: number): { id: string; minutes: number }[] {
  const found = new Map<string, number>();
  for (const planId of planIds) {
    for (const version of versionsBetween(tariffs.plans.get(planId)?.versions ?? [], fromMs, toMs)) {
      for (const a of version.allowances) if (a.type === 'bundle' && !found.has(a.id)) found.set(a.id, a.minutes);
    }
  }
  return [...found].map(([id, minutes]) => ({ id, minutes }));
}

/** The version of a dated series in force at `atMs`, or undefined before the first. */
export function versionAt<T extends { readonly effectiveFromMs: number }>(versions: readonly T[], atMs: number): T | undefined {
  let found: T | undefined;
  for (const v of versions) {
    if (v.effectiveFromMs <= atMs) found = v;
    else break;
  }
  return found;
}
