import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cdr } from '../domain/cdr.js';
import type { Destination } from '../numbering/destination.js';
import { buildNumberingPlan } from '../numbering/numbering-plan.js';
import { classifyDestination } from '../numbering/classify-destination.js';
import { parseTariffFiles } from '../tariffs/parse-tariff-files.js';
import type { PlanVersion, TariffSet } from '../tariffs/tariff-set.js';
import { billedSeconds, rateCall } from './rate-call.js';

const PLANS = JSON.stringify({
  vatRate: '0.21',
  timeBands: {
    peak: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '19:00' },
    weekend: { days: ['sat', 'sun'] },
    holidays: ['eerste_kerstdag', 'koningsdag'],
  },
  plans: [
    { id: 'split', name: 'Split', segment: 'residential', versions: [{ from: '2026-01-01', monthlyFee: '1', rateDecks: ['deck'], bandBoundary: 'split' }] },
    { id: 'start', name: 'Start', segment: 'residential', versions: [{ from: '2026-01-01', monthlyFee: '1', rateDecks: ['deck'], bandBoundary: 'start' }] },
    {
      id: 'unlimited',
      name: 'Unlimited',
      segment: 'residential',
      versions: [
        {
          from: '2026-01-01',
          monthlyFee: '1',
          rateDecks: ['deck'],
          allowances: [{ type: 'unlimited', categories: ['local', 'national'], devices: ['fixed'] }],
        },
      ],
    },
  ],
});
const DECK_2026 = `prefix,destination,price_per_minute,price_peak,price_offpeak,price_weekend,setup_fee,first_increment,next_increment,minimum_seconds,cap
national,National,0.0150,0.0600,0.0120,0.0060,0.0450,60,60,0,
local,Local,0.0150,0.0600,0.0120,0.0060,0.0450,60,60,0,
mobile,Mobile,0.0900,,,,0.0000,30,1,0,
international,Other,0.6000,,,,0.0000,1,1,0,
+44,UK,0.0500,,,,0.0000,60,60,0,
+447,UK mobile,0.1800,,,,0.0000,60,60,0,
+4477,UK mobile 77,0.2000,,,,0.0000,60,60,0,
service:premium,Premium,1.0000,,,,0.0000,60,60,120,2.5000
`;
const DECK_NOV = DECK_2026.replace('+44,UK,0.0500', '+44,UK,0.0700');
const tariffs: TariffSet = parseTariffFiles([
  { path: 'plans.json', text: PLANS },
  { path: 'rate-decks/deck/2026-01-01.csv', text: DECK_2026 },
  { path: 'rate-decks/deck/2026-11-15.csv', text: DECK_NOV },
]);
const numbering = buildNumberingPlan();
const LINE = '+31201234567';

function version(planId: string): PlanVersion {
  return tariffs.plans.get(planId)!.versions[0]!;
}

function cdrAt(startedAt: string, seconds: number | null, overrides: Partial<Cdr> = {}): Cdr {
  return {
    source: 't',
    recordId: 'r',
    startedAtMs: Date.parse(startedAt),
    setupAtMs: undefined,
    answered: seconds !== null,
    answeredSeconds: seconds ?? 0,
    callingNumber: LINE,
    calledNumber: 'x',
    direction: 'outgoing',
    billedLine: LINE,
    device: 'fixed',
    ...overrides,
  };
}

function dest(dialled: string): Destination {
  const result = classifyDestination(numbering, dialled, { lineE164: LINE });
  if (!result.ok) throw new Error(result.detail);
  return result.destination;
}

function rate(dialled: string, startedAt: string, seconds: number | null, plan = 'split', overrides: Partial<Cdr> = {}) {
  const result = rateCall({ cdr: cdrAt(startedAt, seconds, overrides), destination: dest(dialled), planVersion: version(plan), tariffs });
  if (!result.ok) throw new Error(result.detail);
  return result.rating;
}

/** Ticks for euros: 1 EUR = 60,000,000 ticks. */
const eur = (text: string): number => Math.round(Number(text) * 1e6) * 60;

describe('billedSeconds', () => {
  it.each([
    [0, 60, 60, 0, 0],
    [1, 60, 60, 0, 60],
    [60, 60, 60, 0, 60],
    [61, 60, 60, 0, 120],
    [0, 30, 1, 0, 0],
    [1, 30, 1, 0, 30],
    [60, 30, 1, 0, 60],
    [61, 30, 1, 0, 61],
    [0, 1, 1, 0, 0],
    [1, 1, 1, 0, 1],
    [60, 1, 1, 0, 60],
    [61, 1, 1, 0, 61],
    [10, 1, 1, 120, 120],
    [130, 60, 60, 120, 180],
  ])('%i s under %i/%i, minimum %i → %i s', (seconds, first, next, minimum, expected) => {
    expect(billedSeconds(seconds, { firstIncrementSeconds: first, nextIncrementSeconds: next, minimumSeconds: minimum })).toBe(expected);
  });
});

describe('rateCall', () => {
  const weekdayOffpeak = '2026-10-06T21:00:00+02:00'; // Tuesday 21:00

  it('charges the setup fee on answered calls only', () => {
    expect(rate('0101234567', weekdayOffpeak, 0)).toMatchObject({ setupFeeTicks: eur('0.045'), listPriceTicks: eur('0.045'), billedSeconds: 0 });
    expect(rate('0101234567', weekdayOffpeak, null)).toMatchObject({ listPriceTicks: 0, freeReason: 'unanswered' });
  });

  it('prices 61 s at 60/60 as two minutes plus setup', () => {
    expect(rate('0101234567', weekdayOffpeak, 61)).toMatchObject({
      billedSeconds: 120,
      listPriceTicks: eur('0.045') + 2 * eur('0.012'),
      bands: [{ band: 'offpeak', seconds: 120 }],
    });
  });

  it('prices 30/1 per second after the first 30 s, exactly', () => {
    const r = rate('0612345678', weekdayOffpeak, 61);
    expect(r.billedSeconds).toBe(61);
    expect(r.listPriceTicks).toBe(61 * 90_000); // 0.09 EUR/min = 90,000 µEUR/min × 61 s
  });

  it('applies the minimum and the cap', () => {
    expect(rate('09001234', weekdayOffpeak, 10)).toMatchObject({ billedSeconds: 120, listPriceTicks: eur('2.00'), capped: false });
    expect(rate('09001234', weekdayOffpeak, 600)).toMatchObject({ billedSeconds: 600, listPriceTicks: eur('2.50'), capped: true });
  });

  it('matches the longest prefix', () => {
    expect(rate('00442071234567', weekdayOffpeak, 60)).toMatchObject({ rateMatch: '+44', listPriceTicks: eur('0.05') });
    expect(rate('00447912345678', weekdayOffpeak, 60)).toMatchObject({ rateMatch: '+447', listPriceTicks: eur('0.18') });
    expect(rate('00447712345678', weekdayOffpeak, 60)).toMatchObject({ rateMatch: '+4477', listPriceTicks: eur('0.20') });
    expect(rate('0033123456789', weekdayOffpeak, 1)).toMatchObject({ rateMatch: 'international', listPriceTicks: eur('0.01') });
  });

  it('uses the deck version in force at the call start, also mid-month', () => {
    expect(rate('00442071234567', '2026-11-14T23:59:59+01:00', 60)).toMatchObject({
      listPriceTicks: eur('0.05'),
      tariffVersion: 'split@2026-01-01 deck@2026-01-01',
    });
    expect(rate('00442071234567', '2026-11-15T00:00:00+01:00', 60)).toMatchObject({
      listPriceTicks: eur('0.07'),
      tariffVersion: 'split@2026-01-01 deck@2026-11-15',
    });
  });

  it('splits a weekday call crossing 08:00, or prices it at its start band', () => {
    const start = '2026-10-06T07:58:30+02:00'; // 90 s before 08:00 … billed 240 s
    expect(rate('0101234567', start, 200, 'split').bands).toEqual([
      { band: 'offpeak', seconds: 90, ticks: 90 * 12_000 },
      { band: 'peak', seconds: 150, ticks: 150 * 60_000 },
    ]);
    expect(rate('0101234567', start, 200, 'start').bands).toEqual([{ band: 'offpeak', seconds: 240, ticks: 240 * 12_000 }]);
  });

  it('prices a weekend and a public holiday at the weekend band all day', () => {
    expect(rate('0101234567', '2026-10-10T08:00:00+02:00', 60).bands).toEqual([{ band: 'weekend', seconds: 60, ticks: 60 * 6_000 }]); // Saturday
    expect(rate('0101234567', '2026-12-25T10:00:00+01:00', 60).bands).toEqual([{ band: 'weekend', seconds: 60, ticks: 60 * 6_000 }]); // Christmas, Friday
    expect(rate('0101234567', '2026-04-27T10:00:00+02:00', 60).bands[0]!.band).toBe('weekend'); // Koningsdag, Monday
    // Friday 18:59 into the weekend? No: Friday 23:59 → Saturday 00:00 crosses to weekend
    expect(rate('0101234567', '2026-10-09T23:59:00+02:00', 120).bands.map((b) => [b.band, b.seconds])).toEqual([
      ['offpeak', 60],
      ['weekend', 60],
    ]);
  });

  it('keeps wall-clock bands on both DST nights in Europe/Amsterdam', () => {
    // 2026-03-29: 02:00 CET → 03:00 CEST. A call at 01:59 CET lasting into CEST stays off-peak (Sunday → weekend).
    expect(rate('0101234567', '2026-03-29T01:59:00+01:00', 120).bands).toEqual([{ band: 'weekend', seconds: 120, ticks: 120 * 6_000 }]);
    // Monday after the spring change: 07:59 CEST is off-peak, 08:00 CEST peak
    expect(rate('0101234567', '2026-03-30T07:59:00+02:00', 120).bands.map((b) => b.band)).toEqual(['offpeak', 'peak']);
    // Monday after the autumn change (2026-10-25): 07:59 CET off-peak, 08:00 CET peak
    expect(rate('0101234567', '2026-10-26T07:59:00+01:00', 120).bands.map((b) => [b.band, b.seconds])).toEqual([
      ['offpeak', 60],
      ['peak', 60],
    ]);
  });

  it('bills real seconds through the autumn night, when 02:00-03:00 happens twice', () => {
    // 2026-10-25 02:30 CEST, lasting 1 h 10 min: ends 02:40 CET. A Sunday: weekend all through.
    const r = rate('0101234567', '2026-10-25T02:30:00+02:00', 4200);
    expect(r).toMatchObject({ billedSeconds: 4200, bands: [{ band: 'weekend', seconds: 4200, ticks: 4200 * 6_000 }] });
    // across the spring gap (02:00 CET → 03:00 CEST) a 30-minute call is 30 minutes, not 90
    expect(rate('0101234567', '2026-03-29T01:45:00+01:00', 1800).billedSeconds).toBe(1800);
    // the Monday after the spring night: 07:59:30 CEST + 60 s → 30 s off-peak, 30 s peak under split
    expect(rate('0101234567', '2026-03-30T07:59:30+02:00', 60).bands.map((b) => [b.band, b.seconds])).toEqual([
      ['offpeak', 30],
      ['peak', 30],
    ]);
  });

  it('prefers a prefix row over a category row, and the longer of two prefixes', () => {
    // +447 and +44 both match 447…; the longer wins. The category row "international" is the fallback.
    expect(rate('00447912345678', '2026-10-06T21:00:00+02:00', 60).rateMatch).toBe('+447');
    expect(rate('0033123456789', '2026-10-06T21:00:00+02:00', 60).rateMatch).toBe('international');
  });

  it('rates incoming, emergency, freephone and fixed on-net calls at zero', () => {
    expect(rate('0101234567', weekdayOffpeak, 60, 'split', { direction: 'incoming' })).toMatchObject({ listPriceTicks: 0, freeReason: 'incoming' });
    expect(rate('112', weekdayOffpeak, 60)).toMatchObject({ listPriceTicks: 0, freeReason: 'emergency' });
    expect(rate('08001234', weekdayOffpeak, 60)).toMatchObject({ listPriceTicks: 0, freeReason: 'freephone' });
  });

  it('covers Dutch fixed calls under an unlimited plan at zero, keeping the list price', () => {
    const r = rate('0101234567', weekdayOffpeak, 60, 'unlimited');
    expect(r).toMatchObject({ allowance: 'unlimited', chargedTicks: 0 });
    expect(r.listPriceTicks).toBeGreaterThan(0);
    expect(rate('0612345678', weekdayOffpeak, 60, 'unlimited')).toMatchObject({ chargedTicks: 60 * 90_000 });
    expect(rate('0101234567', weekdayOffpeak, 60, 'unlimited', { device: 'mobile' }).chargedTicks).toBeGreaterThan(0);
  });

  it('rejects a destination without a rate', () => {
    const result = rateCall({ cdr: cdrAt(weekdayOffpeak, 60), destination: dest('0662345678'), planVersion: version('split'), tariffs });
    expect(result).toMatchObject({ ok: false, reason: 'no_rate' });
  });
});

describe('properties', () => {
  const dialled = fc.constantFrom('0101234567', '0612345678', '00442071234567', '00447912345678', '09001234', '0033123456789');
  const start = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') }).map((ms) => new Date(ms).toISOString());
  const plan = fc.constantFrom('split', 'start', 'unlimited');

  it('a price is never negative and never lower for a longer call', () => {
    fc.assert(
      fc.property(dialled, start, fc.integer({ min: 0, max: 7200 }), fc.integer({ min: 0, max: 600 }), plan, (number, at, seconds, extra, p) => {
        const shorter = rate(number, at, seconds, p);
        const longer = rate(number, at, seconds + extra, p);
        expect(shorter.listPriceTicks).toBeGreaterThanOrEqual(0);
        expect(shorter.chargedTicks).toBeGreaterThanOrEqual(0);
        expect(longer.listPriceTicks).toBeGreaterThanOrEqual(shorter.listPriceTicks);
        expect(Number.isSafeInteger(longer.listPriceTicks)).toBe(true);
        expect(longer.bands.reduce((s, b) => s + b.seconds, 0)).toBe(longer.billedSeconds);
      }),
      { numRuns: 1500 },
    );
  });
});
