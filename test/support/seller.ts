/** The demo's seller (fixtures/seller.json) for tests, and loading it into a test database. */
import { readFileSync } from 'node:fs';
import { parseSellerFile } from '../../src/billing/parties.js';
import type { Database } from '../../src/store/database.js';
import { loadSeller } from '../../src/pipeline/load-seller.js';

export const SELLER_FILE = 'fixtures/seller.json';
export const TEST_SELLER = parseSellerFile(SELLER_FILE, readFileSync(SELLER_FILE, 'utf8'));

export async function loadTestSeller(database: Database): Promise<void> {
  await loadSeller(database, SELLER_FILE, new Date('2026-01-01T00:00:00Z'));
}
