/** FNV-1a, 32 bits: a fast, stable hash of short texts, for fingerprints and lock buckets. */
const OFFSET = 0x811c9dc5;
const PRIME = 0x01000193;

/** The hash of a text (signed 32 bits). */
export function fnv1a(text: string): number {
  return fnv1aText(OFFSET, text) | 0;
}

/** Continues hash `h` over a text's UTF-16 code units. */
function fnv1aText(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), PRIME);
  return h;
}

const digits = new Uint8Array(20);

/** Continues hash `h` over the decimal digits of a non-negative safe integer, as `String(n)` writes them. */
function fnv1aDigits(h: number, n: number): number {
  let count = 0;
  do {
    digits[count++] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  while (count > 0) h = Math.imul(h ^ digits[--count]!, PRIME);
  return h;
}

/**
 * The hash of texts and non-negative integers joined by `|` (`a|1|b`), as `fnv1a` of that text, without
 * building it.
 */
export function fnv1aJoined(...parts: readonly (string | number)[]): number {
  let h = OFFSET;
  for (let p = 0; p < parts.length; p++) {
    if (p > 0) h = Math.imul(h ^ 124, PRIME);
    const part = parts[p]!;
    h = typeof part === 'number' ? fnv1aDigits(h, part) : fnv1aText(h, part);
  }
  return h | 0;
}
