/**
 * Arguments and options shared by several commands, validated with zod (the schema library the
 * input files use): each error names the option and says what was expected.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { CALENDAR_DATE, isIsoDate } from '../domain/calendar.js';
import { parsePeriod, type Period } from '../domain/period.js';
import { historyQueryOf, type HistoryQuery, type HistoryRequest } from '../pipeline/call-history.js';
import { InputError } from '../pipeline/input-error.js';
import { isKnownTimeZone } from '../domain/zoned-time.js';
import { DEFAULT_FORMAT_OPTIONS, FORMAT_NAMES, type FormatName, type FormatOptions } from '../ingest/cdr-format.js';
import type { Language } from '../billing/render-invoice.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../ingest/plausibility.js';
import { UsageError } from './config.js';

/** Parses `value` with `schema`; a failure is a usage error naming `name`. */
export function parseOption<T>(name: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  const message = result.error.issues[0]?.message ?? 'invalid';
  throw new UsageError(`${name}: ${message}${typeof value === 'string' && message.includes(value) ? '' : `, got ${shown}`}`);
}

export const PERIOD = z.string().transform((text, ctx): Period => {
  const period = parsePeriod(text);
  if (!period) {
    ctx.addIssue({ code: 'custom', message: 'expected a month YYYY-MM' });
    return z.NEVER;
  }
  return period;
});

export const DATE = CALENDAR_DATE;
export const LANGUAGE = z.enum(['nl', 'en'], 'expected nl or en') as z.ZodType<Language>;
export const WHOLE_NUMBER = z
  .string()
  .regex(/^\d{1,9}$/, 'expected a whole number')
  .transform(Number);

/** An ISO 8601 time with a zone, as ms since the epoch. */
export const INSTANT = z.string().transform((text, ctx) => {
  const ms = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms) || !isIsoDate(text.slice(0, 10))) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO time with a zone, like 2026-10-05T09:14:03+02:00' });
    return z.NEVER;
  }
  return ms;
});

/** A `--period YYYY-MM` option. */
export function period(text: string, name = '--period'): Period {
  return parseOption(name, PERIOD, text);
}

/** `--period YYYY-MM`, or `--from` and `--to` days: a call history's range (calls, summary). */
export const RANGE_OPTIONS = {
  period: ['--period <YYYY-MM>', 'month (Europe/Amsterdam)'],
  from: ['--from <YYYY-MM-DD>', 'first day (with --to, instead of --period)'],
  to: ['--to <YYYY-MM-DD>', 'last day, inclusive'],
} as const;

const NUMBER = z.string().regex(/^\+?[0-9]{1,16}$/, 'expected up to 16 digits (a leading + allowed)');

/**
 * The history of `accountIds` that the options ask for (range and filters, as the portal reads
 * them); a bad or missing option is a usage error, as any bad option.
 */
export function historyQueryOption<A extends readonly string[]>(accountIds: A, options: HistoryRequest): HistoryQuery & { readonly accountIds: A } {
  if (options.period !== undefined) period(options.period);
  if (options.from !== undefined) parseOption('--from', DATE, options.from);
  if (options.to !== undefined) parseOption('--to', DATE, options.to);
  if (options.number !== undefined) parseOption('--number', NUMBER, options.number);
  try {
    return historyQueryOf(accountIds, options, (field) => `--${field}`);
  } catch (error) {
    throw error instanceof InputError ? new UsageError(error.message) : error;
  }
}

/** The flags that say how CDR files are read. */
export interface CdrInputFlags {
  readonly cdrFormat: string;
  readonly timeZone: string;
  readonly broadworksTimes: string;
  readonly freeswitchLegs: string;
  readonly maxCallSeconds: string;
  readonly maxFutureHours: string;
}

/** Adds the CDR input options (`--cdr-format` and the switch settings). */
export function addCdrInputOptions(command: Command): Command {
  return command
    .option('--cdr-format <format>', `CDR file format: auto, ${FORMAT_NAMES.join(', ')}`, 'auto')
    .option('--time-zone <zone>', 'zone of switch times written without one', DEFAULT_FORMAT_OPTIONS.timeZone)
    .option('--broadworks-times <how>', "BroadWorks times: 'user' = at the record's userTimeZone offset, 'fixed' = in --time-zone", 'user')
    .option('--freeswitch-legs <legs>', "FreeSWITCH mod_cdr_csv 'legs' setting: a or ab (ab: B-leg rows are skipped)", 'a')
    .option('--max-call-seconds <n>', 'a longer call is rejected as implausible (bad_duration)', String(DEFAULT_INGEST_LIMITS.maxCallSeconds))
    .option(
      '--max-future-hours <n>',
      'a call starting this long after the ingest is rejected (bad_time)',
      String(DEFAULT_INGEST_LIMITS.maxFutureMs / 3_600_000),
    );
}

const CDR_INPUT = z.object({
  cdrFormat: z.enum(['auto', ...FORMAT_NAMES], `expected auto or one of ${FORMAT_NAMES.join(', ')}`),
  timeZone: z.string().refine(isKnownTimeZone, 'expected an IANA time zone like Europe/Amsterdam or UTC'),
  broadworksTimes: z.enum(['user', 'fixed'], 'expected user or fixed'),
  freeswitchLegs: z.enum(['a', 'ab'], 'expected a or ab'),
});

/** The CDR format and reading options the flags name. */
export function cdrInputSettings(flags: CdrInputFlags): { format: FormatName | 'auto'; formatOptions: FormatOptions; limits: IngestLimits } {
  const names = { cdrFormat: '--cdr-format', timeZone: '--time-zone', broadworksTimes: '--broadworks-times', freeswitchLegs: '--freeswitch-legs' } as const;
  const parsed = Object.fromEntries(
    Object.entries(names).map(([key, name]) => [key, parseOption(name, CDR_INPUT.shape[key as keyof typeof names], flags[key as keyof typeof names])]),
  ) as z.infer<typeof CDR_INPUT>;
  const limits: IngestLimits = {
    ...DEFAULT_INGEST_LIMITS,
    maxCallSeconds: parseOption('--max-call-seconds', WHOLE_NUMBER, flags.maxCallSeconds),
    maxFutureMs: parseOption('--max-future-hours', WHOLE_NUMBER, flags.maxFutureHours) * 3_600_000,
  };
  return {
    format: parsed.cdrFormat,
    formatOptions: { timeZone: parsed.timeZone, broadworksZoneSource: parsed.broadworksTimes, freeswitchLegs: parsed.freeswitchLegs },
    limits,
  };
}
