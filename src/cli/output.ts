/**
 * The one output contract of every command that prints data: `--output table|json|csv`.
 *
 * A command describes its records once, as fields with a camelCase key: JSON prints the records as
 * objects with exactly those keys, CSV prints a header of the same keys and one row per record
 * (nothing else), and the table shows them for people under friendlier headers.
 */
import { Option } from 'commander';
import { csvRow } from '../domain/csv.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type Cell = string | number | boolean | null | undefined;
/** a field's value: arrays and small objects stay so in JSON; CSV and tables write them as `k=v k=v; …` */
export type Value = Cell | readonly Value[] | { readonly [key: string]: Cell };

export interface Field<T> {
  /** the JSON key and CSV header */
  readonly key: string;
  readonly value: (row: T) => Value;
  /** the table's header (default: the key) */
  readonly header?: string;
  readonly align?: 'left' | 'right';
  /** false: in JSON and CSV only, not in the table */
  readonly table?: boolean;
  /** how the table shows it, when not as `value` (rounded for people, say) */
  readonly tableValue?: (row: T) => Value;
}

/** The `--output` option. */
export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output: table (for people), json or csv').choices(OUTPUT_FORMATS).default('table');
}

function text(value: Value): string {
  if (Array.isArray(value)) return value.map(text).join('; ');
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => `${k}=${text(v)}`)
      .join(' ');
  }
  return value === null || value === undefined ? '' : String(value);
}

export function renderTable<T>(rows: readonly T[], fields: readonly Field<T>[]): string {
  const shown = fields.filter((f) => f.table !== false);
  const cells = rows.map((r) => shown.map((f) => text((f.tableValue ?? f.value)(r))));
  const widths = shown.map((f, i) => Math.max((f.header ?? f.key).length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (shown[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(shown.map((f) => f.header ?? f.key)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** CSV: a header of the keys, then one row per record; every cell safe to open in a spreadsheet. */
export function renderCsv<T>(rows: readonly T[], fields: readonly Field<T>[]): string {
  return [csvRow(fields.map((f) => f.key)), ...rows.map((r) => csvRow(fields.map((f) => text(f.value(r)))))].join('\n');
}

/** The records as JSON objects with the fields' keys. */
export function toJson<T>(rows: readonly T[], fields: readonly Field<T>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(fields.map((f) => [f.key, f.value(r) ?? null])));
}

/** Records in the chosen format: a JSON array, CSV, or a table. */
export function render<T>(format: OutputFormat, rows: readonly T[], fields: readonly Field<T>[]): string {
  if (format === 'json') return JSON.stringify(toJson(rows, fields), null, 2);
  if (format === 'csv') return renderCsv(rows, fields);
  return renderTable(rows, fields);
}

/**
 * One record (a classification, a price): JSON prints it as an object, CSV as a header and one row,
 * the table as field/value pairs.
 */
export function renderRecord<T>(format: OutputFormat, record: T, fields: readonly Field<T>[]): string {
  if (format === 'json') return JSON.stringify(toJson([record], fields)[0], null, 2);
  if (format === 'csv') return renderCsv([record], fields);
  const pairs = fields.filter((f) => f.table !== false).map((f) => ({ field: f.header ?? f.key, value: text((f.tableValue ?? f.value)(record)) }));
  return renderTable(pairs, [
    { key: 'field', value: (p) => p.field },
    { key: 'value', value: (p) => p.value },
  ]);
}

/** Writes to standard output with a final newline. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
