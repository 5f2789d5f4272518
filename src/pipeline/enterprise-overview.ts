/** An enterprise's overview across its groups (PBXs) for a period: each group's billing account and invoice. */
import type { Invoice } from '../billing/build-invoice.js';
import { formatPeriod, type Period } from '../domain/period.js';
import type { Database } from '../store/database.js';
import { loadEnterpriseGroups } from '../store/enterprise-store.js';
import { InputError } from './input-error.js';

export interface EnterpriseGroupLine {
  readonly pbx: string;
  readonly pbxName: string;
  readonly account: string;
  readonly users: number;
  readonly invoice: string | null;
  /** the invoice's totals (an invoice may hold several groups of one billing account) */
  readonly subtotal: string | null;
  readonly total: string | null;
}

export async function enterpriseOverview(database: Database, enterpriseId: string, period: Period): Promise<{ name: string; groups: EnterpriseGroupLine[] }> {
  const found = await loadEnterpriseGroups(database, enterpriseId, formatPeriod(period));
  if (!found) throw new InputError(`no enterprise ${enterpriseId}`);
  return {
    name: found.name,
    groups: found.groups.map((g) => {
      const doc = g.invoiceDocument ? (JSON.parse(g.invoiceDocument) as Invoice) : undefined;
      return {
        pbx: g.pbxId,
        pbxName: g.pbxName,
        account: g.accountId,
        users: g.users,
        invoice: doc?.number ?? null,
        subtotal: doc?.subtotal ?? null,
        total: doc?.total ?? null,
      };
    }),
  };
}
