/**
 * Prices one hypothetical call with the loaded tariffs, for support staff: the same rateCdr the
 * ingest uses, on a Cdr built from the question.
 */
import { formatTicks } from '../domain/money.js';
import type { Device } from '../domain/cdr.js';
import { rateCdr, type SubscriptionTerm } from '../rating/rate-cdr.js';
import type { Database } from '../store/database.js';
import { loadRatingContext } from './ingest-files.js';

export interface PriceQuestion {
  readonly line: string;
  readonly dialled: string;
  readonly startedAtMs: number;
  readonly seconds: number;
  readonly device: Device;
  /** price under this plan instead of the line's subscription */
  readonly planId?: string;
}

/** Why a call costs what it costs; euro amounts as exact decimal strings. */
export interface PriceExplanation {
  readonly e164: string | null;
  readonly category: string | null;
  readonly subclass: string | null;
  readonly destination: string | null;
  readonly why: string | null;
  readonly plan: string;
  readonly tariffVersion: string;
  readonly prefix: string;
  readonly ratePerMinute: string | null;
  readonly answeredSeconds: number;
  readonly billedSeconds: number;
  readonly bands: readonly { readonly band: string; readonly seconds: number; readonly price: string }[];
  readonly setupFee: string;
  readonly capped: boolean;
  readonly listPrice: string;
  readonly allowance: string | null;
  readonly charged: string;
  readonly note: string | null;
}

export type PriceAnswer =
  | { readonly ok: true; readonly explanation: PriceExplanation }
  | { readonly ok: false; readonly reason: string; readonly detail: string };

export async function explainPrice(database: Database, question: PriceQuestion): Promise<PriceAnswer> {
  const context = await loadRatingContext(database);
  let subscriptions = context.subscriptions;
  if (question.planId) {
    if (!context.tariffs.plans.has(question.planId)) return { ok: false, reason: 'no_tariff', detail: `no plan "${question.planId}"` };
    const term: SubscriptionTerm = { accountId: '(what-if)', line: question.line, planId: question.planId, fromMs: -Infinity, toMs: Infinity };
    subscriptions = new Map([[question.line, [term]]]);
  }
  const result = rateCdr(
    { ...context, subscriptions },
    {
      source: 'price',
      recordId: 'what-if',
      startedAtMs: question.startedAtMs,
      setupAtMs: undefined,
      answered: true,
      answeredSeconds: question.seconds,
      callingNumber: question.line,
      calledNumber: question.dialled,
      direction: 'outgoing',
      billedLine: question.line,
      device: question.device,
    },
  );
  if (!result.ok) return result;
  const { call } = result;
  const { rating, destination } = call;
  return {
    ok: true,
    explanation: {
      e164: destination?.e164 ?? null,
      category: destination?.category ?? null,
      subclass: destination?.subclass ?? null,
      destination: destination?.country?.name ?? destination?.place ?? null,
      why: destination?.why ?? null,
      plan: call.planId,
      tariffVersion: rating.tariffVersion,
      prefix: rating.rateMatch,
      ratePerMinute: rating.ratePerMinuteMicros === undefined ? null : formatTicks(rating.ratePerMinuteMicros * 60, 6),
      answeredSeconds: question.seconds,
      billedSeconds: rating.billedSeconds,
      bands: rating.bands.map((b) => ({ band: b.band, seconds: b.seconds, price: formatTicks(b.ticks) })),
      setupFee: formatTicks(rating.setupFeeTicks),
      capped: rating.capped,
      listPrice: formatTicks(rating.listPriceTicks),
      allowance: rating.allowance ?? null,
      charged: formatTicks(rating.chargedTicks),
      note: rating.allowance?.startsWith('bundle:')
        ? "a bundle may cover this call: what it covers depends on the month's earlier calls"
        : rating.freeReason
          ? `free: ${rating.freeReason}`
          : null,
    },
  };
}
