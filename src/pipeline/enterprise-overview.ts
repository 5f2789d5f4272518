/** An enterprise's overview across its groups (PBXs) for a period: each group's billing account and invoice. */
import type { Invoice } from '../billing/build-invoice.js';
import { formatPeriod, type Period } from '../domain/period.js';
import type { Database } from '../store/database.js';
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
  const enterprise = await database.db.selectFrom('enterprise').selectAll().where('id', '=', enterpriseId).executeTakeFirst();
  if (!enterprise) throw new InputError(`no enterprise ${enterpriseId}`);
  const periodText = formatPeriod(period);
  const pbxs = await database.db.selectFrom('pbx').selectAll().where('enterprise_id', '=', enterpriseId).orderBy('id').execute();
  const groups: EnterpriseGroupLine[] = [];
  for (const pbx of pbxs) {
    const users = await database.db
      .selectFrom('pbx_user')
      .select('user_id')
      .where('pbx_id', '=', pbx.id)
      .where('valid_from', '<', `${periodText}-32`)
      .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', `${periodText}-01`)]))
      .execute();
    const invoice = await database.db
      .selectFrom('invoice')
      .selectAll()
      .where('account_id', '=', pbx.account_id)
      .where('period', '=', periodText)
      .where('kind', 'in', ['invoice', 'corrective'])
      .orderBy('number', 'desc')
      .executeTakeFirst();
    const doc = invoice ? (JSON.parse(invoice.document) as Invoice) : undefined;
    groups.push({ pbx: pbx.id, pbxName: pbx.name, account: pbx.account_id, users: users.length, invoice: doc?.number ?? null, subtotal: doc?.subtotal ?? null, total: doc?.total ?? null });
  }
  return { name: enterprise.name, groups };
}
