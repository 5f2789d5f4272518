/**
 * The customers file: billing accounts with their lines, hosted PBXs with their users, options and
 * number blocks, and enterprises whose PBXs (enterprise groups) may each be invoiced separately.
 * Everything is dated (`from` inclusive, `to` exclusive, local dates), so any past month can be
 * billed as it was. Pure: it validates text against the catalogue; it reads no file.
 *
 * ```json
 * { "accounts": [ { "id": "R-1001", "name": "J. de Vries", "segment": "residential",
 *       "lines": [ { "number": "+31201234567", "plan": "basis", "from": "2026-01-01" } ] },
 *     { "id": "B-2001", "name": "Bakkerij Smit BV", "segment": "business",
 *       "address": { "street": "Dorpsstraat 1", "postalCode": "1234 AB", "city": "Ergens" },
 *       "vatNumber": "NL856000012B01", "kvkNumber": "87654321", "buyerReference": "PO-2026-17",
 *       "payment": { "method": "direct_debit", "iban": "NL91ABNA0417164300", "mandateId": "B-2001-1",
 *         "mandateSigned": "2026-01-01" }, "language": "nl" } ],
 *   "pbxs": [ { "id": "PBX-SMIT", "name": "Bakkerij Smit", "account": "B-2001",
 *       "plans": [ { "plan": "hip-per-minuut", "from": "2026-01-01" } ],
 *       "users": [ { "id": "jan", "name": "Jan Smit", "number": "+31201110001", "extension": "201",
 *           "profile": "business-plus", "options": [ { "id": "voicemail", "from": "2026-01-01" } ],
 *           "from": "2026-01-01" } ],
 *       "groupOptions": [ { "id": "auto-attendant", "from": "2026-01-01" } ],
 *       "numberBlocks": [ { "id": "regional-10", "from": "2026-01-01" } ] } ],
 *   "enterprises": [ { "id": "ENT-1", "name": "Holding BV" } ] }
 * ```
 */
import { z } from 'zod';
import { addMonthsToDate, CALENDAR_DATE } from '../domain/calendar.js';
import { issuePath } from '../domain/json-file.js';
import { BILLING_DETAILS, missingForInvoice, type BillingDetails } from './parties.js';

export class CustomerFileError extends Error {}

/** What the catalogue and plans say, for validation: id → segment / kind (and plan of a plan fee). */
export interface CustomerFileCatalogue {
  readonly plans: ReadonlyMap<string, string>;
  readonly items: ReadonlyMap<string, { readonly kind: string; readonly plan?: string | undefined }>;
}

export interface CustomerLine {
  readonly number: string;
  readonly plan: string;
  /** Vast-Mobiel: the mobile subscription's plan, for calls from the mobile device */
  readonly mobilePlan?: string;
  readonly from: string;
  readonly to?: string;
  /** the PBX the line is a user of */
  readonly pbx?: string;
  /** categories the customer has barred on this line (calls in them are reported as alerts) */
  readonly barred?: readonly Barring[];
}

/** What a residential customer can bar: 090x premium numbers, international, mobile, national (local and national). 112 never. */
export const BARRINGS = ['premium', 'international', 'mobile', 'national'] as const;
export type Barring = (typeof BARRINGS)[number];

const BARRED = z.array(
  z.string().superRefine((value, ctx) => {
    if (/^(112|emergency)$/i.test(value)) ctx.addIssue({ code: 'custom', message: '112 (emergency) can never be barred' });
    else if (!(BARRINGS as readonly string[]).includes(value))
      ctx.addIssue({ code: 'custom', message: `expected one of ${BARRINGS.join(', ')}, got "${value}"` });
  }),
);

/** A recurring product an account pays for over a period: a licence, option, number block… */
export interface BillingItem {
  readonly item: string;
  /** what it is for, for the invoice: a user and number, or the PBX */
  readonly label: string;
  readonly pbx?: string;
  readonly user?: string;
  readonly from: string;
  readonly to?: string;
}

export interface CustomerAccount {
  readonly id: string;
  readonly name: string;
  readonly segment: 'residential' | 'business';
  readonly lines: readonly CustomerLine[];
  readonly items?: readonly BillingItem[];
  /** address, VAT and KvK numbers, buyer reference, payment method, invoice language: what the file gives */
  readonly billing?: BillingDetails;
}

export interface PbxUser {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  readonly extension?: string;
  readonly from: string;
  readonly to?: string;
}

export interface Pbx {
  readonly id: string;
  readonly name: string;
  readonly account: string;
  readonly enterprise?: string;
  readonly users: readonly PbxUser[];
}

export interface Enterprise {
  readonly id: string;
  readonly name: string;
}

export interface CustomerFile {
  readonly accounts: CustomerAccount[];
  readonly pbxs: Pbx[];
  readonly enterprises: Enterprise[];
}

const DATE = CALENDAR_DATE;
const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number like +31201234567');
const ID = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected an id of letters, digits, . _ -');
const DATED = { from: DATE, to: DATE.optional() };

const FILE = z
  .object({
    $comment: z.string().optional(),
    accounts: z.array(
      z
        .object({
          id: ID,
          name: z.string().min(1),
          segment: z.enum(['residential', 'business']),
          ...BILLING_DETAILS,
          lines: z
            .array(z.object({ number: E164, plan: z.string().min(1), mobilePlan: z.string().min(1).optional(), barred: BARRED.optional(), ...DATED }).strict())
            .default([]),
        })
        .strict(),
    ),
    pbxs: z
      .array(
        z
          .object({
            id: ID,
            name: z.string().min(1),
            account: ID,
            enterprise: ID.optional(),
            plans: z.array(z.object({ plan: z.string().min(1), from: DATE }).strict()).nonempty(),
            users: z.array(
              z
                .object({
                  id: ID,
                  name: z.string().min(1),
                  number: E164,
                  extension: z
                    .string()
                    .regex(/^\d{2,6}$/, 'expected an extension of 2 to 6 digits')
                    .optional(),
                  profile: z.string().min(1),
                  mobilePlan: z.string().min(1).optional(),
                  options: z.array(z.object({ id: z.string().min(1), ...DATED }).strict()).default([]),
                  ...DATED,
                })
                .strict(),
            ),
            groupOptions: z.array(z.object({ id: z.string().min(1), ...DATED }).strict()).default([]),
            numberBlocks: z.array(z.object({ id: z.string().min(1), first: E164.optional(), ...DATED }).strict()).default([]),
          })
          .strict(),
      )
      .default([]),
    enterprises: z.array(z.object({ id: ID, name: z.string().min(1) }).strict()).default([]),
  })
  .strict();

const END = '9999-12-31';

/** The intersection of two dated periods, or undefined. */
function intersect(a: { from: string; to?: string | undefined }, b: { from: string; to?: string | undefined }): { from: string; to?: string } | undefined {
  // ISO dates compare as strings
  const from = a.from > b.from ? a.from : b.from;
  const aTo = a.to ?? END;
  const bTo = b.to ?? END;
  const to = aTo < bTo ? aTo : bTo;
  if (from >= to) return undefined;
  return to === END ? { from } : { from, to };
}

/**
 * Validates a customers file and derives the lines (for rating) and billing items (for invoices)
 * of its PBXs.
 * @throws CustomerFileError naming the file, the field and the rule
 */
export function parseCustomerFile(fileName: string, text: string, catalogue: CustomerFileCatalogue): CustomerFile {
  const fail = (where: string, message: string): never => {
    throw new CustomerFileError(`${fileName}: ${where}: ${message}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CustomerFileError(`${fileName}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = FILE.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(issuePath(issue.path), issue.message);
  }
  const data = parsed.data!;
  const accounts = new Map<string, { account: (typeof data.accounts)[number]; lines: CustomerLine[]; items: BillingItem[] }>();
  const termsByNumber = new Map<string, { from: string; to: string; where: string }[]>();
  const addTerm = (line: CustomerLine, where: string): void => {
    if (line.to !== undefined && line.to <= line.from) fail(`${where}.to`, `must be after from (${line.from})`);
    const term = { from: line.from, to: line.to ?? END, where };
    const others = termsByNumber.get(line.number) ?? [];
    const overlap = others.find((o) => o.from < term.to && term.from < o.to);
    if (overlap) fail(where, `${line.number} overlaps ${overlap.where} in time`);
    others.push(term);
    termsByNumber.set(line.number, others);
  };
  const checkItem = (id: string, kinds: readonly string[], where: string): void => {
    const item = catalogue.items.get(id);
    if (!item || !kinds.includes(item.kind)) fail(where, `"${id}" is not a ${kinds.join(' or ')} in catalogue.json`);
  };

  data.accounts.forEach((account, i) => {
    if (accounts.has(account.id)) fail(`accounts[${i}].id`, `duplicate account "${account.id}"`);
    const lines: CustomerLine[] = [];
    account.lines.forEach((line, j) => {
      const where = `accounts[${i}].lines[${j}]`;
      const segment = catalogue.plans.get(line.plan);
      if (!segment) fail(`${where}.plan`, `unknown plan "${line.plan}" (known: ${[...catalogue.plans.keys()].join(', ') || 'none; load tariffs first'})`);
      if (segment !== account.segment) fail(`${where}.plan`, `"${line.plan}" is a ${segment} plan, the account is ${account.segment}`);
      if (line.mobilePlan !== undefined && catalogue.plans.get(line.mobilePlan) !== 'mobile') {
        fail(`${where}.mobilePlan`, `"${line.mobilePlan}" is not a mobile subscription plan`);
      }
      addTerm(line as CustomerLine, where);
      lines.push(line as CustomerLine);
    });
    accounts.set(account.id, { account, lines, items: [] });
  });

  const enterprises = new Set(data.enterprises.map((e) => e.id));
  const pbxs: Pbx[] = [];
  const pbxIds = new Set<string>();
  data.pbxs.forEach((pbx, i) => {
    const at = `pbxs[${i}]`;
    if (pbxIds.has(pbx.id)) fail(`${at}.id`, `duplicate PBX "${pbx.id}"`);
    pbxIds.add(pbx.id);
    const owner = accounts.get(pbx.account);
    if (!owner) fail(`${at}.account`, `no account "${pbx.account}" in accounts`);
    if (owner!.account.segment !== 'business') fail(`${at}.account`, `"${pbx.account}" is not a business account`);
    if (pbx.enterprise !== undefined && !enterprises.has(pbx.enterprise)) fail(`${at}.enterprise`, `no enterprise "${pbx.enterprise}" in enterprises`);

    // plan switches: business plans, dated in order; Onbeperkt at least a month; switches three months apart
    const plans = pbx.plans;
    plans.forEach((p, k) => {
      if (catalogue.plans.get(p.plan) !== 'business') fail(`${at}.plans[${k}].plan`, `"${p.plan}" is not a business plan`);
      if (k === 0) return;
      const previous = plans[k - 1]!;
      if (p.from <= previous.from) fail(`${at}.plans[${k}].from`, 'plan switches must be in date order');
      if (previous.plan === 'hip-onbeperkt' && p.from < addMonthsToDate(previous.from, 1)) {
        fail(
          `${at}.plans[${k}].from`,
          `HIP Onbeperkt has a minimum term of one month: it started ${previous.from}, so it can end on ${addMonthsToDate(previous.from, 1)} at the earliest`,
        );
      }
      if (k >= 2 && p.from < addMonthsToDate(previous.from, 3)) {
        fail(
          `${at}.plans[${k}].from`,
          `a switch between Per Minuut and Onbeperkt is allowed three months or more after the previous switch (${previous.from}): ${addMonthsToDate(previous.from, 3)} at the earliest`,
        );
      }
    });
    const planPeriods = plans.map((p, k) => ({ plan: p.plan, from: p.from, ...(plans[k + 1] ? { to: plans[k + 1]!.from } : {}) }));

    const numbers = new Set<string>();
    const extensions = new Set<string>();
    const userIds = new Set<string>();
    const users: PbxUser[] = [];
    const items = owner!.items;
    pbx.users.forEach((user, j) => {
      const where = `${at}.users[${j}]`;
      if (userIds.has(user.id)) fail(`${where}.id`, `duplicate user "${user.id}" in ${pbx.id}`);
      userIds.add(user.id);
      if (numbers.has(user.number)) fail(`${where}.number`, `${user.number} is used twice in ${pbx.id}`);
      numbers.add(user.number);
      if (user.extension) {
        if (extensions.has(user.extension)) fail(`${where}.extension`, `extension ${user.extension} is used twice in ${pbx.id}`);
        extensions.add(user.extension);
      }
      if (user.to !== undefined && user.to <= user.from) fail(`${where}.to`, `must be after from (${user.from})`);
      if (user.from < plans[0]!.from) fail(`${where}.from`, `before the PBX's first plan (${plans[0]!.from})`);
      checkItem(user.profile, ['profile'], `${where}.profile`);
      if (user.mobilePlan !== undefined) {
        if (catalogue.plans.get(user.mobilePlan) !== 'mobile') fail(`${where}.mobilePlan`, `"${user.mobilePlan}" is not a mobile subscription plan`);
        if (!user.profile.startsWith('vamo-')) fail(`${where}.mobilePlan`, `a mobile subscription comes with a Vast-Mobiel profile, not "${user.profile}"`);
      }
      const label = `${user.name} (${user.number})`;
      const period = { from: user.from, ...(user.to ? { to: user.to } : {}) };
      items.push({ item: user.profile, label, pbx: pbx.id, user: user.id, ...period });
      if (user.mobilePlan && catalogue.items.get(user.mobilePlan)?.kind === 'mobile_subscription') {
        items.push({ item: user.mobilePlan, label, pbx: pbx.id, user: user.id, ...period });
      }
      user.options.forEach((option, k) => {
        checkItem(option.id, ['user_option'], `${where}.options[${k}].id`);
        const within = intersect(option, period);
        if (!within || within.from !== option.from || (within.to ?? END) !== (option.to ?? END)) {
          fail(`${where}.options[${k}]`, `must lie within the user's own period (${user.from} to ${user.to ?? 'open'})`);
        }
        items.push({ item: option.id, label, pbx: pbx.id, user: user.id, from: option.from, ...(option.to ? { to: option.to } : {}) });
      });
      for (const [k, planPeriod] of planPeriods.entries()) {
        const term = intersect(period, planPeriod);
        if (!term) continue;
        const line: CustomerLine = {
          number: user.number,
          plan: planPeriod.plan,
          ...(user.mobilePlan ? { mobilePlan: user.mobilePlan } : {}),
          ...term,
          pbx: pbx.id,
        };
        addTerm(line, `${where} (plan ${k})`);
        owner!.lines.push(line);
        // a plan that every user pays for (HIP Onbeperkt per user)
        for (const [id, item] of catalogue.items) {
          if (item.kind === 'plan_user_fee' && item.plan === planPeriod.plan) items.push({ item: id, label, pbx: pbx.id, user: user.id, ...term });
        }
      }
      users.push({ id: user.id, name: user.name, number: user.number, ...(user.extension ? { extension: user.extension } : {}), ...period });
    });

    // at least two user profiles whenever the PBX has users
    const dates = [...new Set(users.flatMap((u) => [u.from, ...(u.to ? [u.to] : [])]))].sort();
    for (const date of dates) {
      const active = users.filter((u) => u.from <= date && date < (u.to ?? END)).length;
      if (active === 1) fail(`${at}.users`, `from ${date} ${pbx.id} has 1 user profile; HIP+ needs at least two`);
    }

    pbx.groupOptions.forEach((option, k) => {
      checkItem(option.id, ['group_option'], `${at}.groupOptions[${k}].id`);
      items.push({ item: option.id, label: pbx.name, pbx: pbx.id, from: option.from, ...(option.to ? { to: option.to } : {}) });
    });
    pbx.numberBlocks.forEach((block, k) => {
      checkItem(block.id, ['number_block'], `${at}.numberBlocks[${k}].id`);
      items.push({
        item: block.id,
        label: block.first ? `${pbx.name}, vanaf ${block.first}` : pbx.name,
        pbx: pbx.id,
        from: block.from,
        ...(block.to ? { to: block.to } : {}),
      });
    });
    pbxs.push({ id: pbx.id, name: pbx.name, account: pbx.account, ...(pbx.enterprise ? { enterprise: pbx.enterprise } : {}), users });
  });

  for (const [id, { account, lines }] of accounts) {
    if (account.segment === 'residential' && lines.length === 0) fail(`accounts (${id})`, 'a residential account needs at least one line');
  }
  return {
    accounts: [...accounts.values()].map(({ account, lines, items }) => {
      const { id, name, segment, lines: _, ...billing } = account;
      return { id, name, segment, lines, items, billing };
    }),
    pbxs,
    enterprises: data.enterprises,
  };
}

/**
 * A warning for the accounts that lack what an invoice needs (an address), or undefined: files
 * written before the billing details existed still load.
 */
export function accountsLackingDetails(file: CustomerFile): string | undefined {
  const lacking = file.accounts.filter((a) => missingForInvoice(a.billing ?? {}).length > 0).map((a) => a.id);
  if (lacking.length === 0) return undefined;
  const shown = lacking.slice(0, 10).join(', ') + (lacking.length > 10 ? `, … (${lacking.length} in all)` : '');
  return `${lacking.length} account${lacking.length === 1 ? '' : 's'} without an address, which an invoice must show (art. 35a Wet OB): ${shown}`;
}
