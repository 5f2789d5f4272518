/**
 * From a canonical Cdr to a RatedCall: the line's subscription and plan version at the call's
 * start, the destination's classification, the price. Pure: everything it needs is in the context,
 * loaded once per run.
 */
import type { Cdr, Reject } from '../domain/cdr.js';
import type { CallingContext, Classification, Destination } from '../numbering/destination.js';
import { versionAt, type PlanVersion, type TariffSet } from '../tariffs/tariff-set.js';
import { rateCall, type Rating } from './rate-call.js';

/** A line on a plan over [fromMs, toMs). */
export interface SubscriptionTerm {
  readonly accountId: string;
  readonly line: string;
  readonly planId: string;
  /** a Vast-Mobiel user's mobile subscription: calls from the mobile device use this plan */
  readonly mobilePlanId?: string | undefined;
  /** the PBX the line is a user of: its extensions and enterprise numbers are on-net */
  readonly pbxId?: string | undefined;
  readonly fromMs: number;
  /** exclusive; Infinity when open */
  readonly toMs: number;
}

export interface RatingContext {
  readonly tariffs: TariffSet;
  readonly classify: (dialled: string, context: CallingContext) => Classification;
  /** line (E.164) → its terms */
  readonly subscriptions: ReadonlyMap<string, readonly SubscriptionTerm[]>;
  /** PBX id → its extensions and on-net numbers */
  readonly onNet?: ReadonlyMap<string, { readonly extensions: ReadonlyMap<string, string>; readonly onNetNumbers: ReadonlySet<string> }>;
}

export interface RatedCall {
  readonly cdr: Cdr;
  readonly accountId: string;
  readonly planId: string;
  readonly destination?: Destination | undefined;
  readonly rating: Rating;
}

export type RateCdrResult = { readonly ok: true; readonly call: RatedCall } | ({ readonly ok: false } & Reject);

/** The subscription term of a line at an instant. */
export function findTerm(terms: readonly SubscriptionTerm[] | undefined, atMs: number): SubscriptionTerm | undefined {
  if (terms === undefined) return undefined;
  for (const t of terms) if (t.fromMs <= atMs && atMs < t.toMs) return t;
  return undefined;
}

/** Rates one CDR, or says why it cannot be rated. */
export function rateCdr(context: RatingContext, cdr: Cdr): RateCdrResult {
  const term = findTerm(context.subscriptions.get(cdr.billedLine), cdr.startedAtMs);
  if (!term) {
    return { ok: false, reason: 'unknown_line', detail: `no customer line ${cdr.billedLine} on ${new Date(cdr.startedAtMs).toISOString()}` };
  }
  // a call is rated by the device it was made from
  const planId = cdr.device === 'mobile' && term.mobilePlanId ? term.mobilePlanId : term.planId;
  const plan = context.tariffs.plans.get(planId);
  const planVersion: PlanVersion | undefined = plan && versionAt(plan.versions, cdr.startedAtMs);
  if (!planVersion) {
    return { ok: false, reason: 'no_tariff', detail: `plan "${planId}" has no version in force on ${new Date(cdr.startedAtMs).toISOString()}` };
  }
  let destination: Destination | undefined;
  if (cdr.direction === 'outgoing') {
    const view = term.pbxId === undefined ? undefined : context.onNet?.get(term.pbxId);
    const classified = context.classify(cdr.calledNumber, view ? { lineE164: cdr.billedLine, ...view } : { lineE164: cdr.billedLine });
    if (!classified.ok) return { ok: false, reason: classified.reason, detail: `called number "${cdr.calledNumber}": ${classified.detail}` };
    destination = classified.destination;
  }
  const rated = rateCall({ cdr, destination, planVersion, tariffs: context.tariffs });
  if (!rated.ok) return rated;
  return { ok: true, call: { cdr, accountId: term.accountId, planId, destination, rating: rated.rating } };
}
