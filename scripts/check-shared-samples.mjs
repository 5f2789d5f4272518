// Ingests every CSV sample in ../shared/cdr-samples (real files written by others, not part of
// the project) with the compiled CLI into a throwaway database, and checks that each file is read
// to the end with every line rated, rejected, a duplicate or skipped. The samples' numbers are not
// our customers', so rejects (unknown_line) are expected; a file refused as a whole, a broken
// accounting identity or a crash fails the check. Used by .ci/run when the samples are present.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.argv[2] ?? '../shared/cdr-samples';
if (!existsSync(root)) {
  console.log(`samples: ${root} is not here; nothing to check`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'cdrbill-samples-'));
const cdrbill = (...args) => spawnSync(process.execPath, ['bin/cdrbill.js', '--data-dir', join(dir, 'db'), ...args], { encoding: 'utf8' });
let failed = 0;
try {
  for (const args of [['migrate'], ['load', 'tariffs'], ['load', 'customers', 'fixtures/customers.json']]) {
    const r = cdrbill(...args);
    if (r.status !== 0) throw new Error(`cdrbill ${args.join(' ')}: ${r.stderr}`);
  }
  const files = readdirSync(root, { recursive: true })
    .filter((f) => String(f).endsWith('.csv'))
    .sort();
  for (const file of files) {
    const path = join(root, String(file));
    const report = join(dir, 'report.json');
    // FreeSWITCH files written with legs="ab" say so in their name here
    const r = cdrbill('ingest', '--freeswitch-legs', /ableg/.test(path) ? 'ab' : 'a', '--report-json', report, path);
    const f = r.status === 0 || r.status === 1 ? JSON.parse(readFileSync(report, 'utf8')).files[0] : undefined;
    const ok = f && !f.fileError && f.read === f.rated + f.rejected + f.duplicates + f.skipped;
    if (!ok) failed++;
    const byReason = new Map();
    for (const reject of f?.rejects ?? []) byReason.set(reject.reason, (byReason.get(reject.reason) ?? 0) + 1);
    const reasons = [...byReason].map(([reason, n]) => `${reason} ${n}`).join(', ');
    console.log(
      f
        ? `${ok ? 'ok  ' : 'FAIL'} ${file}: ${f.format}, read ${f.read} = rated ${f.rated} + rejected ${f.rejected} + duplicates ${f.duplicates} + skipped ${f.skipped}${reasons ? ` (first rejects: ${reasons})` : ''}${f.fileError ? `; ${f.fileError}` : ''}`
        : `FAIL ${file}: exit ${r.status}: ${r.stderr.trim()}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`samples: ${failed} file(s) not accounted for`);
  process.exit(1);
}
