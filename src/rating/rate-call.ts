/**
 * Prices one call at list price under the plan version and rate deck in force at its start, and marks
 * the allowance that covers it. Pure and allocation-free beyond its result: tariffs come in loaded.
 *
 * Amounts are exact integer ticks (1/60 µEUR, see domain/money.ts): a per-minute price in µEUR times
 * seconds.
 */
import type { Cdr, Reject } from '../domain/cdr.js';
import { TICKS_PER_MICRO } from '../domain/money.js';
import type { Category, Destination } from '../numbering/destination.js';
import { versionAt, type AllowanceRule, type Band, type PlanVersion, type Rate, type RateDeckVersion, type TariffSet } from '../tariffs/tariff-set.js';
import { bandAt, splitIntoBands } from '../tariffs/time-bands.js';

export type FreeReason = 'incoming' | 'unanswered' | 'emergency' | 'freephone' | 'onnet';

export interface BandCharge {
  readonly band: Band;
  readonly seconds: number;
  readonly ticks: number;
}

/** Why a call costs what it costs. */
export interface Rating {
  readonly billedSeconds: number;
  readonly setupFeeTicks: number;
  readonly listPriceTicks: number;
  /** list price less what an unlimited allowance covers; bundles are applied later by allocation */
  readonly chargedTicks: number;
  /** billed seconds an allowance covers: all of them under unlimited; bundles: set by allocation */
  readonly coveredSeconds: number;
  /** `plan@from deck@from`, empty for calls free by rule */
  readonly tariffVersion: string;
  /** the rate row matched: an E.164 prefix such as `+44`, or a category key such as `national` */
  readonly rateMatch: string;
  readonly ratePerMinuteMicros?: number | undefined;
  readonly bands: readonly BandCharge[];
  readonly capped: boolean;
  /** `unlimited` or `bundle:<id>` */
  readonly allowance?: string | undefined;
  readonly freeReason?: FreeReason;
}

export interface RateCallInput {
  readonly cdr: Cdr;
  /** absent for incoming legs */
  readonly destination?: Destination | undefined;
  readonly planVersion: PlanVersion;
  readonly tariffs: TariffSet;
}

export type RateCallResult = { readonly ok: true; readonly rating: Rating } | ({ readonly ok: false } & Reject);

function free(freeReason: FreeReason): RateCallResult {
  return {
    ok: true,
    rating: {
      billedSeconds: 0,
      setupFeeTicks: 0,
      listPriceTicks: 0,
      chargedTicks: 0,
      coveredSeconds: 0,
      tariffVersion: '',
      rateMatch: '',
      bands: [],
      capped: false,
      freeReason,
    },
  };
}

/**
 * Seconds billed for `answeredSeconds` under a rate: at least the minimum, the first increment, then
 * whole next increments. A call answered for 0 seconds bills 0 seconds (its setup fee still applies).
 *
 * @example
 * billedSeconds(61, { firstIncrementSeconds: 60, nextIncrementSeconds: 60, minimumSeconds: 0 }); // 120
 * billedSeconds(61, { firstIncrementSeconds: 30, nextIncrementSeconds: 1, minimumSeconds: 0 }); // 61
 */
export function billedSeconds(answeredSeconds: number, rate: Pick<Rate, 'firstIncrementSeconds' | 'nextIncrementSeconds' | 'minimumSeconds'>): number {
  if (answeredSeconds <= 0) return 0;
  const seconds = Math.max(answeredSeconds, rate.minimumSeconds);
  if (seconds <= rate.firstIncrementSeconds) return rate.firstIncrementSeconds;
  const rest = seconds - rate.firstIncrementSeconds;
  return rate.firstIncrementSeconds + Math.ceil(rest / rate.nextIncrementSeconds) * rate.nextIncrementSeconds;
}

/** The category a call is priced as: an on-net call from a mobile device is priced as what it reaches. */
function pricedCategory(destination: Destination): Category {
  if (destination.category === 'onnet') return (destination.subclass as Category | undefined) ?? 'national';
  return destination.category;
}

const versionLabels = new WeakMap<PlanVersion, Map<RateDeckVersion, string>>();

/** `plan@from deck@from`, built once per pair. */
function versionLabel(planVersion: PlanVersion, deckVersion: RateDeckVersion): string {
  let byDeck = versionLabels.get(planVersion);
  if (!byDeck) {
    byDeck = new Map();
    versionLabels.set(planVersion, byDeck);
  }
  let label = byDeck.get(deckVersion);
  if (label === undefined) {
    label = `${planVersion.planId}@${planVersion.effectiveFrom} ${deckVersion.deckId}@${deckVersion.effectiveFrom}`;
    byDeck.set(deckVersion, label);
  }
  return label;
}

/** Every tariff version label the set can give a call, and '' (a free call's). */
export function tariffVersionLabels(tariffs: TariffSet): string[] {
  const labels = [''];
  for (const plan of tariffs.plans.values()) {
    for (const planVersion of plan.versions) {
      for (const deckId of planVersion.rateDecks) {
        for (const deckVersion of tariffs.rateDecks.get(deckId)?.versions ?? []) labels.push(versionLabel(planVersion, deckVersion));
      }
    }
  }
  return labels;
}

interface FoundRate {
  readonly rate: Rate;
  readonly version: string;
}

/** The first deck of the plan version with a rate for the destination: longest prefix, then category. */
export function findRate(tariffs: TariffSet, planVersion: PlanVersion, destination: Destination, atMs: number): FoundRate | undefined {
  const category = pricedCategory(destination);
  const digits = destination.e164?.slice(1);
  for (const deckId of planVersion.rateDecks) {
    const deck = tariffs.rateDecks.get(deckId);
    const version = deck && versionAt(deck.versions, atMs);
    if (!version) continue;
    const rate =
      (digits && version.prefixes.longestMatch(digits)?.value) ||
      (destination.subclass && version.categories.get(`${category}:${destination.subclass}`)) ||
      version.categories.get(category);
    if (rate) return { rate, version: versionLabel(planVersion, version) };
  }
  return undefined;
}

function coveringAllowance(rules: readonly AllowanceRule[], category: Category, device: Cdr['device']): AllowanceRule | undefined {
  return rules.find((r) => r.categories.includes(category) && r.devices.includes(device));
}

/** Prices one call. */
export function rateCall(input: RateCallInput): RateCallResult {
  const { cdr, destination, planVersion, tariffs } = input;
  if (cdr.direction === 'incoming' || !destination) return free('incoming');
  if (!cdr.answered) return free('unanswered');
  if (destination.category === 'emergency') return free('emergency');
  if (destination.category === 'service' && destination.subclass === 'freephone') return free('freephone');
  if (destination.category === 'onnet' && cdr.device === 'fixed') return free('onnet');

  const found = findRate(tariffs, planVersion, destination, cdr.startedAtMs);
  if (!found) {
    return {
      ok: false,
      reason: 'no_rate',
      detail: `no rate for ${destination.number} (${destination.category}${destination.subclass ? `:${destination.subclass}` : ''}) in ${planVersion.rateDecks.join(', ')}`,
    };
  }
  const { rate } = found;
  const seconds = billedSeconds(cdr.answeredSeconds, rate);
  const parts =
    planVersion.bandBoundary === 'split'
      ? splitIntoBands(tariffs.bandRules, cdr.startedAtMs, seconds)
      : seconds > 0
        ? [{ band: bandAt(tariffs.bandRules, cdr.startedAtMs), seconds }]
        : [];
  const bands: BandCharge[] = [];
  const setupFeeTicks = rate.setupFeeMicros * TICKS_PER_MICRO;
  let listPriceTicks = setupFeeTicks;
  for (const part of parts) {
    const ticks = part.seconds * rate.pricePerMinuteMicros[part.band];
    bands.push({ band: part.band, seconds: part.seconds, ticks });
    listPriceTicks += ticks;
  }
  const capTicks = rate.capMicros === undefined ? undefined : rate.capMicros * TICKS_PER_MICRO;
  const capped = capTicks !== undefined && listPriceTicks > capTicks;
  if (capped) listPriceTicks = capTicks;
  if (!Number.isSafeInteger(listPriceTicks)) throw new Error(`price overflow rating ${cdr.source}/${cdr.recordId}`);

  const allowance = coveringAllowance(planVersion.allowances, pricedCategory(destination), cdr.device);
  const firstBand = bands[0];
  const rating: Rating = {
    billedSeconds: seconds,
    setupFeeTicks,
    listPriceTicks,
    chargedTicks: allowance?.type === 'unlimited' ? 0 : listPriceTicks,
    coveredSeconds: allowance?.type === 'unlimited' ? seconds : 0,
    tariffVersion: found.version,
    rateMatch: rate.match,
    ratePerMinuteMicros: firstBand ? rate.pricePerMinuteMicros[firstBand.band] : undefined,
    bands,
    capped,
    allowance: allowance === undefined ? undefined : allowance.type === 'unlimited' ? 'unlimited' : `bundle:${allowance.id}`,
  };
  return { ok: true, rating };
}
