/**
 * Invoices for people (HTML, Dutch by default or English) and for spreadsheets (CSV lines). Pure.
 */
import type { Invoice } from './build-invoice.js';
import type { CreditNote } from './build-credit-note.js';
import { csvRow } from '../domain/csv.js';
import { invoiceView, type InvoiceView, type Language } from './invoice-view.js';

export { formatAmount, type Language } from './invoice-view.js';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function table(headers: readonly string[], rows: readonly (readonly string[])[], numeric: (column: number) => boolean): string {
  const cell = (tag: 'th' | 'td', text: string, column: number) => `<${tag}${numeric(column) ? ' class="n"' : ''}>${escapeHtml(text)}</${tag}>`;
  return `<table><thead><tr>${headers.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr>${r.map((v, i) => cell('td', v, i)).join('')}</tr>`).join('\n')}
</tbody></table>`;
}

/** An invoice, corrective invoice or credit note as a standalone HTML page (in the document's language unless one is asked). */
export function renderInvoiceHtml(doc: Invoice | CreditNote, language?: Language): string {
  const view = invoiceView(doc, language);
  const lines = (texts: readonly string[]) => texts.map(escapeHtml).join('<br>');
  const seller = view.seller ? `<div class="seller"><strong>${escapeHtml(view.seller.name)}</strong><br>${lines(view.seller.lines)}</div>` : '';
  const section = (part: InvoiceView['usage']) => (part ? `<h2>${escapeHtml(part.heading)}</h2>\n${table(part.headers, part.rows, (i) => i >= 2)}` : '');
  return `<!doctype html>
<html lang="${view.language}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(view.title)}</title>
<style>
  body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1d2733; margin: 2.5em auto; max-width: 52em; font-size: 14px; }
  header { display: flex; justify-content: space-between; align-items: flex-start; gap: 2em; }
  .seller { text-align: right; color: #3b4754; line-height: 1.4; } .seller strong { color: #1d2733; font-size: 1.15em; }
  .parties { display: flex; justify-content: space-between; gap: 2em; margin-top: 1.5em; }
  .buyer { line-height: 1.4; } .buyer .label { color: #5a6775; font-size: .9em; }
  h1 { font-size: 1.6em; margin: 0; } h2 { font-size: 1.1em; margin-top: 2em; border-bottom: 1px solid #c8d0d8; padding-bottom: .3em; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35em .5em; vertical-align: top; }
  thead th { background: #eef2f6; } tbody tr:nth-child(even) { background: #f8fafb; }
  .n { text-align: right; white-space: nowrap; } .meta { width: auto; } .meta th { color: #5a6775; font-weight: normal; padding-right: 1.5em; }
  .totals { width: 26em; margin-left: auto; margin-top: 1em; } .totals th { font-weight: normal; } .grand th, .grand td { font-weight: bold; border-top: 2px solid #1d2733; }
  .payment { margin-top: 1.5em; padding: .8em 1em; background: #eef2f6; border-radius: 4px; }
  footer { margin-top: 3em; color: #5a6775; font-size: .85em; line-height: 1.5; }
</style>
</head>
<body>
<header><h1>${escapeHtml(view.title)}</h1>${seller}</header>
<div class="parties">
<div class="buyer"><span class="label">${escapeHtml(view.buyer.heading)}</span><br><strong>${escapeHtml(view.buyer.name)}</strong>${view.buyer.lines.length ? `<br>${lines(view.buyer.lines)}` : ''}</div>
<table class="meta">
${view.meta.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
</div>
<h2>${escapeHtml(view.texts.details)}</h2>
${table(
  [view.headers.description, view.headers.quantity, view.headers.unitPrice, view.headers.amount, view.headers.vat],
  view.lines.map((l) => [l.description, l.quantity, l.unitPrice, l.amount, l.vat]),
  (i) => i >= 1,
)}
<table class="totals">
${view.totals.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td class="n">${escapeHtml(value)}</td></tr>`).join('\n')}
<tr class="grand"><th>${escapeHtml(view.grandTotal[0])}</th><td class="n">${escapeHtml(view.grandTotal[1])}</td></tr>
</table>
${view.payment ? `<div class="payment"><strong>${escapeHtml(view.paymentHeading)}</strong><br>${escapeHtml(view.payment)}</div>` : ''}
${section(view.usage)}
${section(view.byUser)}
<footer>${escapeHtml(view.footer)}${view.sellerFooter ? `<br>${escapeHtml(view.sellerFooter)}` : ''}</footer>
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
