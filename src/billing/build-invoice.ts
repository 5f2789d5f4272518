/**
 * Builds an invoice document from its inputs: recurring charges and usage summaries. Pure: the number
 * and issue date come in, nothing reads a clock. Each line is rounded half-up to cents once; VAT is
 * computed per VAT rate on the rounded lines; the totals are sums of what is shown.
 */
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { addDaysToDate, parseIsoDate } from '../domain/calendar.js';
import { Decimal, formatEuros, roundToCents, ticksToEuros } from '../domain/money.js';
import { daysInPeriod, formatPeriod, type Period } from '../domain/period.js';
import { totalsOf } from './build-credit-note.js';
import type { Address, BillingDetails, Seller } from './parties.js';

export interface RecurringCharge {
  readonly description: string;
  /** what is sold: a plan or catalogue item id, and its kind (plan, profile, user_option, number_block…) */
  readonly product: string;
  readonly productKind: string;
  readonly monthlyFeeMicros: number;
  /** days of the period the charge applies to */
  readonly days: number;
  /** the PBX (enterprise group) it belongs to */
  readonly group?: string;
}

/** One user's (line's) usage on the invoice, for the business breakdown. */
export interface UserUsage {
  readonly line: string;
  readonly user: string | null;
  readonly group: string | null;
  readonly calls: number;
  readonly billedSeconds: number;
  /** the calls' real (answered) duration */
  readonly durationSeconds: number;
  /** exact ticks as a decimal string */
  readonly chargedTicks: string;
}

/** Usage of one category in one month (the invoiced month, or an earlier one for late usage). */
export interface UsageSummary {
  readonly period: string;
  readonly category: string;
  readonly calls: number;
  readonly billedSeconds: number;
  /** the calls' real (answered) duration, free calls included */
  readonly durationSeconds: number;
  /** exact tick sums as decimal strings */
  readonly listPriceTicks: string;
  readonly chargedTicks: string;
  /** calls and seconds covered by an unlimited allowance */
  readonly coveredCalls: number;
  readonly coveredSeconds: number;
  /** seconds taken from a bundle */
  readonly bundleSeconds: number;
}

/** A charge decided apart from usage, such as fair use: one explained line. */
export interface ExtraCharge {
  readonly type: 'fair_use';
  readonly description: string;
  /** exact amount in ticks, as a decimal string */
  readonly amountTicks: string;
  readonly calls: number;
  readonly billedSeconds: number;
}

export interface InvoiceLine {
  readonly type: 'recurring' | 'usage' | 'fair_use';
  readonly description: string;
  readonly quantity: string;
  readonly unitPrice: string;
  readonly amount: string;
  readonly vatRate: string;
  /** a recurring line: the plan or catalogue item, and its kind */
  readonly product?: string;
  readonly productKind?: string;
  readonly period?: string;
  readonly category?: string;
  readonly group?: string;
  readonly calls?: number;
  readonly billedSeconds?: number;
  readonly durationSeconds?: number;
  readonly listPrice?: string;
  readonly coveredSeconds?: number;
  readonly bundleSeconds?: number;
}

/** The seller as the invoice shows it (art. 35a Wet OB: name, address, VAT and KvK numbers). */
export type InvoiceSeller = Omit<Seller, 'paymentTermDays' | 'sepaCreditorId'>;

/** The customer as the invoice shows it: name and address, and its VAT number where it has one. */
export interface InvoiceBuyer {
  readonly id: string;
  readonly name: string;
  readonly address?: Address;
  readonly vatNumber?: string;
  readonly kvkNumber?: string;
  readonly buyerReference?: string;
}

/** How the invoice is paid: a transfer to our account, or a SEPA direct debit under a mandate. */
export type InvoicePayment =
  | { readonly method: 'transfer'; readonly iban: string; readonly bic: string; readonly reference: string }
  | {
      readonly method: 'direct_debit';
      readonly creditorId: string;
      readonly mandateId: string;
      readonly mandateSigned: string;
      readonly iban: string;
      readonly bic?: string;
    };

export interface Invoice {
  readonly number: string;
  readonly kind: 'invoice' | 'corrective';
  /** a corrective invoice: the invoice it replaces (credited in full) */
  readonly corrects?: string;
  /** absent on documents issued before the seller file existed */
  readonly seller?: InvoiceSeller;
  readonly account: InvoiceBuyer;
  readonly period: string;
  readonly issueDate: string;
  readonly dueDate?: string;
  readonly payment?: InvoicePayment;
  readonly language?: 'nl' | 'en';
  readonly currency: 'EUR';
  readonly lines: readonly InvoiceLine[];
  /** usage per user (line) and group, for business accounts: information, the lines carry the amounts */
  readonly usageByUser?: readonly {
    readonly line: string;
    readonly user: string | null;
    readonly group: string | null;
    readonly calls: number;
    /** real (answered) duration, as `2 u 34 min` */
    readonly minutes: string;
    readonly durationSeconds: number;
    readonly charged: string;
  }[];
  readonly vatBreakdown: readonly { readonly rate: string; readonly base: string; readonly amount: string }[];
  readonly subtotal: string;
  readonly vat: string;
  readonly total: string;
}

export interface BuildInvoiceInput {
  readonly number: string;
  readonly issueDate: string;
  readonly account: { readonly id: string; readonly name: string; readonly billing?: BillingDetails };
  readonly seller: Seller;
  readonly period: Period;
  readonly recurring: readonly RecurringCharge[];
  readonly usage: readonly UsageSummary[];
  readonly extraCharges?: readonly ExtraCharge[];
  readonly usageByUser?: readonly UserUsage[];
  readonly vatRate: string;
}

/** Dutch names of the usage categories, as the customer portal lists them. */
export const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  local: 'Lokaal',
  national: 'Interlokaal',
  mobile: 'Nationaal mobiel',
  international: 'Internationaal',
  service: 'Servicenummers',
  emergency: 'Alarmnummer',
  onnet: 'Intern (eigen net)',
  m2m: 'M2M-nummers',
  pager: 'Semafonie',
  incoming: 'Inkomend',
};
const CATEGORY_ORDER = Object.keys(CATEGORY_LABELS);

/** A duration for people: `2 u 34 min 5 s` (Dutch) or `2 h 34 min 5 s`; `0 min` for none. */
export function formatDurationInWords(seconds: number, language: 'nl' | 'en' = 'nl'): string {
  if (seconds === 0) return '0 min';
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return [hours > 0 ? `${hours} ${language === 'nl' ? 'u' : 'h'}` : '', minutes > 0 ? `${minutes} min` : '', rest > 0 ? `${rest} s` : '']
    .filter(Boolean)
    .join(' ');
}

const callCount = (calls: number) => `${calls} ${calls === 1 ? 'gesprek' : 'gesprekken'}`;

function recurringLine(charge: RecurringCharge, period: Period, vatRate: string): InvoiceLine {
  const total = daysInPeriod(period);
  const fee = new Decimal(charge.monthlyFeeMicros).div(1_000_000);
  const quantity = new Decimal(charge.days).div(total);
  const amount = roundToCents(fee.mul(quantity));
  const suffix = charge.days === total ? '' : ` (${charge.days}/${total} dagen)`;
  return {
    type: 'recurring',
    description: `${charge.group ? `${charge.group}: ` : ''}${charge.description}${suffix}`,
    quantity: charge.days === total ? '1' : quantity.toFixed(4),
    unitPrice: formatEuros(fee, 2),
    amount: formatEuros(amount),
    vatRate,
    product: charge.product,
    productKind: charge.productKind,
    ...(charge.group ? { group: charge.group } : {}),
  };
}

function usageLine(usage: UsageSummary, invoicePeriod: string, vatRate: string): InvoiceLine {
  const amount = roundToCents(ticksToEuros(usage.chargedTicks));
  const label = CATEGORY_LABELS[usage.category] ?? usage.category;
  const late = usage.period === invoicePeriod ? '' : `Laat verbruik ${usage.period} – `;
  const covered =
    (usage.coveredCalls > 0 ? `, waarvan ${usage.coveredCalls} onbeperkt inbegrepen` : '') +
    (usage.bundleSeconds > 0 ? `, ${formatDurationInWords(usage.bundleSeconds)} uit bundel` : '');
  return {
    type: 'usage',
    description: `${late}${label}: ${callCount(usage.calls)}, ${formatDurationInWords(usage.durationSeconds)}${covered}`,
    quantity: '1',
    unitPrice: formatEuros(amount),
    amount: formatEuros(amount),
    vatRate,
    period: usage.period,
    category: usage.category,
    calls: usage.calls,
    billedSeconds: usage.billedSeconds,
    durationSeconds: usage.durationSeconds,
    listPrice: formatEuros(ticksToEuros(usage.listPriceTicks), 6),
    coveredSeconds: usage.coveredSeconds,
    bundleSeconds: usage.bundleSeconds,
  };
}

function compareUsage(a: UsageSummary, b: UsageSummary): number {
  return a.period.localeCompare(b.period) || CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category);
}

/**
 * A corrective invoice after a rerate: the original's recurring and other fixed lines as they were,
 * the usage of its calls at their prices now.
 */
export function buildCorrectiveInvoice(
  original: Invoice,
  input: { number: string; issueDate: string; usage: readonly UsageSummary[]; usageByUser?: readonly UserUsage[]; vatRate: string },
): Invoice {
  const fixed = original.lines.filter((l) => l.type !== 'usage');
  const lines = [
    ...fixed.filter((l) => l.type === 'recurring'),
    ...[...input.usage].sort(compareUsage).map((u) => usageLine(u, original.period, input.vatRate)),
    ...fixed.filter((l) => l.type !== 'recurring'),
  ];
  const { usageByUser: _old, ...rest } = original;
  // the original's payment terms, counted from the new issue date; a transfer quotes the new number
  const termDays = original.dueDate ? differenceInCalendarDays(parseIsoDate(original.dueDate)!, parseIsoDate(original.issueDate)!) : undefined;
  return {
    ...rest,
    number: input.number,
    kind: 'corrective',
    corrects: original.number,
    issueDate: input.issueDate,
    ...(termDays !== undefined ? { dueDate: addDaysToDate(input.issueDate, termDays) } : {}),
    ...(original.payment?.method === 'transfer' ? { payment: { ...original.payment, reference: input.number } } : {}),
    lines,
    ...(input.usageByUser && input.usageByUser.length > 0 ? { usageByUser: userUsageLines(input.usageByUser) } : {}),
    ...totalsOf(lines),
  };
}

function userUsageLines(usage: readonly UserUsage[]): NonNullable<Invoice['usageByUser']> {
  return usage.map((u) => ({
    line: u.line,
    user: u.user,
    group: u.group,
    calls: u.calls,
    minutes: formatDurationInWords(u.durationSeconds),
    durationSeconds: u.durationSeconds,
    charged: formatEuros(ticksToEuros(u.chargedTicks), 4),
  }));
}

/** The parties, due date and payment instructions of an account's invoice issued on `issueDate`. */
export function invoiceParties(
  seller: Seller,
  account: BuildInvoiceInput['account'],
  number: string,
  issueDate: string,
): Pick<Invoice, 'seller' | 'account' | 'dueDate' | 'payment' | 'language'> {
  const { paymentTermDays, sepaCreditorId, ...shown } = seller;
  const billing = account.billing ?? {};
  const payment: InvoicePayment =
    billing.payment?.method === 'direct_debit'
      ? {
          method: 'direct_debit',
          creditorId: sepaCreditorId,
          mandateId: billing.payment.mandateId,
          mandateSigned: billing.payment.mandateSigned,
          iban: billing.payment.iban,
          ...(billing.payment.bic ? { bic: billing.payment.bic } : {}),
        }
      : { method: 'transfer', iban: seller.iban, bic: seller.bic, reference: number };
  return {
    seller: shown,
    account: {
      id: account.id,
      name: account.name,
      ...(billing.address ? { address: billing.address } : {}),
      ...(billing.vatNumber ? { vatNumber: billing.vatNumber } : {}),
      ...(billing.kvkNumber ? { kvkNumber: billing.kvkNumber } : {}),
      ...(billing.buyerReference ? { buyerReference: billing.buyerReference } : {}),
    },
    dueDate: addDaysToDate(issueDate, paymentTermDays),
    payment,
    language: billing.language ?? 'nl',
  };
}

/** Builds the invoice; lines in a fixed order so the same inputs give the same document. */
export function buildInvoice(input: BuildInvoiceInput): Invoice {
  const period = formatPeriod(input.period);
  const lines = [
    ...input.recurring.map((c) => recurringLine(c, input.period, input.vatRate)),
    ...[...input.usage].sort(compareUsage).map((u) => usageLine(u, period, input.vatRate)),
    ...(input.extraCharges ?? []).map((c): InvoiceLine => {
      const amount = formatEuros(roundToCents(ticksToEuros(c.amountTicks)));
      return {
        type: c.type,
        description: c.description,
        quantity: '1',
        unitPrice: amount,
        amount,
        vatRate: input.vatRate,
        calls: c.calls,
        billedSeconds: c.billedSeconds,
      };
    }),
  ];
  const parties = invoiceParties(input.seller, input.account, input.number, input.issueDate);
  return {
    number: input.number,
    kind: 'invoice',
    seller: parties.seller!,
    account: parties.account,
    period,
    issueDate: input.issueDate,
    dueDate: parties.dueDate!,
    payment: parties.payment!,
    language: parties.language!,
    currency: 'EUR',
    lines,
    ...(input.usageByUser && input.usageByUser.length > 0 ? { usageByUser: userUsageLines(input.usageByUser) } : {}),
    ...totalsOf(lines),
  };
}
