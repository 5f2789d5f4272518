/** Reads, validates and stores a customers file. */
import { readFileSync } from 'node:fs';
import { CustomerFileError, parseCustomerFile, type CustomerAccount } from '../billing/customer-file.js';
import type { Database } from '../store/database.js';
import { replaceAccounts } from '../store/customer-store.js';
import { InputError } from './input-error.js';
import { loadStoredTariffs } from './load-tariffs.js';

export async function loadCustomers(database: Database, file: string): Promise<CustomerAccount[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`${file}: cannot read the customers file`);
  }
  const tariffs = await loadStoredTariffs(database);
  let accounts: CustomerAccount[];
  try {
    accounts = parseCustomerFile(file, text, new Map([...tariffs.plans.values()].map((p) => [p.id, p.segment])));
  } catch (error) {
    if (error instanceof CustomerFileError) throw new InputError(error.message, { cause: error });
    throw error;
  }
  await replaceAccounts(database, accounts);
  return accounts;
}
