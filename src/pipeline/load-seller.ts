/** Reads, validates and stores the seller file (our company's details for the invoices). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PartyFileError, parseSellerFile, type Seller } from '../billing/parties.js';
import type { Database } from '../store/database.js';
import { storeSeller } from '../store/seller-store.js';
import { InputError } from './input-error.js';

export async function loadSeller(database: Database, file: string, now: Date): Promise<{ seller: Seller; changed: boolean }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`${file}: cannot read the seller file`);
  }
  let seller: Seller;
  try {
    seller = parseSellerFile(file, text);
  } catch (error) {
    if (error instanceof PartyFileError) throw new InputError(error.message, { cause: error });
    throw error;
  }
  const hash = createHash('sha256').update(JSON.stringify(seller)).digest('hex');
  return { seller, changed: await storeSeller(database, seller, hash, now) };
}
