/** Reads, validates and stores a customers file. */
import { readFileSync } from 'node:fs';
import { CustomerFileError, parseCustomerFile, type CustomerFile } from '../billing/customer-file.js';
import { analyzeChangedTables, type Database } from '../store/database.js';
import { replaceCustomers } from '../store/customer-store.js';
import { InputError } from './input-error.js';
import { loadStoredTariffs } from './load-tariffs.js';

export async function loadCustomers(database: Database, file: string): Promise<CustomerFile> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`${file}: cannot read the customers file`);
  }
  const tariffs = await loadStoredTariffs(database);
  let customers: CustomerFile;
  try {
    customers = parseCustomerFile(file, text, {
      plans: new Map([...tariffs.plans.values()].map((p) => [p.id, p.segment])),
      items: new Map([...tariffs.catalogue.values()].map((i) => [i.id, { kind: i.kind, plan: i.plan }])),
    });
  } catch (error) {
    if (error instanceof CustomerFileError) throw new InputError(error.message, { cause: error });
    throw error;
  }
  await replaceCustomers(database, customers);
  await analyzeChangedTables(database);
  return customers;
}
