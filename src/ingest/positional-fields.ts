/**
 * The fields of an unquoted CSV line by position, sliced only when asked for: a BroadWorks record has
 * ~200 columns of which rating reads about twenty. Like an array, it has `length` and `at(i)`.
 */
export interface FieldList {
  readonly length: number;
  at(index: number): string | undefined;
}

export class PositionalFields implements FieldList {
  /** start offset of each field, then one past the end */
  private readonly starts: number[] = [0];
  readonly length: number;

  constructor(private readonly line: string) {
    for (let i = line.indexOf(','); i >= 0; i = line.indexOf(',', i + 1)) this.starts.push(i + 1);
    this.starts.push(line.length + 1);
    this.length = this.starts.length - 1;
  }

  /** The field at a 0-based index, or undefined past the end. */
  at(index: number): string | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return this.line.slice(this.starts[index]!, this.starts[index + 1]! - 1);
  }
}
