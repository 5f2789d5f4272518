/**
 * The CDR formats cdrbill reads, one module each, and their detection from a file's first record.
 */
import type { ReadResult } from '../domain/cdr.js';
import { looksLikeAsterisk, readAsteriskRow } from './asterisk-format.js';
import { looksLikeBroadWorks, readBroadWorksRow } from './broadworks-format.js';
import { PositionalFields } from './positional-fields.js';
import { CANONICAL_COLUMNS, checkCanonicalHeader, readCanonicalRow } from './canonical-format.js';
import { looksLikeFreeSwitch, readFreeSwitchRow } from './freeswitch-format.js';

export interface CdrFormat {
  readonly name: FormatName;
  /** Checks the first row when the format has a header; returns a message when it is wrong. */
  readonly checkHeader?: (fields: readonly string[]) => string | undefined;
  readonly readRow: (fields: readonly string[], source: string, raw: string) => ReadResult;
  /** reads an unquoted line without splitting it into every field (wide formats) */
  readonly readPlainLine?: (raw: string, source: string) => ReadResult;
}

export const FORMAT_NAMES = ['canonical', 'broadworks', 'asterisk', 'freeswitch'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/** How switch files are read where they leave it open. */
export interface FormatOptions {
  /** zone of switch times written without one (Asterisk, FreeSWITCH; BroadWorks with zoneSource 'fixed') */
  readonly timeZone: string;
  /** BroadWorks: read times at the record's userTimeZone offset ('user') or in timeZone ('fixed') */
  readonly broadworksZoneSource: 'user' | 'fixed';
  /** FreeSWITCH: the `legs` setting of mod_cdr_csv */
  readonly freeswitchLegs: 'a' | 'ab';
}

export const DEFAULT_FORMAT_OPTIONS: FormatOptions = {
  timeZone: 'Europe/Amsterdam',
  broadworksZoneSource: 'user',
  freeswitchLegs: 'a',
};

export const CANONICAL_FORMAT: CdrFormat = {
  name: 'canonical',
  checkHeader: checkCanonicalHeader,
  readRow: (fields, source) => readCanonicalRow(fields, source),
};

export function createCdrFormat(name: FormatName, options: FormatOptions = DEFAULT_FORMAT_OPTIONS): CdrFormat {
  switch (name) {
    case 'canonical':
      return CANONICAL_FORMAT;
    case 'broadworks': {
      const bw = { zoneSource: options.broadworksZoneSource, timeZone: options.timeZone };
      const plain = new PositionalFields(); // one view, moved from line to line
      return {
        name,
        readRow: (fields, source) => readBroadWorksRow(fields, source, bw),
        readPlainLine: (raw, source) => readBroadWorksRow(plain.reset(raw), source, bw),
      };
    }
    case 'asterisk':
      return { name, readRow: (fields, source, raw) => readAsteriskRow(fields, source, raw, options) };
    case 'freeswitch':
      return { name, readRow: (fields, source) => readFreeSwitchRow(fields, source, { timeZone: options.timeZone, legs: options.freeswitchLegs }) };
  }
}

/** The format a file's first record is written in, or undefined. */
export function detectCdrFormat(first: readonly string[], options: FormatOptions = DEFAULT_FORMAT_OPTIONS): CdrFormat | undefined {
  if (first.length === CANONICAL_COLUMNS.length && checkCanonicalHeader(first) === undefined) return CANONICAL_FORMAT;
  if (looksLikeBroadWorks(first)) return createCdrFormat('broadworks', options);
  if (looksLikeFreeSwitch(first)) return createCdrFormat('freeswitch', options);
  if (looksLikeAsterisk(first)) return createCdrFormat('asterisk', options);
  return undefined;
}
