import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANONICAL_COLUMNS } from '../../src/ingest/canonical-format.js';

export function tempDir(prefix = 'cdrbill-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a canonical CDR file with a header and the given data lines. */
export function writeCanonicalFile(dir: string, name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${[CANONICAL_COLUMNS.join(','), ...lines].join('\n')}\n`);
  return path;
}
