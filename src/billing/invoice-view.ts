/**
 * What a person reads on an invoice, corrective invoice or credit note, in Dutch or English: the
 * texts of every block, once, for the HTML page and the PDF alike. Carries every field art. 35a Wet
 * OB asks for: both parties' names and addresses, our VAT and KvK numbers, the customer's VAT number
 * where it has one, the invoice date and number, the period of supply, each line's description and
 * quantity, the amount per VAT rate with rate and VAT; plus a due date and how to pay. Pure.
 */
// one module per function and locale: the package's index and its locale index take 0.3 s to load
import { format } from 'date-fns/format';
import { enGB } from 'date-fns/locale/en-GB';
import { nl } from 'date-fns/locale/nl';
import { parseIsoDate } from '../domain/calendar.js';
import { Decimal, formatEuros } from '../domain/money.js';
import { daysInPeriod, parsePeriod, periodFirstDay } from '../domain/period.js';
import type { CreditNote } from './build-credit-note.js';
import { CATEGORY_LABELS, formatDurationInWords, type Invoice } from './build-invoice.js';
import type { Address } from './parties.js';

export type Language = 'nl' | 'en';

const TEXT = {
  nl: {
    invoice: 'Factuur',
    corrective: 'Correctiefactuur',
    credit_note: 'Creditfactuur',
    number: { invoice: 'Factuurnummer', corrective: 'Factuurnummer', credit_note: 'Creditfactuurnummer' },
    date: 'Factuurdatum',
    dueDate: 'Vervaldatum',
    supply: 'Leveringsperiode',
    customerId: 'Klantnummer',
    buyerReference: 'Uw referentie',
    vatNumber: 'Btw-nummer',
    kvkNumber: 'KvK-nummer',
    corrects: 'Vervangt factuur',
    credits: 'Crediteert factuur',
    reason: 'Reden',
    to: 'Aan',
    details: 'Specificatie',
    description: 'Omschrijving',
    quantity: 'Aantal',
    unitPrice: 'Prijs',
    amount: 'Bedrag',
    vat: 'Btw',
    vatOver: (rate: string, base: string) => `Btw ${rate}% over ${base}`,
    subtotal: 'Subtotaal (excl. btw)',
    total: 'Totaal (incl. btw)',
    payment: 'Betaling',
    transfer: (amount: string, due: string, iban: string, bic: string, name: string, reference: string) =>
      `Wij verzoeken u ${amount} uiterlijk ${due} over te maken op ${iban} (BIC ${bic}) ten name van ${name}, onder vermelding van ${reference}.`,
    directDebit: (amount: string, due: string, iban: string, mandate: string, creditor: string) =>
      `Het bedrag van ${amount} wordt op of rond ${due} automatisch afgeschreven van uw rekening ${iban} (machtigingskenmerk ${mandate}, incassant-ID ${creditor}).`,
    refund: (amount: string, invoice: string) => `Het bedrag van ${amount} wordt verrekend met factuur ${invoice} of aan u terugbetaald.`,
    usage: 'Gesprekskosten per soort gesprek',
    category: 'Soort',
    period: 'Maand',
    calls: 'Gesprekken',
    duration: 'Gespreksduur',
    listPrice: 'Tegen tarief',
    charged: 'In rekening',
    byUser: 'Gesprekken per gebruiker',
    user: 'Gebruiker',
    group: 'Groep',
    line: 'Nummer',
    footer: 'Bedragen in euro. Gesprekken onder onbeperkt bellen of uit een bundel staan in het overzicht met hun tariefwaarde.',
  },
  en: {
    invoice: 'Invoice',
    corrective: 'Corrective invoice',
    credit_note: 'Credit note',
    number: { invoice: 'Invoice number', corrective: 'Invoice number', credit_note: 'Credit note number' },
    date: 'Invoice date',
    dueDate: 'Due date',
    supply: 'Period of supply',
    customerId: 'Customer number',
    buyerReference: 'Your reference',
    vatNumber: 'VAT number',
    kvkNumber: 'Chamber of Commerce',
    corrects: 'Replaces invoice',
    credits: 'Credits invoice',
    reason: 'Reason',
    to: 'To',
    details: 'Details',
    description: 'Description',
    quantity: 'Quantity',
    unitPrice: 'Price',
    amount: 'Amount',
    vat: 'VAT',
    vatOver: (rate: string, base: string) => `VAT ${rate}% on ${base}`,
    subtotal: 'Subtotal (excl. VAT)',
    total: 'Total (incl. VAT)',
    payment: 'Payment',
    transfer: (amount: string, due: string, iban: string, bic: string, name: string, reference: string) =>
      `Please transfer ${amount} by ${due} to ${iban} (BIC ${bic}) in the name of ${name}, quoting ${reference}.`,
    directDebit: (amount: string, due: string, iban: string, mandate: string, creditor: string) =>
      `The amount of ${amount} will be collected by direct debit from your account ${iban} on or around ${due} (mandate ${mandate}, creditor id ${creditor}).`,
    refund: (amount: string, invoice: string) => `The amount of ${amount} will be set off against invoice ${invoice} or refunded to you.`,
    usage: 'Call charges by type of call',
    category: 'Type',
    period: 'Month',
    calls: 'Calls',
    duration: 'Duration',
    listPrice: 'At tariff',
    charged: 'Charged',
    byUser: 'Calls per user',
    user: 'User',
    group: 'Group',
    line: 'Number',
    footer: 'Amounts in euro. Calls under unlimited calling or from a bundle are listed at their tariff value.',
  },
} as const;

const CATEGORY_EN: Readonly<Record<string, string>> = {
  local: 'Local',
  national: 'National',
  mobile: 'Mobile',
  international: 'International',
  service: 'Service numbers',
  emergency: 'Emergency',
  onnet: 'Internal (on-net)',
  m2m: 'M2M numbers',
  pager: 'Pagers',
  incoming: 'Incoming',
};

/** A usage category's name for people. */
export function categoryLabel(category: string, language: Language): string {
  return language === 'nl' ? (CATEGORY_LABELS[category] ?? category) : (CATEGORY_EN[category] ?? category);
}

/** 1234.5 → "€ 1.234,50" (nl) or "€ 1,234.50" (en); negative amounts with a minus sign. */
export function formatAmount(amount: string, language: Language): string {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, language === 'nl' ? '.' : ',');
  return `${negative ? '−' : ''}€ ${grouped}${fraction ? (language === 'nl' ? ',' : '.') + fraction : ''}`;
}

/** An exact euro amount (any number of decimals) rounded half-up to cents: never through a float. */
function toCents(amount: string): string {
  return formatEuros(new Decimal(amount), 2);
}

/** A rate such as "0.21" as a percentage, "21". */
export function percent(rate: string): string {
  return new Decimal(rate).times(100).toString();
}

function longDate(date: string, language: Language): string {
  return format(parseIsoDate(date)!, 'd MMMM yyyy', { locale: language === 'nl' ? nl : enGB });
}

/** "1 t/m 31 oktober 2026" / "1–31 October 2026". */
function supplyPeriod(period: string, language: Language): string {
  const month = parsePeriod(period)!;
  const last = daysInPeriod(month);
  const name = format(parseIsoDate(periodFirstDay(month))!, 'MMMM yyyy', { locale: language === 'nl' ? nl : enGB });
  return language === 'nl' ? `1 t/m ${last} ${name}` : `1–${last} ${name}`;
}

function addressLines(address: Address | undefined): string[] {
  if (!address) return [];
  return [address.street, `${address.postalCode}  ${address.city}`, ...(address.country !== 'NL' ? [address.country] : [])];
}

/** NL91ABNA0417164300 → "NL91 ABNA 0417 1643 00". */
function groupIban(iban: string): string {
  return iban.replace(/(.{4})/g, '$1 ').trim();
}

/** A customer's IBAN on paper: only its last four digits. */
function maskIban(iban: string): string {
  return `${iban.slice(0, 4)} **** **** ${iban.slice(-4)}`;
}

export interface InvoiceView {
  readonly language: Language;
  readonly title: string;
  readonly seller: { readonly name: string; readonly lines: readonly string[] } | undefined;
  readonly buyer: { readonly heading: string; readonly name: string; readonly lines: readonly string[] };
  readonly meta: readonly [label: string, value: string][];
  readonly headers: { readonly description: string; readonly quantity: string; readonly unitPrice: string; readonly amount: string; readonly vat: string };
  readonly lines: readonly { description: string; quantity: string; unitPrice: string; amount: string; vat: string }[];
  readonly totals: readonly [label: string, value: string][];
  readonly grandTotal: readonly [label: string, value: string];
  readonly paymentHeading: string;
  readonly payment: string | undefined;
  readonly usage: { readonly heading: string; readonly headers: readonly string[]; readonly rows: readonly (readonly string[])[] } | undefined;
  readonly byUser: { readonly heading: string; readonly headers: readonly string[]; readonly rows: readonly (readonly string[])[] } | undefined;
  readonly footer: string;
  readonly sellerFooter: string | undefined;
  readonly texts: { readonly details: string };
}

/** The document's texts for people, in `language` (default: the document's own, else Dutch). */
export function invoiceView(doc: Invoice | CreditNote, languageWanted?: Language): InvoiceView {
  const language: Language = languageWanted ?? doc.language ?? 'nl';
  const t = TEXT[language];
  const money = (a: string) => formatAmount(a, language);
  const seller = doc.seller;
  const buyer = doc.account;
  const meta: [string, string][] = [
    [t.number[doc.kind], doc.number],
    [t.date, longDate(doc.issueDate, language)],
    ...(doc.kind !== 'credit_note' && doc.dueDate ? [[t.dueDate, longDate(doc.dueDate, language)] as [string, string]] : []),
    [t.supply, supplyPeriod(doc.period, language)],
    [t.customerId, buyer.id],
    ...(buyer.buyerReference ? [[t.buyerReference, buyer.buyerReference] as [string, string]] : []),
    ...(doc.kind === 'credit_note'
      ? ([
          [t.credits, doc.creditsInvoice],
          [t.reason, doc.reason],
        ] as [string, string][])
      : doc.kind === 'corrective' && doc.corrects
        ? [[t.corrects, doc.corrects] as [string, string]]
        : []),
  ];
  const payment =
    doc.kind === 'credit_note'
      ? t.refund(money(doc.total.replace('-', '')), doc.creditsInvoice)
      : doc.payment?.method === 'transfer' && seller
        ? t.transfer(money(doc.total), longDate(doc.dueDate!, language), groupIban(doc.payment.iban), doc.payment.bic, seller.name, doc.payment.reference)
        : doc.payment?.method === 'direct_debit'
          ? t.directDebit(money(doc.total), longDate(doc.dueDate!, language), maskIban(doc.payment.iban), doc.payment.mandateId, doc.payment.creditorId)
          : undefined;
  const usageLines = doc.lines.filter((l) => l.type === 'usage' && l.category);
  const byUser = 'usageByUser' in doc ? doc.usageByUser : undefined;
  return {
    language,
    title: `${t[doc.kind]} ${doc.number}`,
    seller: seller && {
      name: seller.name,
      lines: [
        ...addressLines(seller.address),
        ...(seller.contact.phone ? [seller.contact.phone] : []),
        ...(seller.contact.email ? [seller.contact.email] : []),
        `${t.kvkNumber} ${seller.kvkNumber}`,
        `${t.vatNumber} ${seller.vatNumber}`,
      ],
    },
    buyer: {
      heading: t.to,
      name: buyer.name,
      lines: [
        ...addressLines(buyer.address),
        ...(buyer.vatNumber ? [`${t.vatNumber} ${buyer.vatNumber}`] : []),
        ...(buyer.kvkNumber ? [`${t.kvkNumber} ${buyer.kvkNumber}`] : []),
      ],
    },
    meta,
    headers: { description: t.description, quantity: t.quantity, unitPrice: t.unitPrice, amount: t.amount, vat: t.vat },
    lines: doc.lines.map((l) => ({
      description: l.description,
      quantity: language === 'nl' ? l.quantity.replace('.', ',') : l.quantity,
      unitPrice: money(l.unitPrice),
      amount: money(l.amount),
      vat: `${percent(l.vatRate)}%`,
    })),
    totals: [[t.subtotal, money(doc.subtotal)], ...doc.vatBreakdown.map((v): [string, string] => [t.vatOver(percent(v.rate), money(v.base)), money(v.amount)])],
    grandTotal: [t.total, money(doc.total)],
    paymentHeading: t.payment,
    payment,
    usage:
      usageLines.length === 0
        ? undefined
        : {
            heading: t.usage,
            headers: [t.category, t.period, t.calls, t.duration, t.listPrice, t.charged],
            rows: usageLines.map((u) => [
              categoryLabel(u.category!, language),
              u.period ?? '',
              String(u.calls ?? ''),
              formatDurationInWords(u.durationSeconds ?? u.billedSeconds ?? 0, language),
              money(toCents(u.listPrice ?? '0')),
              money(u.amount),
            ]),
          },
    byUser:
      byUser && byUser.length > 0
        ? {
            heading: t.byUser,
            headers: [t.group, t.user, t.line, t.calls, t.duration, t.charged],
            rows: byUser.map((u) => [
              u.group ?? '',
              u.user ?? '',
              u.line,
              String(u.calls),
              u.durationSeconds === undefined ? u.minutes : formatDurationInWords(u.durationSeconds, language),
              money(toCents(u.charged)),
            ]),
          }
        : undefined,
    footer: t.footer,
    sellerFooter:
      seller &&
      [seller.name, `${t.kvkNumber} ${seller.kvkNumber}`, `${t.vatNumber} ${seller.vatNumber}`, `IBAN ${groupIban(seller.iban)}`, `BIC ${seller.bic}`].join(
        ' · ',
      ),
    texts: { details: t.details },
  };
}
