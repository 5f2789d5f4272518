import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTariffFiles, type TariffFile } from './parse-tariff-files.js';

function shippedTariffs(): TariffFile[] {
  const files: TariffFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(json|csv)$/.test(entry.name)) files.push({ path: relative('tariffs', path), text: readFileSync(path, 'utf8') });
    }
  };
  walk('tariffs');
  return files;
}

function withFile(path: string, change: (text: string) => string): TariffFile[] {
  return shippedTariffs().map((f) => (f.path === path ? { ...f, text: change(f.text) } : f));
}

const DECK = 'rate-decks/xms-standard/2026-01-01.csv';

describe('parseTariffFiles', () => {
  it('loads the shipped example tariffs', () => {
    const tariffs = parseTariffFiles(shippedTariffs());
    expect([...tariffs.plans.keys()]).toEqual(expect.arrayContaining(['basis', 'onbeperkt-nl', 'internationaal-discount']));
    const deck = tariffs.rateDecks.get('xms-standard')!.versions[0]!;
    expect(deck.prefixes.longestMatch('447700900123')?.value.destination).toBe('Verenigd Koninkrijk mobiel');
    expect(deck.categories.get('national')?.pricePerMinuteMicros).toEqual({ peak: 20_000, offpeak: 10_000, weekend: 10_000 });
  });

  it.each([
    [
      'a bad price, by line and field',
      (t: string) => t.replace('local,Lokaal,0.0150', 'local,Lokaal,0,015'),
      /rate-decks\/xms-standard\/2026-01-01\.csv: line 4: expected 11 columns, got 12/,
    ],
    [
      'a price with too many decimals',
      (t: string) => t.replace('local,Lokaal,0.0150', 'local,Lokaal,0.01500001'),
      /2026-01-01\.csv: line 4: price_per_minute: expected a euro amount/,
    ],
    [
      'an unknown prefix key',
      (t: string) => t.replace('local,Lokaal', 'lokaal,Lokaal'),
      /2026-01-01\.csv: line 4: prefix: expected "\+<digits>" or a category key/,
    ],
    ['a duplicate prefix', (t: string) => `${t}+44,Again,0.01,,,,0,60,60,0,\n`, /line \d+: prefix: "\+44" is already on line \d+/],
    [
      'a zero increment',
      (t: string) => t.replace('+32,België,0.0500,,,,0.0450,60,60', '+32,België,0.0500,,,,0.0450,60,0'),
      /line \d+: next_increment: expected a whole number of seconds ≥ 1/,
    ],
    ['an unknown column', (t: string) => t.replace('minimum_seconds', 'minimum'), /line 3: unknown column "minimum"/],
    [
      'a minimum off the increment grid',
      (t: string) => t.replace('+32,België,0.0500,,,,0.0450,60,60,0', '+32,België,0.0500,,,,0.0450,60,60,90'),
      /line \d+: minimum_seconds: 90 is not on the increment grid \(60 s, then every 60 s\); use 60 or 120/,
    ],
    [
      'a minimum below the first increment',
      (t: string) => t.replace('+32,België,0.0500,,,,0.0450,60,60,0', '+32,België,0.0500,,,,0.0450,60,60,30'),
      /line \d+: minimum_seconds: 30 is below first_increment 60/,
    ],
  ])('names the file, line and field of %s', (_name, change, message) => {
    expect(() => parseTariffFiles(withFile(DECK, change))).toThrow(message);
  });

  it.each([
    ['a missing field', (t: string) => t.replace('"vatRate": "0.21",', ''), /plans\.json: vatRate: /],
    [
      'a money amount as a number',
      (t: string) => t.replace('"monthlyFee": "4.95"', '"monthlyFee": 4.95'),
      /plans\.json: plans\[0\]\.versions\[0\]\.monthlyFee: /,
    ],
    [
      'an unknown rate deck',
      (t: string) => t.replace('"rateDecks": ["xms-standard"]', '"rateDecks": ["nope"]'),
      /plans\.json: plans\[0\]\.versions\[0\]\.rateDecks\[0\]: no rate deck "nope"/,
    ],
    ['an unknown holiday', (t: string) => t.replace('"nieuwjaarsdag"', '"newyear"'), /plans\.json: timeBands\.holidays\[0\]/],
    ['broken JSON', (t: string) => t.slice(0, 40), /plans\.json: not valid JSON/],
  ])('names the field of %s in plans.json', (_name, change, message) => {
    expect(() => parseTariffFiles(withFile('plans.json', change))).toThrow(message);
  });

  it('refuses a deck file outside the naming scheme', () => {
    expect(() =>
      parseTariffFiles([...shippedTariffs(), { path: 'rate-decks/x/latest.csv', text: 'prefix,destination,price_per_minute\n+1,US,0.01\n' }]),
    ).toThrow(/rate-decks\/x\/latest\.csv: a rate deck must be at rate-decks\/<deck-id>\/<YYYY-MM-DD>\.csv/);
  });

  it('refuses an impossible date, naming the file', () => {
    expect(() =>
      parseTariffFiles([...shippedTariffs(), { path: 'rate-decks/x/2026-02-30.csv', text: 'prefix,destination,price_per_minute\n+1,US,0.01\n' }]),
    ).toThrow(/rate-decks\/x\/2026-02-30\.csv: "2026-02-30" is not a date/);
    expect(() => parseTariffFiles(withFile('plans.json', (t) => t.replace('"from": "2026-01-01"', '"from": "2026-02-29"')))).toThrow(
      /plans\.json: .*from: 2026-02-29 is not a calendar date/,
    );
  });

  it('requires plans.json', () => {
    expect(() => parseTariffFiles(shippedTariffs().filter((f) => f.path !== 'plans.json'))).toThrow(/plans\.json: missing/);
  });
});
