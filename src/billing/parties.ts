/**
 * The parties on an invoice: the seller (our company, from the seller file) and the buyer's billing
 * details (from the customers file), with the checks a bank and the Belastingdienst make: IBAN and
 * BIC (ibantools), SEPA creditor id and Dutch VAT numbers (mod 97 / mod 11), KvK numbers, postal
 * codes. Pure: it validates values and text; it reads no file.
 *
 * ```json
 * { "name": "Polder Telecom B.V.",
 *   "address": { "street": "Stationsplein 12", "postalCode": "3511 ED", "city": "Utrecht", "country": "NL" },
 *   "kvkNumber": "12345678", "vatNumber": "NL001234567B01",
 *   "iban": "NL91ABNA0417164300", "bic": "ABNANL2A", "sepaCreditorId": "NL98ZZZ999999999999",
 *   "paymentTermDays": 14, "contact": { "email": "facturen@example.nl", "phone": "+31302000000" } }
 * ```
 */
import { electronicFormatIBAN, isValidBIC, isValidIBAN } from 'ibantools';
import { z } from 'zod';
import { CALENDAR_DATE } from '../domain/calendar.js';
import { parseJsonFile } from '../domain/json-file.js';

export class PartyFileError extends Error {}

/** ISO 7064 mod 97-10 over letters-as-numbers (A=10 … Z=35), as IBANs and creditor ids use. */
function mod97(text: string): number {
  let rest = 0;
  for (const char of text) {
    const value = /[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of value) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest;
}

/** A SEPA creditor identifier: country, check digits, business code (ignored by the check), national id. */
export function isValidCreditorId(id: string): boolean {
  const compact = id.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$/.test(compact)) return false;
  return mod97(`${compact.slice(7)}${compact.slice(0, 4)}`) === 1;
}

/**
 * A VAT identification number: Dutch ones (NL + 9 digits + B + 2 digits) by their check (the
 * omzetbelastingnummer's mod 11 or the btw-id's mod 97); other EU ones by their form.
 */
export function isValidVatNumber(vatNumber: string): boolean {
  const compact = vatNumber.replace(/[\s.]/g, '').toUpperCase();
  if (compact.startsWith('NL')) {
    const m = /^NL(\d{9})B(\d{2})$/.exec(compact);
    if (!m) return false;
    const digits = m[1]!;
    const sum = [...digits.slice(0, 8)].reduce((s, d, i) => s + Number(d) * (9 - i), 0);
    const elevenProof = sum % 11 === Number(digits[8]);
    return elevenProof || mod97(compact) === 1;
  }
  return /^(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|PL|PT|RO|SE|SI|SK|XI)[A-Z0-9+*]{2,12}$/.test(compact);
}

const text = (max: number) => z.string().trim().min(1).max(max);

export const ADDRESS = z
  .object({
    street: text(200),
    postalCode: text(20),
    city: text(100),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'expected an ISO 3166 country code such as NL')
      .default('NL'),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.country === 'NL' && !/^[1-9]\d{3} ?[A-Z]{2}$/.test(a.postalCode))
      ctx.addIssue({ code: 'custom', path: ['postalCode'], message: `expected a Dutch postal code such as 3511 ED, got "${a.postalCode}"` });
  });
export type Address = z.infer<typeof ADDRESS>;

const IBAN = z
  .string()
  .transform((v) => electronicFormatIBAN(v) ?? v)
  .refine((v) => isValidIBAN(v), { message: 'not a valid IBAN (its check digits do not match)' });
const BIC = z.string().refine((v) => isValidBIC(v), { message: 'not a valid BIC (8 or 11 characters: bank, country, location, branch)' });
const VAT_NUMBER = z
  .string()
  .transform((v) => v.replace(/[\s.]/g, '').toUpperCase())
  .refine(isValidVatNumber, { message: 'not a valid VAT number (NL: NL + 9 digits + B + 2 digits, with a valid check; else an EU country prefix)' });
const KVK_NUMBER = z.string().regex(/^\d{8}$/, 'expected a KvK number of 8 digits');
const CREDITOR_ID = z
  .string()
  .transform((v) => v.replace(/\s/g, '').toUpperCase())
  .refine(isValidCreditorId, { message: 'not a valid SEPA creditor id (e.g. NL98ZZZ999999999999; check digits mod 97)' });

export const SELLER = z
  .object({
    $comment: z.string().optional(),
    name: text(200),
    address: ADDRESS,
    kvkNumber: KVK_NUMBER,
    vatNumber: VAT_NUMBER,
    iban: IBAN,
    bic: BIC,
    sepaCreditorId: CREDITOR_ID,
    paymentTermDays: z.number().int().min(0).max(90),
    contact: z
      .object({
        email: z.email().optional(),
        phone: z
          .string()
          .regex(/^\+?[0-9 ]{6,20}$/, 'expected a phone number')
          .optional(),
      })
      .strict()
      .refine((c) => c.email !== undefined || c.phone !== undefined, { message: 'expected an email address or a phone number' }),
  })
  .strict();
export type Seller = Omit<z.infer<typeof SELLER>, '$comment'>;

export const PAYMENT = z.discriminatedUnion('method', [
  z.object({ method: z.literal('transfer') }).strict(),
  z
    .object({
      method: z.literal('direct_debit'),
      iban: IBAN,
      bic: BIC.optional(),
      mandateId: z.string().regex(/^[A-Za-z0-9+?/:().,' -]{1,35}$/, 'expected a mandate id of up to 35 SEPA characters'),
      mandateSigned: CALENDAR_DATE,
    })
    .strict(),
]);
export type Payment = z.infer<typeof PAYMENT>;

/** What the customers file may say of an account's billing, beyond its name. */
export const BILLING_DETAILS = {
  address: ADDRESS.optional(),
  vatNumber: VAT_NUMBER.optional(),
  kvkNumber: KVK_NUMBER.optional(),
  buyerReference: text(100).optional(),
  payment: PAYMENT.optional(),
  language: z.enum(['nl', 'en']).optional(),
};

export interface BillingDetails {
  readonly address?: Address;
  readonly vatNumber?: string;
  readonly kvkNumber?: string;
  readonly buyerReference?: string;
  readonly payment?: Payment;
  readonly language?: 'nl' | 'en';
}

/** What an account lacks for an invoice (art. 35a Wet OB: the customer's address). */
export function missingForInvoice(details: BillingDetails): string[] {
  return details.address ? [] : ['address'];
}

/**
 * Validates a seller file.
 * @throws PartyFileError naming the file, the field and the rule
 */
export function parseSellerFile(fileName: string, content: string): Seller {
  const parsed = parseJsonFile(fileName, content, SELLER);
  if ('problem' in parsed) throw new PartyFileError(parsed.problem);
  const { $comment: _, ...seller } = parsed.value;
  return seller;
}
