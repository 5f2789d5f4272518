/**
 * Writes rows for `COPY … FROM STDIN (FORMAT csv)` straight into bytes. Building each row as a
 * string costs more than rating it: a concatenated string is a rope of ~60 pieces that lives until
 * the batch is sent, is promoted to the old generation, then flattened and encoded to UTF-8 again.
 * Here a row goes once into a growing Buffer, which lives outside the JavaScript heap and can be
 * handed to another thread without a copy.
 *
 * A NULL is an empty field; an empty string is `""`; a text with a quote, comma, backslash or line
 * break is quoted with doubled quotes.
 */
const COMMA = 44;
const NEWLINE = 10;
const QUOTE = 34;
const DAY_MS = 86_400_000;

export class CopyCsvWriter {
  private buffer: Buffer;
  private position = 0;
  private fieldCount = 0;
  private rowCount = 0;

  constructor(initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes); // never from the shared pool: the bytes may be transferred
  }

  /** rows ended so far */
  get rows(): number {
    return this.rowCount;
  }

  /** bytes written so far */
  get byteLength(): number {
    return this.position;
  }

  private reserve(bytes: number): void {
    if (this.position + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.position + bytes));
    this.buffer.copy(next, 0, 0, this.position);
    this.buffer = next;
  }

  private separate(): void {
    if (this.fieldCount++ > 0) this.buffer[this.position++] = COMMA;
  }

  /** A text field; undefined and null are NULL. */
  text(value: string | undefined | null): this {
    const n = value === undefined || value === null ? 0 : value.length;
    if (this.position + n * 6 + 3 > this.buffer.length) this.reserve(n * 6 + 3);
    const buffer = this.buffer;
    let start = this.position;
    if (this.fieldCount++ > 0) buffer[start++] = COMMA;
    this.position = start;
    if (value === undefined || value === null) return this;
    if (value.length === 0) {
      buffer[start] = QUOTE;
      buffer[start + 1] = QUOTE;
      this.position = start + 2;
      return this;
    }
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80 || c === QUOTE || c === COMMA || c === NEWLINE || c === 13 || c === 92) {
        // the rare case: quote it, and let Buffer encode what is not ASCII
        this.position = start + buffer.write(`"${value.replace(/"/g, '""')}"`, start, 'utf8');
        return this;
      }
      buffer[start + i] = c;
    }
    this.position = start + n;
    return this;
  }

  /** A safe integer field; undefined is NULL. */
  int(value: number | undefined): this {
    this.reserve(18);
    this.separate();
    if (value === undefined) return this;
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    let n = value;
    if (n < 0) {
      this.buffer[this.position++] = 45; // '-'
      n = -n;
    }
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    let p = this.position + digits;
    this.position = p;
    do {
      const q = Math.floor(n / 10);
      this.buffer[--p] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
    return this;
  }

  /** A boolean field as `t` or `f`. */
  bool(value: boolean): this {
    this.reserve(2);
    this.separate();
    this.buffer[this.position++] = value ? 116 : 102;
    return this;
  }

  /** An instant as ISO 8601 UTC with milliseconds (`2026-10-05T08:02:11.105Z`), for timestamptz. */
  timestamp(ms: number): this {
    const day = Math.floor(ms / DAY_MS);
    // civil date of a day number (H. Hinnant's days_from_civil, inverted): CDRs come in no order
    const z = day + 719_468;
    const era = Math.floor(z / 146_097);
    const doe = z - era * 146_097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const dayOfMonth = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const month = mp < 10 ? mp + 3 : mp - 9;
    const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0 || year > 9999) return this.text(new Date(ms).toISOString());
    this.reserve(25);
    this.separate();
    this.two(Math.floor(year / 100));
    this.two(year % 100);
    this.buffer[this.position++] = 45; // '-'
    this.two(month);
    this.buffer[this.position++] = 45;
    this.two(dayOfMonth);
    this.buffer[this.position++] = 84; // 'T'
    let rest = ms - day * DAY_MS;
    const millis = rest % 1000;
    rest = (rest - millis) / 1000;
    const seconds = rest % 60;
    rest = (rest - seconds) / 60;
    const minutes = rest % 60;
    const hours = (rest - minutes) / 60;
    this.two(hours);
    this.buffer[this.position++] = 58; // ':'
    this.two(minutes);
    this.buffer[this.position++] = 58;
    this.two(seconds);
    this.buffer[this.position++] = 46; // '.'
    this.buffer[this.position++] = 48 + Math.floor(millis / 100);
    this.two(millis % 100);
    this.buffer[this.position++] = 90; // 'Z'
    return this;
  }

  private two(n: number): void {
    const tens = Math.floor(n / 10);
    this.buffer[this.position++] = 48 + tens;
    this.buffer[this.position++] = 48 + (n - tens * 10);
  }

  /** Ends the current row. */
  endRow(): void {
    this.reserve(1);
    this.buffer[this.position++] = NEWLINE;
    this.fieldCount = 0;
    this.rowCount++;
  }

  /** The rows written, as one CSV text (a view of the writer's buffer: take it when done writing). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.position);
  }
}
