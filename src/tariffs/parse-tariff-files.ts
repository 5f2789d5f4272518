/**
 * Validates the files of a tariff directory and builds the TariffSet rating uses.
 *
 * Pure: it receives file texts, not paths to read. Every error names the file, the line (CSV) or the
 * field path (JSON), and what was expected.
 *
 * Layout:
 * - `plans.json`: VAT rate, time bands, plans with dated versions;
 * - `rate-decks/<deck>/<YYYY-MM-DD>.csv`: one version of a rate deck, in force from that date.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { amsterdamMidnightUtc } from '../domain/amsterdam-time.js';
import { CALENDAR_DATE } from '../domain/calendar.js';
import { MoneyFormatError, parsePriceMicros } from '../domain/money.js';
import { CATEGORIES } from '../numbering/destination.js';
import { PrefixTrie } from '../numbering/prefix-trie.js';
import { DUTCH_HOLIDAYS } from './dutch-holidays.js';
import {
  BANDS,
  CATALOGUE_KINDS,
  type Band,
  type CatalogueItem,
  type Plan,
  type PlanVersion,
  type Rate,
  type RateDeck,
  type RateDeckVersion,
  type TariffSet,
} from './tariff-set.js';
import type { BandRules } from './time-bands.js';

export interface TariffFile {
  /** path relative to the tariff directory, with forward slashes */
  readonly path: string;
  readonly text: string;
}

export class TariffDataError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    message: string,
  ) {
    super(`${file}${where ? `: ${where}` : ''}: ${message}`);
  }
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DATE = CALENDAR_DATE;
const MONEY = z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'expected a euro amount as a string, like "4.95"');
const CLOCK = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'expected a time HH:MM');
const CATEGORY = z.enum(CATEGORIES);
const DEVICES = z
  .array(z.enum(['fixed', 'mobile']))
  .nonempty()
  .default(['fixed', 'mobile']);

const ALLOWANCE = z.discriminatedUnion('type', [
  z.object({ type: z.literal('unlimited'), categories: z.array(CATEGORY).nonempty(), devices: DEVICES }).strict(),
  z
    .object({
      type: z.literal('bundle'),
      id: z.string().min(1),
      minutes: z.number().int().positive(),
      categories: z.array(CATEGORY).nonempty(),
      devices: DEVICES,
    })
    .strict(),
]);

const PLANS_FILE = z
  .object({
    $comment: z.string().optional(),
    vatRate: z.string().regex(/^0\.\d{1,4}$/, 'expected a rate like "0.21"'),
    timeBands: z
      .object({
        peak: z.object({ days: z.array(z.enum(WEEKDAYS)), from: CLOCK, to: CLOCK }).strict(),
        weekend: z.object({ days: z.array(z.enum(WEEKDAYS)) }).strict(),
        holidays: z.array(z.enum(DUTCH_HOLIDAYS)).default([]),
        extraHolidays: z.array(DATE).default([]),
      })
      .strict(),
    plans: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id like "basis"'),
            name: z.string().min(1),
            segment: z.enum(['residential', 'business', 'mobile']),
            versions: z
              .array(
                z
                  .object({
                    from: DATE,
                    monthlyFee: MONEY,
                    rateDecks: z.array(z.string().min(1)).nonempty(),
                    bandBoundary: z.enum(['split', 'start']).default('start'),
                    allowances: z.array(ALLOWANCE).default([]),
                    fairUse: z
                      .object({
                        group: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id'),
                        threshold: z.string().regex(/^\d{1,3}(\.\d{1,4})?$/, 'expected a number as a string, like "3"'),
                        minimumMonths: z.number().int().min(1).max(24).default(3),
                      })
                      .strict()
                      .optional(),
                  })
                  .strict(),
              )
              .nonempty(),
          })
          .strict(),
      )
      .nonempty(),
  })
  .strict();

const CATALOGUE_FILE = z
  .object({
    $comment: z.string().optional(),
    items: z.array(
      z
        .object({
          id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id like "voicemail"'),
          name: z.string().min(1),
          kind: z.enum(CATALOGUE_KINDS),
          plan: z.string().optional(),
          versions: z.array(z.object({ from: DATE, monthlyFee: MONEY }).strict()).nonempty(),
        })
        .strict(),
    ),
  })
  .strict();

/** A JSON tariff file checked against its schema; errors name the file and the field path. */
function parseJsonFile<T>(file: TariffFile, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(file.text);
  } catch (error) {
    throw new TariffDataError(file.path, '', `not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const { where, message } = zodWhere(parsed.error);
    throw new TariffDataError(file.path, where, message);
  }
  return parsed.data;
}

function parseCatalogueFile(file: TariffFile | undefined, plans: ReadonlyMap<string, Plan>): Map<string, CatalogueItem> {
  const catalogue = new Map<string, CatalogueItem>();
  if (!file) return catalogue;
  const data = parseJsonFile(file, CATALOGUE_FILE);
  data.items.forEach((item, i) => {
    if (catalogue.has(item.id)) throw new TariffDataError(file.path, `items[${i}].id`, `duplicate item "${item.id}"`);
    if (item.kind === 'plan_user_fee' && (!item.plan || !plans.has(item.plan))) {
      throw new TariffDataError(file.path, `items[${i}].plan`, `a plan_user_fee names the plan it belongs to; "${item.plan ?? ''}" is no plan in plans.json`);
    }
    const versions = item.versions
      .map((v) => ({ effectiveFrom: v.from, effectiveFromMs: midnightMs(v.from), monthlyFeeMicros: parsePriceMicros(v.monthlyFee, 'monthlyFee') }))
      .sort((a, b) => a.effectiveFromMs - b.effectiveFromMs);
    catalogue.set(item.id, { id: item.id, name: item.name, kind: item.kind, plan: item.plan, versions });
  });
  return catalogue;
}

function zodWhere(error: z.ZodError): { where: string; message: string } {
  const issue = error.issues[0]!;
  const where = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
  return { where, message: issue.message };
}

function clockSeconds(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return h! * 3600 + m! * 60;
}

function midnightMs(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return amsterdamMidnightUtc(y!, m!, d!).getTime();
}

const DECK_PATH = /^rate-decks\/([a-z0-9][a-z0-9-]*)\/(\d{4}-\d{2}-\d{2})\.csv$/;
const REQUIRED_COLUMNS = ['prefix', 'destination', 'price_per_minute'] as const;
const KNOWN_COLUMNS = new Set<string>([
  ...REQUIRED_COLUMNS,
  'setup_fee',
  'first_increment',
  'next_increment',
  'minimum_seconds',
  'cap',
  'price_peak',
  'price_offpeak',
  'price_weekend',
]);
const CATEGORY_KEY = new RegExp(`^(${CATEGORIES.join('|')})(:[a-z_]+)?$`);

function parseWholeSeconds(text: string | undefined, fallback: number, field: string, min: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new Error(`${field}: expected a whole number of seconds ≥ ${min}, got "${text}"`);
  }
  return Number(text);
}

/** Parses one rate deck version file. */
export function parseRateDeckVersion(file: TariffFile): RateDeckVersion {
  const match = DECK_PATH.exec(file.path);
  if (!match) {
    throw new TariffDataError(file.path, '', 'a rate deck must be at rate-decks/<deck-id>/<YYYY-MM-DD>.csv');
  }
  const [, deckId, effectiveFrom] = match as unknown as [string, string, string];
  if (!DATE.safeParse(effectiveFrom).success) throw new TariffDataError(file.path, '', `"${effectiveFrom}" is not a date`);
  let rows: string[][];
  try {
    rows = parseCsv(file.text, { skip_empty_lines: true, trim: true, relax_column_count: false, comment: '#' }) as string[][];
  } catch (error) {
    const info = error as { lines?: number; message: string };
    const columns = /expect (\d+), got (\d+)/.exec(info.message);
    const message = columns ? `expected ${columns[1]} columns, got ${columns[2]}` : `not valid CSV: ${info.message}`;
    throw new TariffDataError(file.path, info.lines ? `line ${info.lines}` : '', message);
  }
  // csv-parse drops comment and blank lines, so take line numbers from the original text
  const dataLineNumbers = file.text
    .split(/\r?\n/)
    .map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'))
    .map((l) => l.line);
  const header = rows[0];
  const headerWhere = `line ${dataLineNumbers[0] ?? 1}`;
  if (!header) throw new TariffDataError(file.path, headerWhere, 'expected a header row');
  for (const column of REQUIRED_COLUMNS) {
    if (!header.includes(column)) throw new TariffDataError(file.path, headerWhere, `missing column "${column}"`);
  }
  for (const column of header) {
    if (!KNOWN_COLUMNS.has(column)) throw new TariffDataError(file.path, headerWhere, `unknown column "${column}"`);
  }
  const prefixes = new PrefixTrie<Rate>();
  const categories = new Map<string, Rate>();
  const lineOf = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const line = dataLineNumbers[i] ?? i + 1;
    const cells = new Map(header.map((h, j) => [h, rows[i]![j] ?? '']));
    const get = (name: string): string | undefined => {
      const value = cells.get(name);
      return value === undefined || value === '' ? undefined : value;
    };
    try {
      const key = get('prefix') ?? '';
      if (!/^\+\d{1,15}$/.test(key) && !CATEGORY_KEY.test(key)) {
        throw new Error(`prefix: expected "+<digits>" or a category key like "national" or "service:premium", got "${key}"`);
      }
      const previous = lineOf.get(key);
      if (previous) throw new Error(`prefix: "${key}" is already on line ${previous}`);
      lineOf.set(key, line);
      const base = parsePriceMicros(get('price_per_minute') ?? '', 'price_per_minute');
      const bandPrice = (band: Band): number => {
        const text = get(`price_${band}`);
        return text === undefined ? base : parsePriceMicros(text, `price_${band}`);
      };
      const pricePerMinuteMicros = Object.fromEntries(BANDS.map((b) => [b, bandPrice(b)])) as Record<Band, number>;
      const capText = get('cap');
      const rate: Rate = {
        match: key,
        destination: get('destination') ?? key,
        pricePerMinuteMicros,
        setupFeeMicros: get('setup_fee') === undefined ? 0 : parsePriceMicros(get('setup_fee')!, 'setup_fee'),
        firstIncrementSeconds: parseWholeSeconds(get('first_increment'), 60, 'first_increment', 1),
        nextIncrementSeconds: parseWholeSeconds(get('next_increment'), 60, 'next_increment', 1),
        minimumSeconds: parseWholeSeconds(get('minimum_seconds'), 0, 'minimum_seconds', 0),
        ...(capText === undefined ? {} : { capMicros: parsePriceMicros(capText, 'cap') }),
        source: `${file.path}:${line}`,
      };
      checkMinimumOnGrid(rate);
      if (key.startsWith('+')) prefixes.insert(key.slice(1), rate);
      else categories.set(key, rate);
    } catch (error) {
      const message = error instanceof MoneyFormatError || error instanceof Error ? error.message : String(error);
      throw new TariffDataError(file.path, `line ${line}`, message);
    }
  }
  if (rows.length < 2) throw new TariffDataError(file.path, '', 'the rate deck has no rates');
  return {
    deckId,
    effectiveFrom,
    effectiveFromMs: midnightMs(effectiveFrom),
    prefixes,
    categories,
    rowCount: rows.length - 1,
  };
}

/**
 * A minimum must be a length the increments can bill (the first increment, then whole next
 * increments): 60/60 with a 90 s minimum would bill 61 s as 90 s or as 120 s depending on how it is
 * read, so such a row is refused rather than given one reading silently.
 */
function checkMinimumOnGrid(rate: Pick<Rate, 'firstIncrementSeconds' | 'nextIncrementSeconds' | 'minimumSeconds'>): void {
  const { firstIncrementSeconds: first, nextIncrementSeconds: next, minimumSeconds: minimum } = rate;
  if (minimum === 0) return;
  if (minimum < first) throw new Error(`minimum_seconds: ${minimum} is below first_increment ${first} and would have no effect; use 0 or ${first}`);
  if ((minimum - first) % next !== 0) {
    const below = first + Math.floor((minimum - first) / next) * next;
    throw new Error(
      `minimum_seconds: ${minimum} is not on the increment grid (${first} s, then every ${next} s); use ${below} or ${below + next}, or change the increments`,
    );
  }
}

function parsePlansFile(file: TariffFile) {
  return parseJsonFile(file, PLANS_FILE);
}

/** Builds the TariffSet from all files of a tariff directory. */
export function parseTariffFiles(files: readonly TariffFile[]): TariffSet {
  const plansFile = files.find((f) => f.path === 'plans.json');
  if (!plansFile) throw new TariffDataError('plans.json', '', 'missing: a tariff directory needs plans.json');
  const data = parsePlansFile(plansFile);

  const decks = new Map<string, RateDeckVersion[]>();
  for (const file of files) {
    if (!file.path.startsWith('rate-decks/')) continue;
    const version = parseRateDeckVersion(file);
    const list = decks.get(version.deckId) ?? [];
    list.push(version);
    decks.set(version.deckId, list);
  }
  const rateDecks = new Map<string, RateDeck>();
  for (const [id, versions] of decks) {
    versions.sort((a, b) => a.effectiveFromMs - b.effectiveFromMs);
    rateDecks.set(id, { id, versions });
  }

  const plans = new Map<string, Plan>();
  const bundles = new Map<string, { minutes: number; where: string }>();
  data.plans.forEach((p, i) => {
    if (plans.has(p.id)) throw new TariffDataError(plansFile.path, `plans[${i}].id`, `duplicate plan id "${p.id}"`);
    const versions: PlanVersion[] = p.versions.map((v, j) => {
      v.rateDecks.forEach((deck, k) => {
        if (!rateDecks.has(deck)) {
          throw new TariffDataError(
            plansFile.path,
            `plans[${i}].versions[${j}].rateDecks[${k}]`,
            `no rate deck "${deck}" (expected rate-decks/${deck}/<YYYY-MM-DD>.csv)`,
          );
        }
      });
      if (v.fairUse && !v.allowances.some((a) => a.type === 'unlimited')) {
        throw new TariffDataError(plansFile.path, `plans[${i}].versions[${j}].fairUse`, 'a fair-use rule needs an unlimited allowance in the same version');
      }
      v.allowances.forEach((a, k) => {
        if (a.type !== 'bundle') return;
        const where = `plans[${i}].versions[${j}].allowances[${k}]`;
        if (v.bandBoundary !== 'start') {
          throw new TariffDataError(
            plansFile.path,
            `plans[${i}].versions[${j}].bandBoundary`,
            'a plan version with a bundle prices calls at their start band: expected "start"',
          );
        }
        const known = bundles.get(a.id);
        if (known && known.minutes !== a.minutes) {
          throw new TariffDataError(plansFile.path, `${where}.minutes`, `bundle "${a.id}" has ${known.minutes} minutes at ${known.where}`);
        }
        bundles.set(a.id, { minutes: a.minutes, where });
      });
      return {
        planId: p.id,
        effectiveFrom: v.from,
        effectiveFromMs: midnightMs(v.from),
        monthlyFeeMicros: parsePriceMicros(v.monthlyFee, 'monthlyFee'),
        rateDecks: v.rateDecks,
        bandBoundary: v.bandBoundary,
        allowances: v.allowances,
        fairUse: v.fairUse,
      };
    });
    versions.sort((a, b) => a.effectiveFromMs - b.effectiveFromMs);
    plans.set(p.id, { id: p.id, name: p.name, segment: p.segment, versions });
  });

  const tb = data.timeBands;
  const bandRules: BandRules = {
    peakDays: new Set(tb.peak.days.map((d) => WEEKDAYS.indexOf(d))),
    peakFromSecond: clockSeconds(tb.peak.from),
    peakToSecond: clockSeconds(tb.peak.to),
    weekendDays: new Set(tb.weekend.days.map((d) => WEEKDAYS.indexOf(d))),
    holidays: new Set(tb.holidays),
    extraHolidayDates: new Set(tb.extraHolidays),
  };
  return {
    plans,
    catalogue: parseCatalogueFile(
      files.find((f) => f.path === 'catalogue.json'),
      plans,
    ),
    rateDecks,
    bundles: new Map([...bundles].map(([id, b]) => [id, { minutes: b.minutes }])),
    bandRules,
    vatRate: data.vatRate,
  };
}
