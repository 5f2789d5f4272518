import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyDestination, cleanDialled, createCachedClassifier } from './classify-destination.js';
import { NL_AREA_CODES } from './nl-area-codes-data.js';
import { buildNumberingPlan } from './numbering-plan.js';

const plan = buildNumberingPlan();
const AMSTERDAM = '+31201234567';
const MIDDELBURG = '+31118123456';

function classify(dialled: string, line = AMSTERDAM) {
  return classifyDestination(plan, dialled, { lineE164: line });
}

/** A valid subscriber part for an area code: 9 NSN digits in all. */
function numberIn(code: string): string {
  return code + '2345678901'.slice(0, 10 - code.length);
}

describe('every Dutch area code', () => {
  it.each(NL_AREA_CODES.map(([code, place]) => [code, place]))('%s (%s): local from its own area, national from another', (code, place) => {
    const national = numberIn(code);
    const line = `+31${numberIn(code).slice(1)}`;
    const own = classify(national, line);
    expect(own).toMatchObject({ ok: true, destination: { category: 'local', areaCode: code, place, e164: `+31${national.slice(1)}` } });
    const otherLine = code === '010' ? '+31201234567' : '+31101234567';
    expect(classify(national, otherLine)).toMatchObject({ ok: true, destination: { category: 'national', areaCode: code } });
    // dialled without the area code from a line in the area: local, with the line's area code
    const subscriber = national.slice(code.length);
    expect(classify(subscriber, line)).toMatchObject({ ok: true, destination: { category: 'local', e164: `+31${national.slice(1)}` } });
  });

  it('has 141 area codes, none a prefix of another', () => {
    expect(NL_AREA_CODES).toHaveLength(141);
  });
});

describe('non-geographic ranges and short codes', () => {
  it.each([
    ['0612345678', 'mobile', undefined, '+31612345678'],
    ['0687654321', 'mobile', undefined, '+31687654321'],
    ['0662345678', 'pager', undefined, '+31662345678'],
    ['097012345678', 'm2m', undefined, '+3197012345678'],
    ['0851234567', 'national', 'non_geographic', '+31851234567'],
    ['0881234567', 'national', 'company', '+31881234567'],
    ['0911234567', 'national', 'non_geographic', '+31911234567'],
    ['08001234', 'service', 'freephone', '+318001234'],
    ['08001234567', 'service', 'freephone', '+318001234567'],
    ['09008008', 'service', 'premium', '+319008008'],
    ['09061234567', 'service', 'premium', '+319061234567'],
    ['09091234', 'service', 'premium', '+319091234'],
    ['0841234567', 'service', 'personal', '+31841234567'],
    ['0871234567', 'service', 'personal', '+31871234567'],
  ])('%s → %s %s', (dialled, category, subclass, e164) => {
    const result = classify(dialled);
    expect(result).toMatchObject({ ok: true, destination: { category, e164 } });
    if (result.ok) expect(result.destination.subclass).toBe(subclass);
  });

  it.each([
    ['112', 'emergency', undefined],
    ['911', 'emergency', undefined],
    ['116000', 'service', 'harmonised'],
    ['116123', 'service', 'harmonised'],
    ['1233', 'service', 'voicemail'],
    ['1200', 'service', 'short_code'],
    ['113', 'service', 'short_code'],
    ['1400', 'service', 'short_code'],
    ['1888', 'service', 'directory'],
    ['1850', 'service', 'directory'],
    ['14020', 'service', 'municipal'],
    ['140118', 'service', 'municipal'],
  ])('short code %s → %s %s', (dialled, category, subclass) => {
    const result = classify(dialled);
    expect(result).toMatchObject({ ok: true, destination: { category, number: dialled } });
    if (result.ok) {
      expect(result.destination.subclass).toBe(subclass);
      expect(result.destination.e164).toBeUndefined();
    }
  });

  it('gives the municipality of a 14 number', () => {
    expect(classify('140118')).toMatchObject({ ok: true, destination: { areaCode: '0118', place: 'Middelburg' } });
  });
});

describe('international numbers in every dialled form', () => {
  it.each([
    ['0033123456789', '+33123456789', 'FR'],
    ['+33123456789', '+33123456789', 'FR'],
    ['+33 1 23 45 67 89', '+33123456789', 'FR'],
    ['00447700900123', '+447700900123', 'GB'],
    ['0012125551234', '+12125551234', 'US'],
    ['0012682345678', '+12682345678', 'AG'],
    ['0059795123456', '+59795123456', 'SR'],
    ['0059996951234', '+59996951234', 'CW'],
    ['0059971234567', '+59971234567', 'BQ'],
    ['00212612345678', '+212612345678', 'MA'],
    ['tel:+4930123456', '+4930123456', 'DE'],
    ['sip:+4930123456@sbc.example.net;user=phone', '+4930123456', 'DE'],
  ])('%s → %s (%s)', (dialled, e164, region) => {
    expect(classify(dialled)).toMatchObject({ ok: true, destination: { category: 'international', e164, country: { region } } });
  });

  it.each([
    ['0031201234567', 'local'],
    ['+31201234567', 'local'],
    ['+31 20 123 4567', 'local'],
    ['sip:+31201234567@host;user=phone', 'local'],
    ['sip:0612345678@pbx.example.nl', 'mobile'],
    ['tel:+31-6-1234-5678', 'mobile'],
  ])('Dutch number %s in international or URI form → %s', (dialled, category) => {
    expect(classify(dialled)).toMatchObject({ ok: true, destination: { category } });
  });
});

describe('extensions and on-net numbers', () => {
  const extensions = new Map([['201', '+31201234599']]);
  it('resolves an extension of the same PBX as on-net, keeping what it reaches', () => {
    expect(classifyDestination(plan, '201', { lineE164: AMSTERDAM, extensions })).toMatchObject({
      ok: true,
      destination: { category: 'onnet', subclass: 'local', e164: '+31201234599' },
    });
  });
  it('marks a colleague number in the same enterprise as on-net', () => {
    const onNetNumbers = new Set(['+31612345678']);
    expect(classifyDestination(plan, '0612345678', { lineE164: AMSTERDAM, onNetNumbers })).toMatchObject({
      ok: true,
      destination: { category: 'onnet', subclass: 'mobile' },
    });
  });
});

describe('malformed and unknown numbers are rejected, never guessed', () => {
  it.each([
    ['', 'invalid_number'],
    ['   ', 'invalid_number'],
    ['06-1234-abcd', 'invalid_number'],
    ['061234567', 'invalid_number'], // too short
    ['06123456789', 'invalid_number'], // too long
    ['02012345', 'invalid_number'],
    ['0800123', 'invalid_number'],
    ['0676123456', 'unknown_destination'],
    ['0691234567', 'unknown_destination'],
    ['0821234567', 'unknown_destination'],
    ['123456789', 'invalid_number'], // neither short code nor a 7-digit local number
    ['1818', 'invalid_number'],
    ['00999123456', 'unknown_destination'],
    ['+331234567890123456', 'invalid_number'],
    ['+331', 'invalid_number'],
  ])('%j → %s', (dialled, reason) => {
    expect(classify(dialled)).toMatchObject({ ok: false, reason });
  });

  it('rejects a local number of the wrong length for a 3-digit area', () => {
    expect(classify('1234567', MIDDELBURG)).toMatchObject({ ok: false, reason: 'invalid_number' });
    expect(classify('234567', MIDDELBURG)).toMatchObject({ ok: true, destination: { category: 'local', e164: '+31118234567' } });
  });

  it('rejects local dialling from a line without an area code', () => {
    expect(classify('6231234', '+31612345678')).toMatchObject({ ok: false, reason: 'invalid_number' });
  });
});

describe('properties', () => {
  const dutchNumbers = fc.oneof(
    fc.constantFrom(...NL_AREA_CODES.map(([c]) => c)).chain((code) => fc.stringMatching(new RegExp(`^[0-9]{${10 - code.length}}$`)).map((rest) => code + rest)),
    fc.stringMatching(/^06[1-58][0-9]{7}$/),
    fc.stringMatching(/^0(800|900|906|909)[0-9]{4}$/),
    fc.stringMatching(/^08[4578][0-9]{7}$/),
    fc.stringMatching(/^0[0-9]{4,11}$/),
    fc.stringMatching(/^00[1-9][0-9]{5,13}$/),
  );
  const lines = fc.constantFrom(AMSTERDAM, MIDDELBURG, '+31104567890', '+31612345678');

  it('classifying the E.164 form gives the same answer as the dialled form', () => {
    fc.assert(
      fc.property(dutchNumbers, lines, (dialled, line) => {
        const first = classify(dialled, line);
        if (!first.ok || !first.destination.e164) return;
        const again = classify(first.destination.e164, line);
        expect(again).toEqual(first);
      }),
      { numRuns: 2000 },
    );
  });

  it('the cached classifier agrees with the plain one', () => {
    const cached = createCachedClassifier(plan, 50);
    fc.assert(
      fc.property(dutchNumbers, lines, (dialled, line) => {
        expect(cached(dialled, { lineE164: line })).toEqual(classify(dialled, line));
        expect(cached(dialled, { lineE164: line })).toEqual(classify(dialled, line));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('cleanDialled', () => {
  it.each([
    ['sip:+31201234567@host;user=phone', '+31201234567'],
    ['SIPS:0612345678@h', '0612345678'],
    ['tel:+31-20-123-4567;phone-context=x', '+31201234567'],
    ['(020) 123 45 67', '0201234567'],
    ['++31', undefined],
    ['12#', undefined],
  ])('%s → %s', (raw, cleaned) => {
    expect(cleanDialled(raw)).toBe(cleaned);
  });
});

describe('carrier preselect', () => {
  const plan = buildNumberingPlan();
  it('strips 16xy before a national or international number and says so', () => {
    const national = classifyDestination(plan, '1655 0201234567', { lineE164: '+31101234567' });
    expect(national).toMatchObject({
      ok: true,
      destination: { e164: '+31201234567', category: 'national', why: expect.stringMatching(/carrier preselect 1655 stripped$/) },
    });
    const abroad = classifyDestination(plan, '16550044201234567', { lineE164: '+31101234567' });
    expect(abroad).toMatchObject({ ok: true, destination: { e164: '+44201234567', category: 'international' } });
  });
});
