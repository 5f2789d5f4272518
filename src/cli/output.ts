/** Printing data for people (table), spreadsheets (csv) and machines (json). */
export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => Cell;
  readonly align?: 'left' | 'right';
}

function text(cell: Cell): string {
  return cell === null || cell === undefined ? '' : String(cell);
}

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => text(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderCsv<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  return [columns.map((c) => csvCell(c.header)), ...rows.map((r) => columns.map((c) => csvCell(text(c.value(r)))))]
    .map((cells) => cells.join(','))
    .join('\n');
}

/** Renders rows in the chosen format; `json` prints `jsonValue` (the rows by default). */
export function render<T>(format: OutputFormat, rows: readonly T[], columns: readonly Column<T>[], jsonValue: unknown = rows): string {
  if (format === 'json') return JSON.stringify(jsonValue, null, 2);
  if (format === 'csv') return renderCsv(rows, columns);
  return renderTable(rows, columns);
}
