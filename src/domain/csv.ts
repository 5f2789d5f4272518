/**
 * The one CSV writer of every CSV cdrbill prints (command output, invoice lines, exports): RFC 4180
 * quoting, and cells that a spreadsheet would run as a formula made inert.
 *
 * A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return and is not a plain number
 * (`-1.50` and `+31201234567` stay numbers) gets a leading apostrophe, which spreadsheets show as
 * text (OWASP's advice for CSV injection): `=HYPERLINK(…)` in a caller id arrives as `'=HYPERLINK(…)`.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** A cell as it is safe to write: neutralised, then quoted when needed. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line (without the line end). */
export function csvRow(cells: readonly string[]): string {
  return cells.map(csvCell).join(',');
}
