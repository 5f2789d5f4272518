/**
 * Normalises a dialled number to E.164 and classifies its destination under the Dutch numbering plan.
 *
 * Pure: the plan and the calling line come in as arguments. A number that fits no range is never
 * guessed: it is `unknown_destination`, or `invalid_number` when its form or length is wrong.
 *
 * @example
 * const plan = buildNumberingPlan();
 * classifyDestination(plan, '6231234', { lineE164: '+31201234567' });
 * // { ok: true, destination: { number: '+31206231234', category: 'local', areaCode: '020', ... } }
 */
import type { CallingContext, Classification, Destination } from './destination.js';
import { findCountry, type NumberingPlan } from './numbering-plan.js';
import { MUNICIPAL_PREFIX } from './nl-number-ranges.js';

const NL = '31';
const PLAIN_NUMBER = /^\+?\d+$/;
/** Dutch geographic numbers have 9 NSN digits. */
const GEOGRAPHIC_NSN_LENGTH = 9;
const MAX_E164_DIGITS = 15;
const MIN_INTERNATIONAL_NSN = 4;

function reject(reason: 'invalid_number' | 'unknown_destination', detail: string): Classification {
  return { ok: false, reason, detail };
}

/** Destinations all have the same fields (absent ones undefined): one object shape on the hot path. */
function accept(d: Destination): Classification {
  return {
    ok: true,
    destination: {
      number: d.number,
      e164: d.e164,
      category: d.category,
      subclass: d.subclass,
      areaCode: d.areaCode,
      place: d.place,
      country: d.country,
      why: d.why,
    },
  };
}

/**
 * Strips what switches wrap around numbers: `sip:`/`sips:`/`tel:` URIs (user part, parameters
 * dropped), spaces, dashes, dots and brackets. Returns undefined when characters other than
 * digits and a leading `+` remain.
 */
export function cleanDialled(raw: string): string | undefined {
  if (PLAIN_NUMBER.test(raw)) return raw;
  let text = raw.trim();
  const uri = /^(?:sips?|tel):/i.exec(text);
  if (uri) {
    text = text.slice(uri[0].length);
    const at = text.indexOf('@');
    if (at >= 0) text = text.slice(0, at);
    const semicolon = text.indexOf(';');
    if (semicolon >= 0) text = text.slice(0, semicolon);
  }
  text = text.replace(/[\s\-.()/]/g, '');
  return PLAIN_NUMBER.test(text) ? text : undefined;
}

/** The area code of a Dutch geographic E.164 number, if it has one. */
export function areaCodeOf(plan: NumberingPlan, e164: string): { code: string; place: string } | undefined {
  if (!e164.startsWith(`+${NL}`)) return undefined;
  return plan.areaCodes.longestMatch(e164, 3)?.value;
}

function classifyDutch(plan: NumberingPlan, nsn: string, lineAreaCode: string | undefined): Classification {
  const e164 = `+${NL}${nsn}`;
  const area = plan.areaCodes.longestMatch(nsn);
  if (area) {
    const { code, place } = area.value;
    if (nsn.length !== GEOGRAPHIC_NSN_LENGTH) {
      return reject('invalid_number', `${code} (${place}) numbers have ${GEOGRAPHIC_NSN_LENGTH + 1} digits with the 0, got ${nsn.length + 1}`);
    }
    const local = code === lineAreaCode;
    return accept({
      number: e164,
      e164,
      category: local ? 'local' : 'national',
      areaCode: code,
      place,
      why: local ? area.value.localWhy : area.value.nationalWhy,
    });
  }
  const range = plan.ranges.longestMatch(nsn);
  if (range) {
    const r = range.value;
    if (!r.lengths.includes(nsn.length)) {
      const lengths = r.lengths.map((n) => n + 1).join(' or ');
      return reject('invalid_number', `0${r.prefix} numbers have ${lengths} digits with the 0, got ${nsn.length + 1}`);
    }
    return accept({
      number: e164,
      e164,
      category: r.category,
      subclass: r.subclass,
      why: r.description,
    });
  }
  return reject('unknown_destination', `0${nsn.slice(0, 3)}… is in no range of the Dutch numbering plan`);
}

function classifyInternational(plan: NumberingPlan, digits: string, lineAreaCode: string | undefined): Classification {
  if (digits.startsWith(NL)) return classifyDutch(plan, digits.slice(NL.length), lineAreaCode);
  if (digits.length > MAX_E164_DIGITS) {
    return reject('invalid_number', `an international number has at most ${MAX_E164_DIGITS} digits, got ${digits.length}`);
  }
  const country = findCountry(plan, digits);
  if (!country) return reject('unknown_destination', `+${digits.slice(0, 3)}… is not a country calling code`);
  if (digits.length - country.callingCode.length < MIN_INTERNATIONAL_NSN) {
    return reject('invalid_number', `+${country.callingCode} (${country.name}) number too short: +${digits}`);
  }
  return accept({
    number: `+${digits}`,
    e164: `+${digits}`,
    category: 'international',
    country,
    why: country.why,
  });
}

function classifyShortOrLocal(plan: NumberingPlan, digits: string, lineAreaCode: string | undefined): Classification {
  const short = plan.shortCodes.longestMatch(digits);
  if (short && short.value.length === digits.length && !short.value.except?.includes(digits)) {
    const s = short.value;
    return accept({
      number: digits,
      category: s.category,
      subclass: s.subclass,
      why: s.description,
    });
  }
  if (digits.startsWith(`${MUNICIPAL_PREFIX}0`)) {
    const area = plan.areaCodes.longestMatch(digits, MUNICIPAL_PREFIX.length + 1);
    if (area && digits.length === MUNICIPAL_PREFIX.length + area.value.code.length) {
      return accept({
        number: digits,
        category: 'service',
        subclass: 'municipal',
        areaCode: area.value.code,
        place: area.value.place,
        why: `municipal number 14 ${area.value.code} (${area.value.place})`,
      });
    }
  }
  if (lineAreaCode) {
    const localLength = GEOGRAPHIC_NSN_LENGTH - (lineAreaCode.length - 1);
    if (digits.length === localLength) {
      return classifyDutch(plan, lineAreaCode.slice(1) + digits, lineAreaCode);
    }
    return reject('invalid_number', `${digits} is no short code, and a local number in area ${lineAreaCode} has ${localLength} digits`);
  }
  return reject('invalid_number', `${digits} is no short code, and the calling line has no area code for local dialling`);
}

/**
 * Classifies a dialled number as seen from a calling line. Extensions and on-net numbers of the
 * customer (in `context`) make a call on-net.
 */
export function classifyDestination(plan: NumberingPlan, dialled: string, context: CallingContext): Classification {
  const lineArea = areaCodeOf(plan, context.lineE164)?.code;
  const extension = context.extensions?.get(dialled.trim());
  if (extension) {
    const target = classifyNumber(plan, extension, lineArea);
    if (!target.ok) return target;
    return accept(onNet(target.destination, `extension ${dialled.trim()} of the same PBX (${extension})`));
  }
  return markOnNet(classifyNumber(plan, dialled, lineArea), context);
}

/** A carrier (pre)select code: 16xy, then a number with its national or international prefix. */
const CARRIER_PRESELECT = /^16\d\d0/;

/** Classification without the customer's on-net view: depends only on the digits and the line's area. */
export function classifyNumber(plan: NumberingPlan, dialled: string, lineAreaCode: string | undefined): Classification {
  const cleaned = cleanDialled(dialled);
  if (cleaned === undefined) {
    return reject('invalid_number', dialled.trim() === '' ? 'empty number' : `"${dialled}" is not a telephone number`);
  }
  if (CARRIER_PRESELECT.test(cleaned)) {
    // 16xy before a national or international number chooses a carrier: the call goes where the rest goes
    const rest = classifyNumber(plan, cleaned.slice(4), lineAreaCode);
    if (!rest.ok) return rest;
    return accept({ ...rest.destination, why: `${rest.destination.why}; carrier preselect ${cleaned.slice(0, 4)} stripped` });
  }
  if (cleaned.startsWith('+')) return classifyInternational(plan, cleaned.slice(1), lineAreaCode);
  if (cleaned.startsWith('00')) return classifyInternational(plan, cleaned.slice(2), lineAreaCode);
  if (cleaned.startsWith('0')) return classifyDutch(plan, cleaned.slice(1), lineAreaCode);
  return classifyShortOrLocal(plan, cleaned, lineAreaCode);
}

const ON_NET_CANDIDATES = new Set(['local', 'national', 'mobile']);

/** An on-net destination keeps what it reaches as its subclass (a mobile device pays that price). */
function onNet(d: Destination, why: string): Destination {
  return { ...d, category: 'onnet', subclass: d.category, why: `${why}; reaches a ${d.category} number` };
}

function markOnNet(result: Classification, context: CallingContext): Classification {
  if (!result.ok || !context.onNetNumbers || !result.destination.e164) return result;
  const d = result.destination;
  if (!ON_NET_CANDIDATES.has(d.category) || !context.onNetNumbers.has(d.e164!)) return result;
  return accept(onNet(d, `${d.e164} belongs to the same enterprise`));
}

/**
 * A classifier for the ingest hot path: the area code of each calling line is looked up once.
 * (A cache of results was measured slower than classifying: most dialled numbers are unique.)
 */
export function createCachedClassifier(plan: NumberingPlan, maxLines = 1_000_000) {
  const lineAreas = new Map<string, string | null>();
  return function classify(dialled: string, context: CallingContext): Classification {
    if (context.extensions?.has(dialled.trim())) return classifyDestination(plan, dialled, context);
    let area = lineAreas.get(context.lineE164);
    if (area === undefined) {
      area = areaCodeOf(plan, context.lineE164)?.code ?? null;
      if (lineAreas.size >= maxLines) lineAreas.clear();
      lineAreas.set(context.lineE164, area);
    }
    return markOnNet(classifyNumber(plan, dialled, area ?? undefined), context);
  };
}
