/** Looking up the accounts a command names. */
import { loadAccounts } from '../store/customer-store.js';
import type { Database } from '../store/database.js';
import { InputError } from './input-error.js';

/** The account with this id; an unknown id is an input error that says so. */
export async function requireAccount(database: Database, accountId: string): Promise<{ id: string; name: string; segment: 'residential' | 'business' }> {
  const [account] = await loadAccounts(database, [accountId]);
  if (!account) throw new InputError(`no account ${accountId}; check the id (cdrbill load customers loads accounts)`);
  return account;
}
