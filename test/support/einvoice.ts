/**
 * The official Dutch e-invoice validation (SI-UBL 2.0 / NLCIUS and EN 16931, test/einvoice/, MIT,
 * Stichting Simplerinvoicing) run from Node: the XSLT is compiled once with xslt3 (about 30 s, cached
 * under node_modules/.cache by its content hash), then applied with SaxonJS. An SVRL
 * `failed-assert` flagged fatal is an error.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const XSL = 'test/einvoice/si-ubl-2.0.xsl';
const require = createRequire(import.meta.url);

interface SaxonJs {
  transform(options: { stylesheetFileName: string; sourceText: string; destination: 'serialized' }): { principalResult: string };
}

/** The compiled stylesheet's path, compiling it when its cache is missing. */
export function compiledValidator(): string {
  const hash = createHash('sha256').update(readFileSync(XSL)).digest('hex').slice(0, 16);
  const dir = join('node_modules', '.cache', 'cdrbill');
  const sef = join(dir, `si-ubl-2.0-${hash}.sef.json`);
  if (existsSync(sef)) return sef;
  mkdirSync(dir, { recursive: true });
  const partial = `${sef}.${process.pid}.tmp`;
  execFileSync(process.execPath, [require.resolve('xslt3/xslt3.js'), `-xsl:${XSL}`, `-export:${partial}`, '-nogo'], { stdio: 'ignore' });
  renameSync(partial, sef);
  return sef;
}

export interface Assertion {
  readonly id: string;
  readonly flag: string;
  readonly text: string;
}

/** The failed assertions of a UBL document (fatal ones are errors, the rest warnings). */
export function validateUbl(sef: string, xml: string): Assertion[] {
  const saxon = require('saxon-js') as SaxonJs;
  const report = saxon.transform({ stylesheetFileName: sef, sourceText: xml, destination: 'serialized' }).principalResult;
  const failed: Assertion[] = [];
  for (const m of report.matchAll(/<svrl:failed-assert\b([^>]*)>([\s\S]*?)<\/svrl:failed-assert>/g)) {
    const attrs = m[1]!;
    failed.push({
      id: /\bid="([^"]*)"/.exec(attrs)?.[1] ?? '?',
      flag: /\bflag="([^"]*)"/.exec(attrs)?.[1] ?? 'fatal',
      text: m[2]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    });
  }
  return failed;
}
