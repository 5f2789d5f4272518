/**
 * A switch CDR format: how to read one parsed CSV row into a canonical Cdr. One module per format.
 */
import type { ReadResult } from '../domain/cdr.js';
import { checkCanonicalHeader, readCanonicalRow } from './canonical-format.js';

export interface CdrFormat {
  readonly name: string;
  /** Checks the first row when the format has a header; returns a message when it is wrong. */
  readonly checkHeader?: (fields: readonly string[]) => string | undefined;
  readonly readRow: (fields: readonly string[], source: string) => ReadResult;
}

export const CANONICAL_FORMAT: CdrFormat = {
  name: 'canonical',
  checkHeader: checkCanonicalHeader,
  readRow: readCanonicalRow,
};

export const CDR_FORMATS: ReadonlyMap<string, CdrFormat> = new Map([[CANONICAL_FORMAT.name, CANONICAL_FORMAT]]);
