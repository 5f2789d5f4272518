/**
 * The figures for the VAT return (BTW-aangifte), section 1 (supplies in the Netherlands), per month
 * or quarter of the documents' issue dates (VAT is due when the invoice is issued), from the
 * register: 1a high rate (21%), 1b low rate (9%), 1c other rates, 1e zero rate. Credit notes
 * reduce them. Exact amounts and whole euros as the return asks (rounded down, in our favour). Pure.
 */
import { Decimal, formatEuros } from '../domain/money.js';
import type { RegisterRow } from './register.js';

export interface VatReturnRow {
  /** YYYY-MM or YYYY-Qn */
  readonly period: string;
  readonly rubriek: '1a' | '1b' | '1c' | '1e';
  readonly description: string;
  readonly vatRate: string;
  readonly documents: number;
  readonly turnover: string;
  readonly vat: string;
  readonly turnoverWholeEuros: string;
  readonly vatWholeEuros: string;
}

const RUBRIEK: Record<VatReturnRow['rubriek'], string> = {
  '1a': 'Leveringen/diensten belast met hoog tarief',
  '1b': 'Leveringen/diensten belast met laag tarief',
  '1c': 'Leveringen/diensten belast met overige tarieven, behalve 0%',
  '1e': 'Leveringen/diensten belast met 0% of niet bij u belast',
};

function rubriekOf(rate: string): VatReturnRow['rubriek'] {
  const r = new Decimal(rate);
  if (r.eq('0.21')) return '1a';
  if (r.eq('0.09')) return '1b';
  if (r.isZero()) return '1e';
  return '1c';
}

/** The return period of an issue date. */
export function vatPeriodOf(issueDate: string, by: 'month' | 'quarter'): string {
  const month = Number(issueDate.slice(5, 7));
  return by === 'month' ? issueDate.slice(0, 7) : `${issueDate.slice(0, 4)}-Q${Math.ceil(month / 3)}`;
}

/** Per period and rubriek, in order. */
export function buildVatReturn(register: readonly RegisterRow[], by: 'month' | 'quarter'): VatReturnRow[] {
  const groups = new Map<string, { period: string; rubriek: VatReturnRow['rubriek']; rate: string; documents: Set<string>; turnover: Decimal; vat: Decimal }>();
  for (const row of register) {
    const period = vatPeriodOf(row.issueDate, by);
    const rubriek = rubriekOf(row.vatRate);
    const key = `${period}|${rubriek}|${new Decimal(row.vatRate).toString()}`;
    const group = groups.get(key) ?? { period, rubriek, rate: row.vatRate, documents: new Set<string>(), turnover: new Decimal(0), vat: new Decimal(0) };
    group.documents.add(row.number);
    group.turnover = group.turnover.add(row.net);
    group.vat = group.vat.add(row.vat);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      period: g.period,
      rubriek: g.rubriek,
      description: RUBRIEK[g.rubriek],
      vatRate: g.rate,
      documents: g.documents.size,
      turnover: formatEuros(g.turnover),
      vat: formatEuros(g.vat),
      turnoverWholeEuros: g.turnover.floor().toFixed(0),
      vatWholeEuros: g.vat.floor().toFixed(0),
    }));
}
