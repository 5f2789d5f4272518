/**
 * Net revenue per month of supply, per product (plans and catalogue items) and per usage category,
 * from the documents' lines: credit notes reduce it. Pure.
 */
import { categoryLabel } from '../billing/invoice-view.js';
import { Decimal, formatEuros } from '../domain/money.js';
import type { FinanceDocument } from './register.js';

export interface RevenueRow {
  /** the month of supply, YYYY-MM */
  readonly month: string;
  readonly type: 'recurring' | 'usage' | 'fair_use';
  /** a plan or catalogue item id, a usage category, or fair_use */
  readonly key: string;
  /** the product's kind (recurring), else empty */
  readonly productKind: string;
  readonly label: string;
  readonly net: string;
}

const TYPE_ORDER = ['recurring', 'usage', 'fair_use'];

/** Revenue summed over documents given a batch at a time. */
export class RevenueTally {
  private readonly groups = new Map<string, { month: string; type: RevenueRow['type']; key: string; productKind: string; net: Decimal }>();

  add(docs: readonly FinanceDocument[]): void {
    for (const doc of docs) {
      for (const line of doc.lines) {
        const month = line.type === 'usage' && line.period ? line.period : doc.period;
        const key = line.type === 'recurring' ? (line.product ?? line.description) : line.type === 'usage' ? (line.category ?? 'usage') : 'fair_use';
        const id = `${month}|${TYPE_ORDER.indexOf(line.type)}|${key}`;
        const group = this.groups.get(id) ?? { month, type: line.type, key, productKind: line.productKind ?? '', net: new Decimal(0) };
        group.net = group.net.add(line.amount);
        this.groups.set(id, group);
      }
    }
  }

  rows(): RevenueRow[] {
    return [...this.groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, g]) => ({
        month: g.month,
        type: g.type,
        key: g.key,
        productKind: g.productKind,
        label: g.type === 'usage' ? categoryLabel(g.key, 'nl') : g.type === 'fair_use' ? 'Fair use' : g.key,
        net: formatEuros(g.net),
      }));
  }
}

export function buildRevenue(docs: readonly FinanceDocument[]): RevenueRow[] {
  const tally = new RevenueTally();
  tally.add(docs);
  return tally.rows();
}
