/** Reading a JSON data file against its schema, every problem named by file and field. */
import type { z } from 'zod';

/** Where a zod issue is, as `a.b[2].c`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** The file's value, or a message `file: field: problem` for the first problem. */
export function parseJsonFile<T>(fileName: string, content: string, schema: z.ZodType<T>): { value: T } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    return { problem: `${fileName}: not valid JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { problem: `${fileName}: ${issuePath(issue.path) || '(file)'}: ${issue.message}` };
}
