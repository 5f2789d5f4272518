/**
 * Invoices for people (HTML, Dutch by default or English) and for spreadsheets (CSV lines). Pure.
 */
import type { Invoice } from './build-invoice.js';
import type { CreditNote } from './build-credit-note.js';
import { CATEGORY_LABELS, formatMinutes } from './build-invoice.js';
import { csvRow } from '../domain/csv.js';
import { Decimal, formatEuros } from '../domain/money.js';

export type Language = 'nl' | 'en';

const TEXT = {
  nl: {
    invoice: 'Factuur',
    corrective: 'Correctiefactuur',
    credit_note: 'Creditnota',
    number: 'Factuurnummer',
    date: 'Factuurdatum',
    period: 'Periode',
    customer: 'Klant',
    corrects: 'Vervangt factuur',
    credits: 'Crediteert factuur',
    reason: 'Reden',
    details: 'Specificatie',
    description: 'Omschrijving',
    quantity: 'Aantal',
    unitPrice: 'Prijs',
    amount: 'Bedrag',
    vat: 'BTW',
    subtotal: 'Subtotaal (excl. BTW)',
    total: 'Totaal (incl. BTW)',
    usage: 'Gesprekskosten per soort gesprek',
    category: 'Soort',
    calls: 'Gesprekken',
    minutes: 'Minuten',
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
    number: 'Invoice number',
    date: 'Invoice date',
    period: 'Period',
    customer: 'Customer',
    corrects: 'Replaces invoice',
    credits: 'Credits invoice',
    reason: 'Reason',
    details: 'Details',
    description: 'Description',
    quantity: 'Quantity',
    unitPrice: 'Price',
    amount: 'Amount',
    vat: 'VAT',
    subtotal: 'Subtotal (excl. VAT)',
    total: 'Total (incl. VAT)',
    usage: 'Call charges by type of call',
    category: 'Type',
    calls: 'Calls',
    minutes: 'Minutes',
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
};

/** An exact euro amount (any number of decimals) rounded half-up to cents: never through a float. */
function toCents(amount: string): string {
  return formatEuros(new Decimal(amount), 2);
}

/** A rate such as "0.21" as a percentage, "21". */
function percent(rate: string): string {
  return new Decimal(rate).times(100).toString();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1234.5 → "1.234,50" (nl) or "1,234.50" (en). */
export function formatAmount(amount: string, language: Language): string {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, language === 'nl' ? '.' : ',');
  return `${negative ? '−' : ''}€ ${grouped}${fraction ? (language === 'nl' ? ',' : '.') + fraction : ''}`;
}

/** An invoice, corrective invoice or credit note as a standalone HTML page. */
export function renderInvoiceHtml(doc: Invoice | CreditNote, language: Language = 'nl'): string {
  const t = TEXT[language];
  const money = (a: string) => formatAmount(a, language);
  const title = `${t[doc.kind]} ${doc.number}`;
  const reference =
    doc.kind === 'credit_note'
      ? `<tr><th>${t.credits}</th><td>${escapeHtml(doc.creditsInvoice)}</td></tr><tr><th>${t.reason}</th><td>${escapeHtml(doc.reason)}</td></tr>`
      : doc.kind === 'corrective' && doc.corrects
        ? `<tr><th>${t.corrects}</th><td>${escapeHtml(doc.corrects)}</td></tr>`
        : '';
  const rows = doc.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.description)}</td><td class="n">${escapeHtml(language === 'nl' ? l.quantity.replace('.', ',') : l.quantity)}</td><td class="n">${money(l.unitPrice)}</td><td class="n">${money(l.amount)}</td><td class="n">${percent(l.vatRate)}%</td></tr>`,
    )
    .join('\n');
  const usage = doc.lines.filter((l) => l.type === 'usage' && l.category);
  const label = (c: string) => (language === 'nl' ? (CATEGORY_LABELS[c] ?? c) : (CATEGORY_EN[c] ?? c));
  const usageTable =
    usage.length === 0
      ? ''
      : `<h2>${t.usage}</h2>
<table><thead><tr><th>${t.category}</th><th>${t.period}</th><th class="n">${t.calls}</th><th class="n">${t.minutes}</th><th class="n">${t.listPrice}</th><th class="n">${t.charged}</th></tr></thead><tbody>
${usage
  .map(
    (u) =>
      `<tr><td>${escapeHtml(label(u.category!))}</td><td>${escapeHtml(u.period ?? '')}</td><td class="n">${u.calls ?? ''}</td><td class="n">${formatMinutes(u.billedSeconds ?? 0)}</td><td class="n">${money(toCents(u.listPrice ?? '0'))}</td><td class="n">${money(u.amount)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
  const byUser =
    'usageByUser' in doc && doc.usageByUser && doc.usageByUser.length > 0
      ? `<h2>${t.byUser}</h2>
<table><thead><tr><th>${t.group}</th><th>${t.user}</th><th>${t.line}</th><th class="n">${t.calls}</th><th class="n">${t.minutes}</th><th class="n">${t.charged}</th></tr></thead><tbody>
${doc.usageByUser
  .map(
    (u) =>
      `<tr><td>${escapeHtml(u.group ?? '')}</td><td>${escapeHtml(u.user ?? '')}</td><td>${escapeHtml(u.line)}</td><td class="n">${u.calls}</td><td class="n">${u.minutes}</td><td class="n">${money(toCents(u.charged))}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`
      : '';
  const vatRows = doc.vatBreakdown
    .map((v) => `<tr><th>${t.vat} ${percent(v.rate)}% (${money(v.base)})</th><td class="n">${money(v.amount)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1d2733; margin: 2.5em auto; max-width: 52em; font-size: 14px; }
  h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.1em; margin-top: 2em; border-bottom: 1px solid #c8d0d8; padding-bottom: .3em; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35em .5em; vertical-align: top; }
  thead th { background: #eef2f6; } tbody tr:nth-child(even) { background: #f8fafb; }
  .n { text-align: right; white-space: nowrap; } .meta th { width: 12em; color: #5a6775; font-weight: normal; }
  .totals { width: 24em; margin-left: auto; margin-top: 1em; } .totals th { font-weight: normal; } .grand th, .grand td { font-weight: bold; border-top: 2px solid #1d2733; }
  footer { margin-top: 3em; color: #5a6775; font-size: .9em; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<table class="meta">
<tr><th>${t.customer}</th><td>${escapeHtml(doc.account.name)} (${escapeHtml(doc.account.id)})</td></tr>
<tr><th>${t.number}</th><td>${escapeHtml(doc.number)}</td></tr>
<tr><th>${t.date}</th><td>${escapeHtml(doc.issueDate)}</td></tr>
<tr><th>${t.period}</th><td>${escapeHtml(doc.period)}</td></tr>
${reference}
</table>
<h2>${t.details}</h2>
<table><thead><tr><th>${t.description}</th><th class="n">${t.quantity}</th><th class="n">${t.unitPrice}</th><th class="n">${t.amount}</th><th class="n">${t.vat}</th></tr></thead><tbody>
${rows}
</tbody></table>
<table class="totals">
<tr><th>${t.subtotal}</th><td class="n">${money(doc.subtotal)}</td></tr>
${vatRows}
<tr class="grand"><th>${t.total}</th><td class="n">${money(doc.total)}</td></tr>
</table>
${usageTable}
${byUser}
<footer>${t.footer}</footer>
</body>
</html>
`;
}

/** The lines of an invoice or credit note as CSV, one row per line (keys as in the JSON document). */
export function renderInvoiceCsv(doc: Invoice | CreditNote): string {
  const header = [
    'number',
    'kind',
    'account',
    'accountName',
    'period',
    'line',
    'type',
    'description',
    'quantity',
    'unitPrice',
    'amount',
    'vatRate',
    'category',
    'calls',
    'billedSeconds',
  ];
  const rows = doc.lines.map((l, i) =>
    csvRow(
      [
        doc.number,
        doc.kind,
        doc.account.id,
        doc.account.name,
        doc.period,
        i + 1,
        l.type,
        l.description,
        l.quantity,
        l.unitPrice,
        l.amount,
        l.vatRate,
        l.category,
        l.calls,
        l.billedSeconds,
      ].map((v) => (v === undefined ? '' : String(v))),
    ),
  );
  return `${[csvRow(header), ...rows].join('\n')}\n`;
}
