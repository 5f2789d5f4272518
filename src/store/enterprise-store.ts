/** An enterprise's groups (PBXs) with their billing account, active users and invoice of a period. */
import { nextPeriod, parsePeriod, periodFirstDay } from '../domain/period.js';
import type { Database } from './database.js';

export interface EnterpriseGroupRow {
  readonly pbxId: string;
  readonly pbxName: string;
  readonly accountId: string;
  readonly users: number;
  /** the latest invoice or corrective invoice of the account for the period, as stored */
  readonly invoiceDocument: string | null;
}

export async function loadEnterpriseGroups(
  database: Database,
  enterpriseId: string,
  period: string,
): Promise<{ name: string; groups: EnterpriseGroupRow[] } | undefined> {
  const enterprise = await database.db.selectFrom('enterprise').selectAll().where('id', '=', enterpriseId).executeTakeFirst();
  if (!enterprise) return undefined;
  const pbxs = await database.db.selectFrom('pbx').selectAll().where('enterprise_id', '=', enterpriseId).orderBy('id').execute();
  const month = parsePeriod(period)!;
  const firstDay = periodFirstDay(month);
  const nextFirstDay = periodFirstDay(nextPeriod(month));
  const groups: EnterpriseGroupRow[] = [];
  for (const pbx of pbxs) {
    const users = await database.db
      .selectFrom('pbx_user')
      .select('user_id')
      .where('pbx_id', '=', pbx.id)
      .where('valid_from', '<', nextFirstDay)
      .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', firstDay)]))
      .execute();
    const invoice = await database.db
      .selectFrom('invoice')
      .select('document')
      .where('account_id', '=', pbx.account_id)
      .where('period', '=', period)
      .where('kind', 'in', ['invoice', 'corrective'])
      .orderBy('number', 'desc')
      .executeTakeFirst();
    groups.push({ pbxId: pbx.id, pbxName: pbx.name, accountId: pbx.account_id, users: users.length, invoiceDocument: invoice?.document ?? null });
  }
  return { name: enterprise.name, groups };
}

/** Whether an enterprise of this id exists. */
export async function enterpriseExists(db: Database['db'], enterpriseId: string): Promise<boolean> {
  return (await db.selectFrom('enterprise').select('id').where('id', '=', enterpriseId).executeTakeFirst()) !== undefined;
}
