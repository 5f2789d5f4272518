/**
 * The fields of an unquoted CSV line by position, sliced only when asked for: a BroadWorks record has
 * ~200 columns of which rating reads about twenty. Like an array, it has `length` and `at(i)`.
 */
export interface FieldList {
  readonly length: number;
  at(index: number): string | undefined;
}

export class PositionalFields implements FieldList {
  /** start offset of each field, then one past the end; reused from line to line */
  private starts = new Int32Array(512);
  private line = '';
  length = 0;

  constructor(line?: string) {
    if (line !== undefined) this.reset(line);
  }

  /** Points this view at another line (the view of the previous line is gone). */
  reset(line: string): this {
    this.line = line;
    let count = 0;
    let starts = this.starts;
    starts[count++] = 0;
    // a plain loop: BroadWorks lines are mostly commas, where indexOf pays a call per field
    for (let i = 0; i < line.length; i++) {
      if (line.charCodeAt(i) !== 44) continue;
      if (count + 1 >= starts.length) {
        const grown = new Int32Array(starts.length * 2);
        grown.set(starts);
        this.starts = starts = grown;
      }
      starts[count++] = i + 1;
    }
    starts[count] = line.length + 1;
    this.length = count;
    return this;
  }

  /** The field at a 0-based index, or undefined past the end. */
  at(index: number): string | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return this.line.slice(this.starts[index]!, this.starts[index + 1]! - 1);
  }
}
