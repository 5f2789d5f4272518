import { describe, expect, it } from 'vitest';
import { buildInvoice, formatDurationInWords } from './build-invoice.js';
import { buildCreditNote } from './build-credit-note.js';
import { formatAmount, renderInvoiceCsv, renderInvoiceHtml } from './render-invoice.js';
import { TEST_SELLER } from '../../test/support/seller.js';

const invoice = buildInvoice({
  number: '2026-000007',
  issueDate: '2026-11-01',
  seller: TEST_SELLER,
  account: { id: 'R-1', name: 'J. de Vries & Zn <test>' },
  period: { year: 2026, month: 10 },
  recurring: [{ description: 'Basispakket +31201234567', product: 'basis', productKind: 'plan', monthlyFeeMicros: 4_950_000, days: 22 }],
  usage: [
    {
      period: '2026-10',
      category: 'mobile',
      calls: 2,
      billedSeconds: 180,
      durationSeconds: 170,
      listPriceTicks: '16200000',
      chargedTicks: '16200000',
      coveredCalls: 0,
      coveredSeconds: 0,
      bundleSeconds: 0,
    },
  ],
  vatRate: '0.21',
});

describe('renderings', () => {
  it('formats amounts the Dutch and the English way', () => {
    expect(formatAmount('1234.50', 'nl')).toBe('€ 1.234,50');
    expect(formatAmount('1234.50', 'en')).toBe('€ 1,234.50');
    expect(formatAmount('-7.91', 'nl')).toBe('−€ 7,91');
  });

  it('renders an invoice page in Dutch by default and in English on request, escaping names', () => {
    const nl = renderInvoiceHtml(invoice);
    expect(nl).toContain('<html lang="nl">');
    expect(nl).toContain('Factuur 2026-000007');
    expect(nl).toContain('J. de Vries &amp; Zn &lt;test&gt;');
    expect(nl).toContain('Nationaal mobiel');
    expect(nl).toContain('0,7097');
    expect(nl).toContain(`Totaal (incl. btw)</th><td class="n">${formatAmount(invoice.total, 'nl')}`);
    const en = renderInvoiceHtml(invoice, 'en');
    expect(en).toContain('Invoice 2026-000007');
    expect(en).toContain('Mobile');
  });

  it('renders a credit note with its reference and negative amounts, and CSV lines', () => {
    const credit = buildCreditNote(invoice, [], '2026-000008', '2026-11-05', 'Correctie');
    expect(credit.total).toBe(`-${invoice.total}`);
    const html = renderInvoiceHtml(credit);
    expect(html).toContain('Creditfactuur 2026-000008');
    expect(html).toContain('Crediteert factuur</th><td>2026-000007');
    const csv = renderInvoiceCsv(credit).trim().split('\n');
    expect(csv[0]).toBe('number,kind,account,accountName,period,line,type,description,quantity,unitPrice,amount,vatRate,category,calls,billedSeconds');
    expect(csv).toHaveLength(1 + invoice.lines.length);
    expect(csv[2]).toContain(',-0.27,-0.27,0.21,mobile,2,180');
  });

  it('shows every amount from exact decimals, half-up: the list price beside the charge agrees with the JSON', () => {
    // 9.135 EUR: through a float it would show as 9,13 beside a charge of 9,14
    const doc = buildInvoice({
      number: '2026-000009',
      issueDate: '2026-11-01',
      seller: TEST_SELLER,
      account: { id: 'R-2', name: 'Test' },
      period: { year: 2026, month: 10 },
      recurring: [],
      usage: [
        {
          period: '2026-10',
          category: 'international',
          calls: 3,
          billedSeconds: 600,
          durationSeconds: 599,
          listPriceTicks: '548100000',
          chargedTicks: '548100000',
          coveredCalls: 0,
          coveredSeconds: 0,
          bundleSeconds: 0,
        },
      ],
      usageByUser: [{ line: '+31201234567', user: 'Jan', group: null, calls: 3, billedSeconds: 600, durationSeconds: 599, chargedTicks: '548100000' }],
      vatRate: '0.21',
    });
    const line = doc.lines.find((l) => l.type === 'usage')!;
    expect(line.listPrice).toBe('9.135000');
    expect(line.amount).toBe('9.14');
    const html = renderInvoiceHtml(doc);
    const usageRow = html.split('\n').find((r) => r.includes('Internationaal') && r.includes('2026-10'))!;
    expect(usageRow).toContain('<td class="n">€ 9,14</td><td class="n">€ 9,14</td>');
    expect(html).not.toContain('9,13');
    for (const amount of [doc.subtotal, doc.vat, doc.total]) expect(html).toContain(formatAmount(amount, 'nl'));
  });

  it('writes hostile names into CSV as inert text', () => {
    const hostile = { ...invoice, account: { ...invoice.account, name: '@SUM(1+1)' } };
    const csv = renderInvoiceCsv(hostile).trim().split('\n');
    expect(csv[1]).toContain(",'@SUM(1+1),");
  });
});

describe('the legal fields (art. 35a Wet OB)', () => {
  const business = buildInvoice({
    number: '2026-000010',
    issueDate: '2026-11-01',
    seller: TEST_SELLER,
    account: {
      id: 'B-1',
      name: 'Bakkerij Smit BV',
      billing: {
        address: { street: 'Dorpsstraat 14', postalCode: '3732 HJ', city: 'De Bilt', country: 'NL' },
        vatNumber: 'NL100063354B01',
        kvkNumber: '30123456',
        payment: { method: 'direct_debit', iban: 'NL91ABNA0417164300', mandateId: 'M-1', mandateSigned: '2025-12-01' },
      },
    },
    period: { year: 2026, month: 10 },
    recurring: [{ description: 'Business+ – Jan', product: 'business-plus', productKind: 'profile', monthlyFeeMicros: 14_950_000, days: 31 }],
    usage: [],
    vatRate: '0.21',
  });

  it('shows both parties, numbers, dates, period of supply, VAT per rate and how to pay', () => {
    const html = renderInvoiceHtml(business);
    for (const text of [
      'Polder Telecom B.V.',
      'Stationsplein 12',
      '3511 ED  Utrecht',
      'KvK-nummer 12345678',
      'Btw-nummer NL856000012B01',
      'Bakkerij Smit BV',
      'Dorpsstraat 14',
      '3732 HJ  De Bilt',
      'Btw-nummer NL100063354B01',
      'Factuurnummer</th><td>2026-000010',
      'Factuurdatum</th><td>1 november 2026',
      'Vervaldatum</th><td>15 november 2026',
      'Leveringsperiode</th><td>1 t/m 31 oktober 2026',
      'Btw 21% over € 14,95',
      '€ 3,14',
      'automatisch afgeschreven van uw rekening NL91 **** **** 4300 (machtigingskenmerk M-1, incassant-ID NL69ZZZ123456780000)',
    ])
      expect(html).toContain(text);
  });

  it('heads a credit note Creditfactuur, names the invoice it corrects and shows negative amounts', () => {
    const html = renderInvoiceHtml(buildCreditNote(business, [], '2026-000011', '2026-11-05', 'Dubbel gefactureerd'));
    expect(html).toContain('<h1>Creditfactuur 2026-000011</h1>');
    expect(html).toContain('Crediteert factuur</th><td>2026-000010');
    expect(html).toContain('−€ 18,09');
    expect(html).not.toContain('Vervaldatum');
  });

  it('shows durations as a Dutch reader expects', () => {
    expect(formatDurationInWords(9299)).toBe('2 u 34 min 59 s');
    expect(formatDurationInWords(0)).toBe('0 min');
    expect(formatDurationInWords(3600, 'en')).toBe('1 h');
  });
});
