/**
 * The customers file: accounts, their lines (E.164 numbers) and the plan of each line over time.
 *
 * ```json
 * { "accounts": [ { "id": "R-1001", "name": "J. de Vries", "segment": "residential",
 *     "lines": [ { "number": "+31201234567", "plan": "basis", "from": "2026-01-01" } ] } ] }
 * ```
 * `from` is the first day on the plan, `to` (optional) the first day after it: a plan switch is
 * two entries for the same number. Pure: it validates text, it reads no file.
 */
import { z } from 'zod';

export interface CustomerLine {
  readonly number: string;
  readonly plan: string;
  /** Vast-Mobiel: the mobile subscription's plan, for calls from the mobile device */
  readonly mobilePlan?: string;
  readonly from: string;
  readonly to?: string;
}

export interface CustomerAccount {
  readonly id: string;
  readonly name: string;
  readonly segment: 'residential' | 'business';
  readonly lines: readonly CustomerLine[];
}

export class CustomerFileError extends Error {}

const DATE = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected a date YYYY-MM-DD');

const FILE = z
  .object({
    $comment: z.string().optional(),
    accounts: z.array(
      z
        .object({
          id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected an account id of letters, digits, . _ -'),
          name: z.string().min(1),
          segment: z.enum(['residential', 'business']),
          lines: z
            .array(
              z
                .object({
                  number: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number like +31201234567'),
                  plan: z.string().min(1),
                  mobilePlan: z.string().min(1).optional(),
                  from: DATE,
                  to: DATE.optional(),
                })
                .strict(),
            )
            .nonempty(),
        })
        .strict(),
    ),
  })
  .strict();

/**
 * Validates a customers file. `knownPlans` are the plans of the loaded tariffs, id → segment.
 * @throws CustomerFileError naming the file and the field
 */
export function parseCustomerFile(fileName: string, text: string, knownPlans: ReadonlyMap<string, string>): CustomerAccount[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CustomerFileError(`${fileName}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = FILE.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
    throw new CustomerFileError(`${fileName}: ${where}: ${issue.message}`);
  }
  const accounts = parsed.data.accounts;
  const seenAccounts = new Set<string>();
  const termsByNumber = new Map<string, { from: string; to: string; where: string }[]>();
  accounts.forEach((account, i) => {
    if (seenAccounts.has(account.id)) throw new CustomerFileError(`${fileName}: accounts[${i}].id: duplicate account "${account.id}"`);
    seenAccounts.add(account.id);
    account.lines.forEach((line, j) => {
      const where = `accounts[${i}].lines[${j}]`;
      if (!knownPlans.has(line.plan)) {
        throw new CustomerFileError(`${fileName}: ${where}.plan: unknown plan "${line.plan}" (known: ${[...knownPlans.keys()].join(', ') || 'none; load tariffs first'})`);
      }
      if (knownPlans.get(line.plan) !== account.segment) {
        throw new CustomerFileError(`${fileName}: ${where}.plan: "${line.plan}" is a ${knownPlans.get(line.plan)} plan, the account is ${account.segment}`);
      }
      if (line.mobilePlan !== undefined && knownPlans.get(line.mobilePlan) !== 'mobile') {
        throw new CustomerFileError(`${fileName}: ${where}.mobilePlan: "${line.mobilePlan}" is not a mobile subscription plan`);
      }
      if (line.to !== undefined && line.to <= line.from) throw new CustomerFileError(`${fileName}: ${where}.to: must be after from (${line.from})`);
      const term = { from: line.from, to: line.to ?? '9999-12-31', where };
      const others = termsByNumber.get(line.number) ?? [];
      const overlap = others.find((o) => o.from < term.to && term.from < o.to);
      if (overlap) throw new CustomerFileError(`${fileName}: ${where}: ${line.number} overlaps ${overlap.where} in time`);
      others.push(term);
      termsByNumber.set(line.number, others);
    });
  });
  return accounts;
}
