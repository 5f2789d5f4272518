/** The ingest report: per file, the accounting identity and what was stored by category. */
import { writeFileSync } from 'node:fs';
import { formatDurationInWords } from '../billing/build-invoice.js';
import { formatTicks } from '../domain/money.js';
import type { FileReport } from '../pipeline/ingest-file.js';
import { renderTable } from './output.js';

function skippedText(report: FileReport): string {
  if (report.skippedBy.length === 0) return '';
  return ` (${report.skippedBy.map(([what, n]) => (n === 1 ? what : `${n}× ${what}`)).join(', ')})`;
}

export function formatFileReport(report: FileReport): string {
  if (report.fileError) return `${report.file}: REFUSED: ${report.fileError}`;
  const lines = [
    `${report.file} (${report.format}, ${report.encoding === 'latin1' ? 'ISO-8859-1' : 'UTF-8'}, source ${report.source}): read ${report.read} = rated ${report.rated} + rejected ${report.rejected} + duplicates ${report.duplicates}${report.duplicatesDiffering > 0 ? ` (${report.duplicatesDiffering} differ from the stored call: the first is kept)` : ''} + skipped ${report.skipped}${skippedText(report)}`,
  ];
  const categories = [...report.byCategory].sort(([a], [b]) => a.localeCompare(b));
  if (categories.length > 0) {
    lines.push(
      renderTable(categories, [
        { key: 'category', value: ([c]) => c },
        { key: 'calls', value: ([, t]) => t.calls, align: 'right' },
        { key: 'billed', header: 'billed time', value: ([, t]) => formatDurationInWords(t.billedSeconds), align: 'right' },
        { key: 'listValue', header: 'list value (EUR)', value: ([, t]) => formatTicks(t.listPriceTicks, 4), align: 'right' },
      ])
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  for (const r of report.rejects) lines.push(`  rejected ${report.file} line ${r.lineNo}: ${r.reason}: ${r.detail}`);
  if (report.rejected > report.rejects.length) {
    lines.push(`  … ${report.rejected - report.rejects.length} more rejects: cdrbill rejects --file ${report.file}`);
  }
  return lines.join('\n');
}

export function reportJson(report: FileReport): Record<string, unknown> {
  return {
    file: report.file,
    format: report.format,
    encoding: report.encoding,
    source: report.source,
    read: report.read,
    rated: report.rated,
    rejected: report.rejected,
    duplicates: report.duplicates,
    duplicatesDiffering: report.duplicatesDiffering,
    skipped: report.skipped,
    skippedBy: Object.fromEntries(report.skippedBy),
    ...(report.fileError ? { error: report.fileError } : {}),
    byCategory: Object.fromEntries(
      [...report.byCategory].map(([c, t]) => [c, { calls: t.calls, billedSeconds: t.billedSeconds, listValue: formatTicks(t.listPriceTicks) }]),
    ),
    rejects: report.rejects.map((r) => ({ line: r.lineNo, reason: r.reason, detail: r.detail })),
  };
}

export function writeReportJson(path: string, reports: readonly FileReport[]): void {
  writeFileSync(path, `${JSON.stringify({ files: reports.map(reportJson) }, null, 2)}\n`);
}

/** Exit status of an ingest: 1 when any line was rejected or a file refused. */
export function ingestExitCode(reports: readonly FileReport[]): number {
  return reports.some((r) => r.fileError || r.rejected > 0) ? 1 : 0;
}
